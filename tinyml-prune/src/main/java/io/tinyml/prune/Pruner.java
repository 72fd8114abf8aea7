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
}
