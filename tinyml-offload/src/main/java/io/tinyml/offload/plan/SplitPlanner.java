package io.tinyml.offload.plan;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * Chooses where to cut a model between device and edge, exactly.
 *
 * <p>A cut is a set D of nodes run on the device that is downward closed (every producer of an
 * input of a node in D is in D); the remaining nodes E run on the edge. The device runs D in
 * topological order, sends every tensor written in D (or a graph input) that a node of E reads,
 * the edge runs E and returns the graph outputs written in E. So for a chain cut before layer k,
 * the device runs layers 0..k-1 and sends the output of layer k-1 (the input of layer k), and the edge
 * runs k..N-1: no layer is counted on one side while its output is sent from the other. Residual
 * branches are handled because a cut may send several tensors.
 *
 * <p>Cost of a cut: latency = device time of D + uplink(bytes sent) + RTT + edge time of E +
 * downlink(bytes returned); device energy = compute energy of D + (radio power + the core's power while it
 * feeds the link) x air time; the device is assumed to sleep while it waits for the edge. The
 * planner enumerates every downward-closed set (each leaf of a search that visits the nodes in
 * topological order and adds a node only when its producers are in), so device-only, edge-only and
 * every mixed cut are compared; the count is bounded by {@code maxCuts}. Immutable and thread-safe.
 *
 * <pre>{@code
 * SplitPlan p = new SplitPlanner().plan(graph, LinkPresets.get("wifi"), Objective.latency(),
 *         Constraints.none(), null);
 * Candidate best = p.best().orElseThrow();
 * }</pre>
 */
public final class SplitPlanner {
    private static final Logger log = LoggerFactory.getLogger(SplitPlanner.class);
    /** The default bound on the number of cuts enumerated. */
    public static final long DEFAULT_MAX_CUTS = 2_000_000;

    private final long maxCuts;
    private final WireFormat wire;

    /** A planner counting tensor bytes only, with the default bound. */
    public SplitPlanner() {
        this(DEFAULT_MAX_CUTS, WireFormat.PAYLOAD_ONLY);
    }

    /**
     * A planner.
     *
     * @param maxCuts the most cuts to enumerate before giving up
     * @param wire the size of a message on the link
     * @throws IllegalArgumentException if maxCuts is below 1
     */
    public SplitPlanner(long maxCuts, WireFormat wire) {
        if (maxCuts < 1) {
            throw new IllegalArgumentException("expected maxCuts >= 1, found " + maxCuts);
        }
        this.maxCuts = maxCuts;
        this.wire = Objects.requireNonNull(wire, "wire");
    }

    /**
     * Plans a split.
     *
     * @param g the cost graph
     * @param link the link
     * @param objective what to minimise
     * @param constraints limits on the device prefix and the link
     * @param resources the prefix's RAM and flash; required only when RAM or flash is limited
     * @return every candidate, with the best feasible one
     * @throws IllegalArgumentException if the graph has more than {@code maxCuts} cuts
     * @throws IllegalStateException if RAM or flash is limited and no resources are given
     */
    public SplitPlan plan(CostGraph g, LinkModel link, Objective objective, Constraints constraints,
                          PrefixResources resources) {
        if (constraints.limitsDevice() && resources == null) {
            throw new IllegalStateException("expected PrefixResources when device RAM or flash is limited, found null");
        }
        List<BitSet> cuts = cuts(g, maxCuts);
        BitSet all = new BitSet();
        all.set(0, g.nodeCount());
        double devMs = 0;
        double devUj = 0;
        for (int v = 0; v < g.nodeCount(); v++) {
            devMs += g.deviceMs(v);
            devUj += g.deviceUj(v);
        }
        List<Candidate> out = new ArrayList<>(cuts.size());
        Candidate best = null;
        for (BitSet d : cuts) {
            Candidate c = evaluate(g, d, link, objective, constraints, resources, devMs, devUj);
            out.add(c);
            if (c.feasible() && (best == null || c.cost() < best.cost())) {
                best = c;
            }
        }
        log.debug("{} cuts on {} nodes, link {}: best {}", cuts.size(), g.nodeCount(), link.name(),
                best == null ? "none feasible" : best.label(g));
        return new SplitPlan(g, link, objective, constraints, out, best);
    }

    /**
     * Evaluates one cut.
     *
     * @param g the graph
     * @param device the device nodes (must be downward closed)
     * @param link the link
     * @param objective the objective
     * @param constraints the limits
     * @param resources prefix resources, or null when RAM and flash are unlimited
     * @param deviceOnlyMs the device-only latency (the objective's latency scale)
     * @param deviceOnlyUj the device-only energy (the objective's energy scale)
     * @return the candidate
     * @throws IllegalArgumentException if the set is not downward closed
     */
    public Candidate evaluate(CostGraph g, BitSet device, LinkModel link, Objective objective, Constraints constraints,
                              PrefixResources resources, double deviceOnlyMs, double deviceOnlyUj) {
        if (!isDownwardClosed(g, device)) {
            throw new IllegalArgumentException("expected a downward-closed node set, found " + device);
        }
        int n = g.nodeCount();
        double dMs = 0;
        double dUj = 0;
        double eMs = 0;
        for (int v = 0; v < n; v++) {
            if (device.get(v)) {
                dMs += g.deviceMs(v);
                dUj += g.deviceUj(v);
            } else {
                eMs += g.edgeMs(v);
            }
        }
        int onDevice = device.cardinality();
        List<Integer> sent = new ArrayList<>();
        List<Integer> returned = new ArrayList<>();
        Candidate.Kind kind = onDevice == n ? Candidate.Kind.DEVICE_ONLY
                : onDevice == 0 ? Candidate.Kind.EDGE_ONLY : Candidate.Kind.MIXED;
        long up = 0;
        long down = 0;
        double upMs = 0;
        double downMs = 0;
        double rtt = 0;
        if (kind != Candidate.Kind.DEVICE_ONLY) {
            for (int t = 0; t < g.tensorCount(); t++) {
                int p = g.producer(t);
                boolean onDeviceSide = p < 0 || device.get(p);
                if (onDeviceSide) {
                    for (int c : g.consumersView(t)) {
                        if (!device.get(c)) {
                            sent.add(t);
                            break;
                        }
                    }
                }
            }
            for (int t : g.outputs()) {
                int p = g.producer(t);
                if (p >= 0 && !device.get(p) && !returned.contains(t)) {
                    returned.add(t);
                }
            }
            returned.sort(null);
            up = sent.isEmpty() ? 0 : wire.messageBytes(g, sent);
            down = returned.isEmpty() ? 0 : wire.messageBytes(g, returned);
            upMs = link.uplinkMs(up);
            downMs = link.downlinkMs(down);
            rtt = link.rttMs();
        }
        // mW x ms = uJ; the core stays awake during transfers (it may sleep while the edge computes)
        double radioUj = (link.txPowerMw() + g.transferPowerMw()) * upMs + (link.rxPowerMw() + g.transferPowerMw()) * downMs;
        double latency = dMs + upMs + rtt + eMs + downMs;
        double energy = dUj + radioUj;
        String violation = null;
        long ram = -1;
        long flash = -1;
        if (up > constraints.maxLinkBytes()) {
            violation = "sends " + up + " B, limit " + constraints.maxLinkBytes() + " B";
        }
        if (constraints.limitsDevice()) {
            long[] rf = resources.ramAndFlash(device);
            ram = rf[0];
            flash = rf[1];
            if (violation == null && ram > constraints.maxDeviceRamBytes()) {
                violation = "prefix RAM " + ram + " B, limit " + constraints.maxDeviceRamBytes() + " B";
            }
            if (violation == null && flash > constraints.maxDeviceFlashBytes()) {
                violation = "prefix flash " + flash + " B, limit " + constraints.maxDeviceFlashBytes() + " B";
            }
        }
        double cost = objective.cost(latency, energy, deviceOnlyMs, deviceOnlyUj);
        return new Candidate(device, sent, returned, kind, dMs, upMs, rtt, eMs, downMs, latency, dUj, radioUj, energy,
                up, down, ram, flash, violation, cost);
    }

    /**
     * Whether every producer of an input of a node in the set is in the set.
     *
     * @param g the graph
     * @param device the node set
     * @return true when the set is a valid device side
     */
    public static boolean isDownwardClosed(CostGraph g, BitSet device) {
        if (device.length() > g.nodeCount()) {
            return false;
        }
        for (int v = device.nextSetBit(0); v >= 0; v = device.nextSetBit(v + 1)) {
            for (int t : g.inputsView(v)) {
                int p = g.producer(t);
                if (p >= 0 && !device.get(p)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Every downward-closed node set of a graph, the empty set (edge-only) and the full set
     * (device-only) included, each exactly once.
     *
     * @param g the graph
     * @param max the most sets to return
     * @return the sets
     * @throws IllegalArgumentException if the graph has more than {@code max}
     */
    public static List<BitSet> cuts(CostGraph g, long max) {
        List<BitSet> out = new ArrayList<>();
        enumerate(g, 0, new BitSet(), out, max);
        return out;
    }

    private static void enumerate(CostGraph g, int v, BitSet cur, List<BitSet> out, long max) {
        if (v == g.nodeCount()) {
            if (out.size() >= max) {
                throw new IllegalArgumentException("expected at most " + max + " topological cuts, found more in a"
                        + " graph of " + g.nodeCount() + " nodes");
            }
            out.add((BitSet) cur.clone());
            return;
        }
        boolean ready = true;
        for (int t : g.inputsView(v)) {
            int p = g.producer(t);
            if (p >= 0 && !cur.get(p)) {
                ready = false;
                break;
            }
        }
        if (ready) {
            cur.set(v);
            enumerate(g, v + 1, cur, out, max);
            cur.clear(v);
        }
        enumerate(g, v + 1, cur, out, max);
    }
}
