package io.tinyml.offload.runtime;

/**
 * An exponential moving average: {@code v = v + alpha (x - v)}, starting at the first sample. Not
 * thread-safe; callers synchronise.
 */
public final class Ema {
    private final double alpha;
    private double value = Double.NaN;
    private long count;

    /**
     * @param alpha weight of a new sample, in (0, 1]
     * @throws IllegalArgumentException if alpha is outside (0, 1]
     */
    public Ema(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("expected alpha in (0, 1], found " + alpha);
        }
        this.alpha = alpha;
    }

    /**
     * Returns the updated average.
     *
     * @param x a new sample
     * @return the updated average
     */
    public double add(double x) {
        value = count == 0 ? x : value + alpha * (x - value);
        count++;
        return value;
    }

    /** @return the average, NaN before the first sample */
    public double value() {
        return value;
    }

    /** @return how many samples were added */
    public long count() {
        return count;
    }
}
