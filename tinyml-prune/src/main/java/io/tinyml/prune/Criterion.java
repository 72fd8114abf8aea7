package io.tinyml.prune;

/** How a channel's importance is scored: the norm of the weights producing it, summed over producers. */
public enum Criterion {
    /** Sum of absolute weights of the channel's filters. */
    L1,
    /** Euclidean norm of the channel's filters. */
    L2
}
