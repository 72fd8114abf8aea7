package io.tinyml.core.estimate.plan;

/**
 * Places buffers at arena offsets so that no two buffers live at the same step overlap in memory.
 * Strategies swap without touching clients: {@link GreedyBySizePlanner} (TFLM's approach) and
 * {@link OptimalPlanner} (exact search with a time budget). Implementations are thread-safe.
 *
 * <pre>{@code
 * MemoryPlan plan = new GreedyBySizePlanner().plan(problem);
 * OverlapVerifier.verify(plan);   // throws if two live buffers overlap
 * }</pre>
 */
public interface MemoryPlanner {
    /** @return a short name, e.g. "greedy" */
    String name();

    /**
     * Plans a problem.
     *
     * @param problem the buffers and lifetimes
     * @return a plan whose peak is at least the problem's lower bound
     */
    MemoryPlan plan(PlanProblem problem);
}
