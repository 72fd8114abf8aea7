package io.tinyml.nas;

/**
 * How much effort one accuracy measurement gets: epochs of training on the first {@code trainSamples}
 * training samples, top-1 on the first {@code evalSamples} evaluation samples. The search ranks
 * candidates with a low fidelity (the proxy) and trains only its front at full fidelity. Immutable.
 *
 * @param epochs training epochs
 * @param trainSamples training samples used (capped at the data's size)
 * @param evalSamples evaluation samples used (capped at the data's size)
 */
public record Fidelity(int epochs, int trainSamples, int evalSamples) {
    /**
     * Validates.
     *
     * @throws IllegalArgumentException if a value is not positive
     */
    public Fidelity {
        if (epochs < 1 || trainSamples < 1 || evalSamples < 1) {
            throw new IllegalArgumentException("expected positive epochs and sample counts, found " + epochs + ", "
                    + trainSamples + ", " + evalSamples);
        }
    }

    /**
     * All the data for some epochs.
     *
     * @param epochs training epochs
     * @return the fidelity
     */
    public static Fidelity full(int epochs) {
        return new Fidelity(epochs, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }
}
