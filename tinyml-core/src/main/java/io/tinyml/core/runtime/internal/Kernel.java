package io.tinyml.core.runtime.internal;

/**
 * One node's computation, prepared once (parameters resolved, multipliers computed, arrays bound)
 * and run for every inference. Implementations loop over primitive arrays; they never dispatch
 * per element.
 */
@FunctionalInterface
public interface Kernel {
    /** Computes the node's outputs from its inputs, in the arrays bound at preparation. */
    void run();
}
