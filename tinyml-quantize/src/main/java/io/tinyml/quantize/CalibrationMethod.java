package io.tinyml.quantize;

/**
 * How an activation range is chosen from the values seen during calibration. Thread-safe (an enum).
 */
public enum CalibrationMethod {
    /** The smallest and largest value seen. */
    MINMAX,
    /** Per-sample minima and maxima, averaged with an exponential moving average (decay 0.9). */
    EMA,
    /** The 99.99th percentile of absolute values clips the range. */
    PERCENTILE,
    /** The clipping threshold minimizing the KL divergence between float and quantized histograms. */
    ENTROPY,
    /** The clipping threshold minimizing the expected squared quantization error. */
    MSE;

    /**
     * Parses a method name as the command line spells it ({@code minmax}, {@code ema}, …).
     *
     * @param name the name, case-insensitive
     * @return the method
     * @throws IllegalArgumentException if the name is unknown
     */
    public static CalibrationMethod parse(String name) {
        for (CalibrationMethod m : values()) {
            if (m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("expected one of minmax, ema, percentile, entropy, mse, found '" + name + "'");
    }
}
