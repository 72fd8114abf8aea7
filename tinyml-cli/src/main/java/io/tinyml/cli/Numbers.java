package io.tinyml.cli;

import java.util.Locale;

/** Formats numbers for people: significant digits, never a misleading {@code 0.00}. */
final class Numbers {
    private Numbers() {
    }

    /**
     * Formats a value with three significant digits: {@code 0} when exactly zero, plain notation between
     * 1e-3 and 1e6, scientific otherwise ({@code 3.05e-07}); {@code inf} and {@code nan} as such.
     *
     * @param v the value
     * @return the text
     */
    static String sig(double v) {
        if (v == 0) {
            return "0";
        }
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e6) {
            return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
