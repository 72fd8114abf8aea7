package io.tinyml.core.estimate;

/**
 * RAM bytes by term. The arena is {@code activations + persistent}; activations (the planner's peak)
 * already include input/output tensors and per-kernel scratch buffers, which are planned with their
 * lifetimes. Immutable and thread-safe.
 *
 * @param activations the memory planner's peak: activations, inputs/outputs and scratch
 * @param scratch the largest single scratch buffer (already inside {@code activations}; for information)
 * @param requantization per-channel output multipliers and shifts computed at init (int32 each)
 * @param nodeState per-node runtime state: node records, operator data, builtin parameters
 * @param tensorState per-tensor runtime records (data pointer, dims pointer, type)
 * @param stack the call stack
 * @param runtimeStatic statically allocated runtime objects outside the arena
 */
public record RamBreakdown(long activations, long scratch, long requantization, long nodeState, long tensorState,
                           long stack, long runtimeStatic) {
    /** @return the tensor arena: activations plus persistent runtime data */
    public long arena() {
        return activations + requantization + nodeState + tensorState;
    }

    /** @return everything: arena, stack and static runtime data */
    public long total() {
        return arena() + stack + runtimeStatic;
    }
}
