package io.tinyml.prune;

import io.tinyml.core.ir.Model;

import java.util.Objects;

/**
 * Entry point of pruning. The input model is never modified; every step returns a new immutable
 * configuration and {@code apply()} a new model.
 *
 * <pre>{@code
 * PruneResult r = Pruner.of(model).structured().ratio(0.5).criterion(Criterion.L1)
 *         .calibrate(data, mapping, 256).recover(Recovery.LEAST_SQUARES).apply();
 * }</pre>
 */
public final class Pruner {
    private final Model model;

    private Pruner(Model model) {
        this.model = model;
    }

    /**
     * Starts pruning a float model.
     *
     * @param model the model
     * @return the first stage
     */
    public static Pruner of(Model model) {
        return new Pruner(Objects.requireNonNull(model, "model"));
    }

    /** @return structured (channel) pruning with default options (ratio 0.5, L1, no recovery) */
    public StructuredPruning structured() {
        return StructuredPruning.of(model);
    }

    /**
     * Unstructured magnitude pruning: zeroes the smallest weights.
     *
     * @param sparsity the fraction of weights zeroed, in [0, 1)
     * @return the sparsity stage (per layer by default)
     * @throws IllegalArgumentException if sparsity is outside [0, 1)
     */
    public SparsityPruning unstructured(double sparsity) {
        return SparsityPruning.unstructured(model, sparsity);
    }

    /**
     * N:M sparsity: at most {@code n} non-zero weights in every {@code m} consecutive input-channel weights.
     *
     * @param n the non-zeros kept per run, 1 <= n < m
     * @param m the run length, at least 2
     * @return the sparsity stage
     * @throws IllegalArgumentException if n and m are out of range
     */
    public SparsityPruning nOfM(int n, int m) {
        return SparsityPruning.nOfM(model, n, m);
    }
}
