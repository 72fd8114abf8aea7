package io.tinyml.core.estimate.plan;

import java.util.Optional;

/**
 * Offsets of every buffer of a {@link PlanProblem}, with the peak (arena bytes needed), the lower
 * bound (largest set of simultaneously live bytes) and the gap between them. Immutable and
 * thread-safe.
 */
public final class MemoryPlan {
    private final String planner;
    private final PlanProblem problem;
    private final long[] offsets;
    private final long peak;
    private final boolean provenOptimal;

    /**
     * Creates a plan.
     *
     * @param planner the planner's name
     * @param problem the problem
     * @param offsets one offset per buffer id; copied
     * @param provenOptimal true when the planner proved no smaller peak exists
     */
    public MemoryPlan(String planner, PlanProblem problem, long[] offsets, boolean provenOptimal) {
        if (offsets.length != problem.buffers().size()) {
            throw new IllegalArgumentException("expected " + problem.buffers().size() + " offsets, found "
                    + offsets.length);
        }
        this.planner = planner;
        this.problem = problem;
        this.offsets = offsets.clone();
        long p = 0;
        for (Buffer b : problem.buffers()) {
            p = Math.max(p, offsets[b.id()] + b.size());
        }
        this.peak = p;
        this.provenOptimal = provenOptimal || p == problem.lowerBound();
    }

    /** @return the planner that made this plan */
    public String planner() {
        return planner;
    }

    /** @return the planned problem */
    public PlanProblem problem() {
        return problem;
    }

    /**
     * Returns a buffer's offset.
     *
     * @param bufferId the buffer id
     * @return the byte offset in the arena
     */
    public long offset(int bufferId) {
        return offsets[bufferId];
    }

    /** @return a copy of the offsets, by buffer id */
    public long[] offsets() {
        return offsets.clone();
    }

    /** @return the arena bytes this plan needs (highest buffer end) */
    public long peak() {
        return peak;
    }

    /** @return the lower bound of any plan of this problem */
    public long lowerBound() {
        return problem.lowerBound();
    }

    /** @return {@code peak - lowerBound}, 0 when provably optimal by the bound */
    public long gap() {
        return peak - problem.lowerBound();
    }

    /** @return true when no plan of this problem can have a smaller peak */
    public boolean provenOptimal() {
        return provenOptimal;
    }

    /**
     * Checks this plan against an arena budget.
     *
     * @param arenaBytes the bytes available
     * @return empty when it fits; otherwise why not, with the overrun in bytes (and whether no plan at
     *     all could fit, when the lower bound already exceeds the budget)
     */
    public Optional<String> checkBudget(long arenaBytes) {
        if (peak <= arenaBytes) {
            return Optional.empty();
        }
        String why = "expected an arena of at most " + arenaBytes + " bytes, found a peak of " + peak + " bytes ("
                + (peak - arenaBytes) + " bytes over)";
        if (problem.lowerBound() > arenaBytes) {
            why += "; no plan can fit: " + problem.lowerBound() + " bytes are live at once";
        }
        return Optional.of(why);
    }

    /**
     * Renders the plan as text, one line per buffer, in the manner of TFLM's PrintMemoryPlan.
     *
     * @return the text
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s plan: peak %,d B, lower bound %,d B, gap %,d B%s%n", planner, peak, lowerBound(),
                gap(), provenOptimal ? " (optimal)" : ""));
        for (Buffer b : problem.buffers()) {
            sb.append(String.format("  %4d  [%8d, %8d)  steps %3d..%-3d  %s%n", b.id(), offsets[b.id()],
                    offsets[b.id()] + b.size(), b.first(), b.last(), b.name()));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "MemoryPlan{" + planner + ", peak=" + peak + ", lowerBound=" + lowerBound() + "}";
    }
}
