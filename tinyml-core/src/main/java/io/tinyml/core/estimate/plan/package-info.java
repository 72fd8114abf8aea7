/**
 * Memory planning: tensor lifetimes over an execution order ({@link io.tinyml.core.estimate.plan.PlanProblem}),
 * interchangeable planners ({@link io.tinyml.core.estimate.plan.MemoryPlanner}: greedy-by-size as in
 * TFLM, an exact search with a time budget), in-place reuse, execution-order search for branchy
 * graphs ({@link io.tinyml.core.estimate.plan.ExecutionOrderSearch}), and an independent overlap verifier.
 */
package io.tinyml.core.estimate.plan;
