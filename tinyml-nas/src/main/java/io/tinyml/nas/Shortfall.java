package io.tinyml.nas;

import java.util.Locale;

/**
 * One requirement a candidate misses, and by how much. Immutable.
 *
 * @param constraint "flash", "RAM", "latency", "energy", "accuracy" or "structure" (not a valid network)
 * @param value what the candidate needs or reaches
 * @param limit the budget (a maximum, or for accuracy a minimum)
 * @param unit "B", "ms", "uJ" or "top-1"
 */
public record Shortfall(String constraint, double value, double limit, String unit) {

    /**
     * Returns how far the candidate is from the limit, in the unit (positive).
     *
     * @return {@code |value - limit|}
     */
    public double gap() {
        return Math.abs(value - limit);
    }

    /**
     * Returns the gap relative to the limit.
     *
     * @return e.g. 0.25 for 25 % over a maximum
     */
    public double relativeGap() {
        return limit == 0 ? Double.POSITIVE_INFINITY : gap() / Math.abs(limit);
    }

    /**
     * Describes the shortfall in one line.
     *
     * @return e.g. "flash: needs 41,210 B, budget 32,768 B (8,442 B over, +25.8 %)"
     */
    public String message() {
        if (constraint.equals("structure")) {
            return "structure: the strides leave no feature map at this resolution";
        }
        if (unit.equals("n/a")) {
            return constraint;
        }
        if (unit.equals("ops")) {
            return constraint + ": no kernel in the chosen library";
        }
        if (unit.equals("top-1")) {
            return String.format(Locale.ROOT, "accuracy: reaches %.4f, required %.4f (%.4f short)", value, limit, gap());
        }
        String fmt = unit.equals("B") ? "%,.0f" : "%.3f";
        return String.format(Locale.ROOT, "%s: needs " + fmt + " %s, budget " + fmt + " %s (" + fmt + " %s over, +%.1f %%)",
                constraint, value, unit, limit, unit, gap(), unit, 100 * relativeGap());
    }
}
