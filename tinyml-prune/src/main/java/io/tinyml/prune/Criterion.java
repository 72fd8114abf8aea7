package io.tinyml.prune;

/** How a channel's importance is scored. */
public enum Criterion {
    /** Sum of absolute weights of the channel's filters. */
    L1,
    /** Euclidean norm of the channel's filters. */
    L2,
    /**
     * Data-driven: the channel's mean absolute activation on the calibration data where the next
     * layers read it, times the L2 norm of those layers' weights for it (its contribution to their
     * outputs). Needs {@code calibrate(...)}.
     */
    ACTIVATION
}
