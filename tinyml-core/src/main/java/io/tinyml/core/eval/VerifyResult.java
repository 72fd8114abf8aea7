package io.tinyml.core.eval;

/**
 * How closely two executions of a model agree, as measured by {@link Verify}. Immutable.
 *
 * @param maxAbsError the largest {@code |a - b|} over every output element of every sample
 * @param maxRelError the largest {@code |a - b| / max(|a|, |b|, 1e-6)} over the same elements
 * @param argmaxAgreement the fraction of rows (last axis of the first output, per sample) whose
 *     argmax is the same in both executions, in [0, 1]
 * @param samples the number of inputs both models ran on
 */
public record VerifyResult(double maxAbsError, double maxRelError, double argmaxAgreement, int samples) {
    /**
     * Renders the result as one JSON object with the keys {@code maxAbsError}, {@code maxRelError},
     * {@code argmaxAgreement} and {@code samples}.
     *
     * @return the JSON text
     */
    public String toJson() {
        return "{\"maxAbsError\":" + num(maxAbsError) + ",\"maxRelError\":" + num(maxRelError)
                + ",\"argmaxAgreement\":" + num(argmaxAgreement) + ",\"samples\":" + samples + "}";
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
