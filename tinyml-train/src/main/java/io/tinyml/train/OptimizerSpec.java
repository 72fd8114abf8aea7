package io.tinyml.train;

/**
 * Which optimiser updates the weights, with its base learning rate (scaled by the
 * {@link LearningRateSchedule}). Immutable and thread-safe.
 *
 * <pre>{@code
 * OptimizerSpec sgd = OptimizerSpec.sgd(0.05f, 0.9f);
 * OptimizerSpec adam = OptimizerSpec.adam(1e-3f).withWeightDecay(1e-4f);
 * }</pre>
 *
 * @param kind SGD or Adam
 * @param learningRate the base learning rate, positive
 * @param momentum SGD momentum in [0, 1); 0 for Adam
 * @param weightDecay L2 weight decay, non-negative
 */
public record OptimizerSpec(Kind kind, float learningRate, float momentum, float weightDecay) {
    /** The optimiser family. */
    public enum Kind {
        /** Stochastic gradient descent, optionally with momentum. */
        SGD,
        /** Adam (beta1 0.9, beta2 0.999, epsilon 1e-8). */
        ADAM
    }

    /**
     * Validates the values.
     *
     * @param kind SGD or Adam
     * @param learningRate the base learning rate
     * @param momentum SGD momentum
     * @param weightDecay weight decay
     * @throws IllegalArgumentException if a value is out of range
     */
    public OptimizerSpec {
        java.util.Objects.requireNonNull(kind, "kind");
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("expected a positive learning rate, found " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("expected a momentum in [0, 1), found " + momentum);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("expected a non-negative weight decay, found " + weightDecay);
        }
    }

    /**
     * SGD with momentum.
     *
     * @param learningRate the base learning rate
     * @param momentum the momentum in [0, 1)
     * @return the spec
     */
    public static OptimizerSpec sgd(float learningRate, float momentum) {
        return new OptimizerSpec(Kind.SGD, learningRate, momentum, 0f);
    }

    /**
     * Adam.
     *
     * @param learningRate the base learning rate
     * @return the spec
     */
    public static OptimizerSpec adam(float learningRate) {
        return new OptimizerSpec(Kind.ADAM, learningRate, 0f, 0f);
    }

    /**
     * Returns a copy with L2 weight decay.
     *
     * @param decay the decay, non-negative
     * @return the new spec
     */
    public OptimizerSpec withWeightDecay(float decay) {
        return new OptimizerSpec(kind, learningRate, momentum, decay);
    }
}
