package io.tinyml.nas;

import java.util.List;

/**
 * One attempt of {@link Fit}: what was tried, what it measured and estimated, and why it was rejected.
 * Immutable.
 *
 * @param name what was tried, e.g. "int8 PTQ (per-channel)" or "structured pruning 50 % + least-squares recovery"
 * @param accuracy int8 top-1 on the evaluation data (NaN when not measured)
 * @param flashBytes estimated whole-firmware flash (0 when not estimated)
 * @param ramBytes estimated RAM
 * @param latencyMs estimated latency of one inference
 * @param energyUj estimated energy of one inference
 * @param shortfalls the requirements missed; empty for the accepted step
 * @param note extra detail (the architecture, why a step was skipped), or empty
 */
public record FitStep(String name, double accuracy, long flashBytes, long ramBytes, double latencyMs, double energyUj,
                      List<Shortfall> shortfalls, String note) {

    /** Copies the list. */
    public FitStep {
        shortfalls = List.copyOf(shortfalls);
    }

    /** @return true if the step met every requirement */
    public boolean fits() {
        return shortfalls.isEmpty();
    }

    /**
     * The sum of relative gaps of the missed requirements: 0 for a fitting step, smaller is closer.
     *
     * @return the distance
     */
    public double distance() {
        return shortfalls.stream().mapToDouble(Shortfall::relativeGap).sum();
    }
}
