package io.tinyml.offload.profile;

import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model cut in two: the prefix model (graph inputs to the cut tensors, run on the device) and the
 * suffix model (cut tensors to the graph outputs it computes, run on the edge). Node indices are
 * those of the original graph; the device set must be downward closed. Immutable and thread-safe.
 *
 * <p>The prefix's outputs are the sent tensors (ascending tensor index) followed by the graph
 * outputs the device computes that are not sent; the suffix's inputs are the sent tensors in the same
 * order, its outputs the graph outputs computed on the edge in graph-output order.
 *
 * <pre>{@code
 * ModelSplit s = ModelSplit.of(model, candidate.deviceNodes());
 * byte[][] cut = Interpreter.create(s.prefix()).invoke(input);
 * byte[][] rest = Interpreter.create(s.suffix()).invoke(Arrays.copyOf(cut, s.sentTensors().size()));
 * byte[][] outputs = s.assemble(cut, rest);
 * }</pre>
 */
public final class ModelSplit {
    private final Model model;
    private final BitSet device;
    private final List<Integer> sent;
    private final List<Integer> prefixOutputs;
    private final List<Integer> suffixOutputs;
    private final Model prefix;
    private final Model suffix;

    private ModelSplit(Model model, BitSet device) {
        this.model = model;
        this.device = (BitSet) device.clone();
        Graph g = model.graph();
        int n = g.nodes().size();
        if (device.length() > n) {
            throw new IllegalArgumentException("expected node indices below " + n + ", found " + device);
        }
        for (int v = device.nextSetBit(0); v >= 0; v = device.nextSetBit(v + 1)) {
            for (int t : g.node(v).inputs()) {
                if (t != Node.ABSENT && g.producer(t) >= 0 && !device.get(g.producer(t))) {
                    throw new IllegalArgumentException("expected a downward-closed device node set, found node '"
                            + g.node(v).name() + "' on the device but its producer '" + g.node(g.producer(t)).name()
                            + "' on the edge");
                }
            }
        }
        boolean all = device.cardinality() == n;
        sent = new ArrayList<>();
        if (!all) {
            for (int t = 0; t < g.tensors().size(); t++) {
                if (g.tensor(t).isConstant()) {
                    continue;
                }
                int p = g.producer(t);
                if (p < 0 && !g.inputs().contains(t)) {
                    continue;
                }
                if (p < 0 || device.get(p)) {
                    for (int c : g.consumers(t)) {
                        if (!device.get(c)) {
                            sent.add(t);
                            break;
                        }
                    }
                }
            }
        }
        prefixOutputs = new ArrayList<>(sent);
        suffixOutputs = new ArrayList<>();
        for (int t : g.outputs()) {
            int p = g.producer(t);
            if (p >= 0 && !device.get(p)) {
                if (!suffixOutputs.contains(t)) {
                    suffixOutputs.add(t);
                }
            } else if (!prefixOutputs.contains(t)) {
                prefixOutputs.add(t);
            }
        }
        BitSet edge = new BitSet();
        edge.set(0, n);
        edge.andNot(device);
        prefix = device.isEmpty() ? null : sub(g, device, g.inputs(), prefixOutputs, "split-prefix");
        suffix = all ? null : sub(g, edge, sent, suffixOutputs, "split-suffix");
    }

    /**
     * Cuts a model.
     *
     * @param model the model
     * @param deviceNodes the nodes run on the device (downward closed)
     * @return the split
     * @throws IllegalArgumentException if the set is not downward closed or names a missing node
     */
    public static ModelSplit of(Model model, BitSet deviceNodes) {
        return new ModelSplit(Objects.requireNonNull(model, "model"), deviceNodes);
    }

    /**
     * Cuts a model whose nodes form a chain after {@code k} nodes: nodes 0..k-1 on the device.
     *
     * @param model the model
     * @param k how many nodes (in graph order) run on the device, 0..node count
     * @return the split
     * @throws IllegalArgumentException if k is out of range or the first k nodes are not downward closed
     */
    public static ModelSplit afterNodes(Model model, int k) {
        int n = model.graph().nodes().size();
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("expected a node count in [0, " + n + "], found " + k);
        }
        BitSet d = new BitSet();
        d.set(0, k);
        return of(model, d);
    }

    private Model sub(Graph g, BitSet nodes, List<Integer> ins, List<Integer> outs, String pass) {
        GraphBuilder b = new GraphBuilder();
        Map<Integer, Integer> map = new HashMap<>();
        for (int t : ins) {
            map.put(t, b.addInput(g.tensor(t)));
        }
        for (int v = nodes.nextSetBit(0); v >= 0; v = nodes.nextSetBit(v + 1)) {
            Node node = g.node(v);
            List<Integer> in = new ArrayList<>();
            for (int t : node.inputs()) {
                in.add(t == Node.ABSENT ? Node.ABSENT : map.computeIfAbsent(t, x -> b.addTensor(g.tensor(x))));
            }
            List<Integer> out = new ArrayList<>();
            for (int t : node.outputs()) {
                out.add(map.computeIfAbsent(t, x -> b.addTensor(g.tensor(x))));
            }
            b.addNode(node.name(), node.op(), in, out);
        }
        for (int t : outs) {
            b.addOutput(map.get(t));
        }
        return model.withGraph(b.build(), new AppliedPass(pass, Map.of("deviceNodes", device.toString(),
                "sent", names(sent))));
    }

    private String names(List<Integer> ts) {
        List<String> s = new ArrayList<>();
        for (int t : ts) {
            s.add(model.graph().tensor(t).name());
        }
        return s.toString();
    }

    /**
     * The split's id on the wire: the device nodes as ascending ranges, "nodes:0-11" or "nodes:0-3,5"
     * ("nodes:" alone for edge-only).
     *
     * @return the id
     */
    public String id() {
        return id(device);
    }

    /**
     * Encodes a node set as a split id.
     *
     * @param nodes the node set
     * @return the id
     */
    public static String id(BitSet nodes) {
        StringBuilder sb = new StringBuilder("nodes:");
        int v = nodes.nextSetBit(0);
        while (v >= 0) {
            int end = nodes.nextClearBit(v) - 1;
            if (sb.length() > 6) {
                sb.append(',');
            }
            sb.append(v);
            if (end > v) {
                sb.append('-').append(end);
            }
            v = nodes.nextSetBit(end + 1);
        }
        return sb.toString();
    }

    /**
     * Decodes a split id.
     *
     * @param id the id, as {@link #id(BitSet)} writes it
     * @param nodeCount the model's node count
     * @return the node set
     * @throws IllegalArgumentException if the id is malformed or names a node out of range
     */
    public static BitSet parseId(String id, int nodeCount) {
        if (!id.startsWith("nodes:")) {
            throw new IllegalArgumentException("expected a split id 'nodes:RANGES', found '" + id + "'");
        }
        BitSet b = new BitSet();
        String body = id.substring(6);
        if (body.isEmpty()) {
            return b;
        }
        try {
            for (String part : body.split(",", -1)) {
                int dash = part.indexOf('-');
                int lo = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int hi = dash < 0 ? lo : Integer.parseInt(part.substring(dash + 1));
                if (lo < 0 || hi < lo || hi >= nodeCount) {
                    throw new IllegalArgumentException("expected node ranges within [0, " + nodeCount + "), found '"
                            + part + "' in '" + id + "'");
                }
                b.set(lo, hi + 1);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a split id 'nodes:RANGES', found '" + id + "'");
        }
        return b;
    }

    /** @return the whole model */
    public Model model() {
        return model;
    }

    /** @return a copy of the device node set */
    public BitSet deviceNodes() {
        return (BitSet) device.clone();
    }

    /** @return the prefix model, or null when the device runs nothing (edge-only) */
    public Model prefix() {
        return prefix;
    }

    /** @return the suffix model, or null when the edge runs nothing (device-only) */
    public Model suffix() {
        return suffix;
    }

    /** @return the tensors sent device to edge (original indices, ascending) */
    public List<Integer> sentTensors() {
        return List.copyOf(sent);
    }

    /** @return the sent tensors themselves (name, type, shape, quantization) */
    public List<Tensor> sentTensorInfo() {
        return sent.stream().map(model.graph()::tensor).toList();
    }

    /** @return the prefix's outputs (original indices): the sent tensors, then device-computed graph outputs */
    public List<Integer> prefixOutputs() {
        return List.copyOf(prefixOutputs);
    }

    /** @return the suffix's outputs (original indices) */
    public List<Integer> suffixOutputs() {
        return List.copyOf(suffixOutputs);
    }

    /**
     * The sent tensors' values taken from the prefix's outputs.
     *
     * @param prefixOut the prefix's outputs; for edge-only, the graph inputs
     * @return the suffix's inputs
     */
    public byte[][] cutValues(byte[][] prefixOut) {
        if (prefix == null) {
            byte[][] r = new byte[sent.size()][];
            for (int i = 0; i < sent.size(); i++) {
                r[i] = prefixOut[model.graph().inputs().indexOf(sent.get(i))];
            }
            return r;
        }
        byte[][] r = new byte[sent.size()][];
        System.arraycopy(prefixOut, 0, r, 0, sent.size());
        return r;
    }

    /**
     * Puts the graph outputs back in the model's order.
     *
     * @param prefixOut the prefix's outputs (ignored when there is no prefix)
     * @param suffixOut the suffix's outputs (ignored when there is no suffix)
     * @return the model's outputs
     */
    public byte[][] assemble(byte[][] prefixOut, byte[][] suffixOut) {
        List<Integer> outs = model.graph().outputs();
        byte[][] r = new byte[outs.size()][];
        for (int i = 0; i < outs.size(); i++) {
            int t = outs.get(i);
            int s = suffixOutputs.indexOf(t);
            r[i] = s >= 0 ? suffixOut[s] : prefixOut[prefixOutputs.indexOf(t)];
        }
        return r;
    }
}
