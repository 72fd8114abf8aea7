package io.tinyml.core;

/**
 * Receives progress of a long operation (calibration, evaluation, search, training, flashing).
 * Called on the thread doing the work; implementations must be quick and must not throw.
 */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores everything. */
    ProgressListener NONE = (task, done, total) -> { };

    /**
     * Reports progress.
     *
     * @param task what is being done, e.g. "evaluate"
     * @param done units completed so far
     * @param total units in all, or -1 if unknown
     */
    void progress(String task, long done, long total);
}
