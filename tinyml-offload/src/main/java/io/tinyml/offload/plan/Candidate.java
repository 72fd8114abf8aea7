package io.tinyml.offload.plan;

import java.util.BitSet;
import java.util.List;

/**
 * One way to split a model, with every term of its cost. A candidate is a downward-closed set of
 * nodes run on the device; the tensors it sends are those written on the device (or graph inputs)
 * and read by a node on the edge; the edge returns the graph outputs it computes. Immutable.
 *
 * @param deviceNodes the nodes run on the device (a copy; do not modify)
 * @param sentTensors tensors sent device to edge, ascending
 * @param returnedTensors graph outputs sent edge to device, ascending
 * @param kind device-only, edge-only or mixed
 * @param deviceMs device compute time of the prefix
 * @param uplinkMs time to send the cut tensors
 * @param rttMs round trip (0 when nothing is offloaded)
 * @param edgeMs edge compute time of the suffix
 * @param downlinkMs time to return the edge's outputs
 * @param latencyMs the sum of the five terms above
 * @param computeUj device compute energy of the prefix
 * @param radioUj device energy of the transfers: radio plus the core kept awake (send and receive)
 * @param energyUj the sum of compute and radio energy
 * @param upBytes bytes sent device to edge
 * @param downBytes bytes returned edge to device
 * @param ramBytes device RAM of the prefix, -1 when not evaluated
 * @param flashBytes device flash of the prefix, -1 when not evaluated
 * @param violation why the cut breaks a constraint, or null when it is feasible
 * @param cost the objective's value
 */
public record Candidate(BitSet deviceNodes, List<Integer> sentTensors, List<Integer> returnedTensors, Kind kind,
                        double deviceMs, double uplinkMs, double rttMs, double edgeMs, double downlinkMs,
                        double latencyMs, double computeUj, double radioUj, double energyUj, long upBytes,
                        long downBytes, long ramBytes, long flashBytes, String violation, double cost) {
    /** Where a candidate runs the model. */
    public enum Kind {
        /** every node on the device, nothing sent */
        DEVICE_ONLY,
        /** every node on the edge, the graph inputs sent */
        EDGE_ONLY,
        /** some nodes on each side */
        MIXED
    }

    /** Copies the collections. */
    public Candidate {
        deviceNodes = (BitSet) deviceNodes.clone();
        sentTensors = List.copyOf(sentTensors);
        returnedTensors = List.copyOf(returnedTensors);
    }

    /** @return true when no constraint is broken */
    public boolean feasible() {
        return violation == null;
    }

    /** @return the number of nodes on the device */
    public int deviceNodeCount() {
        return deviceNodes.cardinality();
    }

    /**
     * A short description: the kind, and for a mixed cut the tensors sent.
     *
     * @param g the graph the candidate belongs to
     * @return the label
     */
    public String label(CostGraph g) {
        return switch (kind) {
            case DEVICE_ONLY -> "device-only";
            case EDGE_ONLY -> "edge-only";
            case MIXED -> "mixed(" + deviceNodeCount() + "/" + g.nodeCount() + " on device, send "
                    + sentTensors.stream().map(g::tensorName).toList() + ")";
        };
    }
}
