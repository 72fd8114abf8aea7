package io.tinyml.core.pass;

import io.tinyml.core.ir.Model;

/**
 * Watches a pipeline: called before and after every pass it runs (for logging, timing, dumping or
 * checking invariants). Implementations must not modify anything; they may throw to stop the
 * pipeline.
 */
public interface PassInstrument {
    /**
     * Called before a pass runs.
     *
     * @param pass the pass
     * @param model its input
     */
    default void before(PassInfo pass, Model model) {
    }

    /**
     * Called after a pass ran.
     *
     * @param pass the pass
     * @param before its input
     * @param after its output (the same instance when nothing changed)
     */
    default void after(PassInfo pass, Model before, Model after) {
    }
}
