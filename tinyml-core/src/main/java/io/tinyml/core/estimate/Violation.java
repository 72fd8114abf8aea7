package io.tinyml.core.estimate;

/**
 * A budget the model exceeds on a target. Immutable and thread-safe.
 *
 * @param budget what is exceeded: "RAM", "flash" or "latency"
 * @param required what the model needs (bytes, or microseconds for latency)
 * @param available what the target offers (same unit)
 * @param unit "B" or "us"
 */
public record Violation(String budget, long required, long available, String unit) {
    /** @return how much is missing: {@code required - available} */
    public long overrun() {
        return required - available;
    }

    /** @return e.g. "RAM: needs 98,304 B, target has 16,384 B (81,920 B over)" */
    public String message() {
        return String.format("%s: needs %,d %s, target has %,d %s (%,d %s over)", budget, required, unit, available,
                unit, overrun(), unit);
    }
}
