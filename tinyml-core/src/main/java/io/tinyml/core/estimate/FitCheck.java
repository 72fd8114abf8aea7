package io.tinyml.core.estimate;

import java.util.List;

/**
 * The answer to "does this model fit this board with these kernels?": every violated budget with
 * its numbers and every unsupported operator. Immutable and thread-safe.
 *
 * @param estimate the estimate the check is based on
 */
public record FitCheck(Estimate estimate) {
    /** @return true when it fits */
    public boolean fits() {
        return estimate.fits();
    }

    /** @return the violated budgets */
    public List<Violation> violations() {
        return estimate.violations();
    }

    /** @return operators the kernel library does not support */
    public List<String> unsupportedOps() {
        return estimate.unsupportedOps();
    }

    /**
     * Describes the result in a few lines.
     *
     * @return e.g. "person_detect on hifive1-revb (reference): does NOT fit\n  RAM: needs ..."
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(estimate.model()).append(" on ").append(estimate.target().name()).append(" (")
                .append(estimate.kernels().cliName()).append(" kernels): ").append(fits() ? "fits" : "does NOT fit")
                .append('\n');
        sb.append(String.format("  flash %,d / %,d B, RAM %,d / %,d B (arena %,d B), latency %.2f ms%n",
                estimate.flashBytes(), estimate.target().flashBytes(), estimate.ramBytes(),
                estimate.target().ramBytes(), estimate.arenaBytes(), estimate.latencyMs()));
        for (Violation v : violations()) {
            sb.append("  ").append(v.message()).append('\n');
        }
        for (String u : unsupportedOps()) {
            sb.append("  unsupported: ").append(u).append('\n');
        }
        return sb.toString();
    }
}
