package io.tinyml.offload.plan;

import java.util.List;

/**
 * The bytes a message carrying some tensors occupies on the link. The default counts the tensors'
 * own bytes; the runtime's codec adds its exact header and per-tensor descriptors.
 */
@FunctionalInterface
public interface WireFormat {
    /** Counts only tensor bytes. */
    WireFormat PAYLOAD_ONLY = (g, tensors) -> {
        long b = 0;
        for (int t : tensors) {
            b += g.tensorBytes(t);
        }
        return b;
    };

    /**
     * The size of one message.
     *
     * @param g the graph
     * @param tensors the tensors the message carries (not empty)
     * @return bytes on the link
     */
    long messageBytes(CostGraph g, List<Integer> tensors);
}
