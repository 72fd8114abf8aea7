package io.tinyml.core.estimate;

/**
 * The estimate of one node. Immutable and thread-safe.
 *
 * @param node the node index in the graph
 * @param name the node name
 * @param op the operator kind
 * @param macs multiply-accumulates
 * @param cycles estimated core cycles
 * @param latencyMs estimated milliseconds at the target clock
 * @param liveBytes arena bytes live while the node runs (its inputs, outputs, scratch and everything kept alive)
 * @param scratchBytes the node's own scratch buffer bytes
 */
public record LayerEstimate(int node, String name, String op, long macs, long cycles, double latencyMs, long liveBytes,
                            long scratchBytes) {
}
