package io.tinyml.core.data;

/**
 * What mapping samples onto a model input did to their values, accumulated over samples by
 * {@link InputMapping#toInputBytes(Sample, MappingStats)}: how many values quantization clipped (the
 * <i>saturation</i>) and the range of the raw values seen. Mutable and not thread-safe: one per
 * evaluation.
 *
 * <pre>{@code
 * MappingStats stats = new MappingStats();
 * for (Sample s : dataset) {
 *     interpreter.invoke(mapping.toInputBytes(s, stats));
 * }
 * if (stats.clippedShare() > 0.01) { ... }   // the input range does not hold the mapped data
 * }</pre>
 */
public final class MappingStats {
    private long values;
    private long clipped;
    private float rawMin = Float.POSITIVE_INFINITY;
    private float rawMax = Float.NEGATIVE_INFINITY;

    /** Creates empty statistics. */
    public MappingStats() {
    }

    void record(float[] raw, float[] real, InputMapping mapping) {
        for (int i = 0; i < raw.length; i++) {
            rawMin = Math.min(rawMin, raw[i]);
            rawMax = Math.max(rawMax, raw[i]);
            if (mapping.clips(real[i])) {
                clipped++;
            }
        }
        values += raw.length;
    }

    /** @return input values mapped so far */
    public long values() {
        return values;
    }

    /** @return values that quantization clamped to the input type's range */
    public long clipped() {
        return clipped;
    }

    /** @return {@code clipped / values}, or 0 before any value */
    public double clippedShare() {
        return values == 0 ? 0 : (double) clipped / values;
    }

    /** @return the smallest raw value seen (before scaling), or +infinity before any value */
    public float rawMin() {
        return rawMin;
    }

    /** @return the largest raw value seen (before scaling), or -infinity before any value */
    public float rawMax() {
        return rawMax;
    }
}
