package io.tinyml.offload.plan;

import java.util.BitSet;

/**
 * The device resources a prefix needs; the planner asks only when RAM or flash is constrained.
 * Implementations must be thread-safe if the planner is used from several threads.
 */
public interface PrefixResources {
    /**
     * The RAM and flash of the firmware running the given nodes.
     *
     * @param deviceNodes the nodes on the device (a downward-closed set); empty means none
     * @return {RAM bytes, flash bytes}
     */
    long[] ramAndFlash(BitSet deviceNodes);
}
