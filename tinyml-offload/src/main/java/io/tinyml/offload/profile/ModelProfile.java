package io.tinyml.offload.profile;

import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.offload.plan.CostGraph;
import io.tinyml.offload.plan.PrefixResources;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-node costs of a model on both sides of a split: device milliseconds and microjoules (from the
 * estimator, or measured), edge milliseconds (measured with the reference interpreter on this
 * machine), and every tensor's size in the model's own wire format (int8 tensors one byte per
 * element). Immutable and thread-safe. Created by {@link Profiler}.
 */
public final class ModelProfile {
    private final Model model;
    private final Estimator estimator;
    private final double[] deviceMs;
    private final double[] deviceUj;
    private final double[] edgeMs;
    private final String deviceSource;
    private final CostGraph graph;
    private final Map<BitSet, long[]> resources = new ConcurrentHashMap<>();

    ModelProfile(Model model, Estimator estimator, double[] deviceMs, double[] deviceUj, double[] edgeMs,
                 String deviceSource) {
        this.model = model;
        this.estimator = estimator;
        this.deviceMs = deviceMs.clone();
        this.deviceUj = deviceUj.clone();
        this.edgeMs = edgeMs.clone();
        this.deviceSource = deviceSource;
        this.graph = buildGraph();
    }

    private CostGraph buildGraph() {
        Graph g = model.graph();
        CostGraph.Builder b = CostGraph.builder();
        if (estimator != null) {
            b.optTransferPowerMw(estimator.target().activePowerMw());
        }
        // every IR tensor keeps its index; constants are never node inputs here, so they are never sent
        for (int t = 0; t < g.tensors().size(); t++) {
            long bytes = g.tensor(t).byteSize();
            if (g.inputs().contains(t)) {
                b.addInput(g.tensor(t).name(), bytes);
            } else {
                b.addTensor(g.tensor(t).name(), bytes);
            }
        }
        for (int v = 0; v < g.nodes().size(); v++) {
            Node node = g.node(v);
            List<Integer> in = new ArrayList<>();
            for (int t : node.inputs()) {
                if (t != Node.ABSENT && !g.tensor(t).isConstant() && !in.contains(t)) {
                    in.add(t);
                }
            }
            b.addNode(node.name(), deviceMs[v], deviceUj[v], edgeMs[v], in.stream().mapToInt(Integer::intValue).toArray(),
                    node.outputs().stream().mapToInt(Integer::intValue).toArray());
        }
        for (int t : g.outputs()) {
            b.markOutput(t);
        }
        return b.build();
    }

    /** @return the model */
    public Model model() {
        return model;
    }

    /** @return the planner's graph (node and tensor indices are the model's) */
    public CostGraph costGraph() {
        return graph;
    }

    /** @return where the device figures come from */
    public String deviceSource() {
        return deviceSource;
    }

    /** @return the device milliseconds of the whole model */
    public double deviceTotalMs() {
        double s = 0;
        for (double d : deviceMs) {
            s += d;
        }
        return s;
    }

    /** @return the edge milliseconds of the whole model */
    public double edgeTotalMs() {
        double s = 0;
        for (double d : edgeMs) {
            s += d;
        }
        return s;
    }

    /**
     * The prefix's RAM and flash from the estimator, each prefix estimated once.
     *
     * @return the resources
     */
    public PrefixResources prefixResources() {
        return d -> resources.computeIfAbsent((BitSet) d.clone(), k -> {
            if (k.isEmpty()) {
                return new long[] {0, 0};
            }
            Estimate e = estimator.estimate(ModelSplit.of(model, k).prefix().graph(), "prefix");
            return new long[] {e.ramBytes(), e.flashBytes()};
        });
    }

    /**
     * A copy with other edge times (for example measured on another edge machine).
     *
     * @param ms one value per node
     * @return the profile
     * @throws IllegalArgumentException if the count is wrong
     */
    public ModelProfile withEdgeMs(double[] ms) {
        if (ms.length != edgeMs.length) {
            throw new IllegalArgumentException("expected " + edgeMs.length + " edge times, found " + ms.length);
        }
        return new ModelProfile(model, estimator, deviceMs, deviceUj, ms, deviceSource);
    }

    /**
     * A copy whose device side is measured: instructions per node (for example counted under QEMU,
     * {@code DeviceFirmware.instructionsPerNodeM4}) at one instruction per cycle at the target clock,
     * energy = time x the target's run-mode power.
     *
     * @param instructions one count per node
     * @param source where the counts come from
     * @return the profile
     * @throws IllegalArgumentException if the count is wrong
     */
    public ModelProfile withDeviceInstructions(long[] instructions, String source) {
        if (instructions.length != deviceMs.length) {
            throw new IllegalArgumentException("expected " + deviceMs.length + " counts, found " + instructions.length);
        }
        double mhz = estimator.target().clockMhz();
        double mw = estimator.target().activePowerMw();
        double[] ms = new double[instructions.length];
        double[] uj = new double[instructions.length];
        for (int v = 0; v < ms.length; v++) {
            ms[v] = instructions[v] / (mhz * 1000.0);
            uj[v] = ms[v] * mw;
        }
        return new ModelProfile(model, estimator, ms, uj, edgeMs, source + ", 1 instruction per cycle at "
                + estimator.target().name() + " " + mhz + " MHz");
    }

    /**
     * The profile as a map for JSON: per node, name, op, device ms and uJ, edge ms, output bytes.
     *
     * @return the map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceSource", deviceSource);
        m.put("deviceTotalMs", deviceTotalMs());
        m.put("edgeTotalMs", edgeTotalMs());
        List<Object> nodes = new ArrayList<>();
        Graph g = model.graph();
        for (int v = 0; v < g.nodes().size(); v++) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("name", g.node(v).name());
            n.put("op", g.node(v).op().kind().name());
            n.put("deviceMs", deviceMs[v]);
            n.put("deviceUj", deviceUj[v]);
            n.put("edgeMs", edgeMs[v]);
            long out = 0;
            for (int t : g.node(v).outputs()) {
                out += g.tensor(t).byteSize();
            }
            n.put("outputBytes", out);
            nodes.add(n);
        }
        m.put("nodes", nodes);
        return m;
    }
}
