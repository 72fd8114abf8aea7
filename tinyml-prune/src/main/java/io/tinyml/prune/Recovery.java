package io.tinyml.prune;

/** What is done after removing channels to win back accuracy without training. */
public enum Recovery {
    /** Nothing: the remaining weights are kept as they are. */
    NONE,
    /**
     * Refit each layer reading pruned channels by ridge-regularised least squares so that it
     * reproduces its original pre-activation outputs on calibration data.
     */
    LEAST_SQUARES
}
