package io.tinyml.offload.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The planner's view of a model: nodes in topological order with their device cost (milliseconds,
 * microjoules) and edge cost (milliseconds), and tensors with the bytes they occupy on the wire.
 * Immutable and thread-safe; built with {@link #builder()}.
 *
 * <pre>{@code
 * CostGraph.Builder b = CostGraph.builder();
 * int x = b.addInput("x", 9216);
 * int y = b.addTensor("y", 4608);
 * b.addNode("conv", 12.0, 420.0, 0.3, new int[] {x}, new int[] {y});
 * b.markOutput(y);
 * CostGraph g = b.build();
 * }</pre>
 */
public final class CostGraph {
    private final String[] nodeNames;
    private final double[] deviceMs;
    private final double[] deviceUj;
    private final double[] edgeMs;
    private final int[][] nodeInputs;
    private final int[][] nodeOutputs;
    private final String[] tensorNames;
    private final long[] tensorBytes;
    private final int[] producer;
    private final int[][] consumers;
    private final int[] inputs;
    private final int[] outputs;
    private final double transferPowerMw;

    private CostGraph(Builder b) {
        transferPowerMw = b.transferPowerMw;
        int n = b.nodeNames.size();
        int t = b.tensorNames.size();
        nodeNames = b.nodeNames.toArray(new String[0]);
        deviceMs = b.deviceMs.stream().mapToDouble(Double::doubleValue).toArray();
        deviceUj = b.deviceUj.stream().mapToDouble(Double::doubleValue).toArray();
        edgeMs = b.edgeMs.stream().mapToDouble(Double::doubleValue).toArray();
        nodeInputs = b.nodeInputs.toArray(new int[0][]);
        nodeOutputs = b.nodeOutputs.toArray(new int[0][]);
        tensorNames = b.tensorNames.toArray(new String[0]);
        tensorBytes = b.tensorBytes.stream().mapToLong(Long::longValue).toArray();
        producer = new int[t];
        Arrays.fill(producer, -1);
        List<List<Integer>> cons = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            cons.add(new ArrayList<>());
        }
        for (int v = 0; v < n; v++) {
            for (int o : nodeOutputs[v]) {
                producer[o] = v;
            }
            for (int in : nodeInputs[v]) {
                if (!cons.get(in).contains(v)) {
                    cons.get(in).add(v);
                }
            }
        }
        consumers = new int[t][];
        for (int i = 0; i < t; i++) {
            consumers[i] = cons.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        inputs = b.inputs.stream().mapToInt(Integer::intValue).toArray();
        outputs = b.outputs.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Returns the power the device draws, besides its radio, while it sends or receives: the core is
     * awake feeding the link (0 unless the builder set it).
     *
     * @return milliwatts
     */
    public double transferPowerMw() {
        return transferPowerMw;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the number of nodes */
    public int nodeCount() {
        return nodeNames.length;
    }

    /** @return the number of tensors */
    public int tensorCount() {
        return tensorNames.length;
    }

    /**
     * Returns its name.
     *
     * @param v a node
     * @return its name
     */
    public String nodeName(int v) {
        return nodeNames[v];
    }

    /**
     * Returns its estimated or measured run time on the device, in milliseconds.
     *
     * @param v a node
     * @return its estimated or measured run time on the device, in milliseconds
     */
    public double deviceMs(int v) {
        return deviceMs[v];
    }

    /**
     * Returns its device energy, in microjoules.
     *
     * @param v a node
     * @return its device energy, in microjoules
     */
    public double deviceUj(int v) {
        return deviceUj[v];
    }

    /**
     * Returns its measured run time on the edge, in milliseconds.
     *
     * @param v a node
     * @return its measured run time on the edge, in milliseconds
     */
    public double edgeMs(int v) {
        return edgeMs[v];
    }

    /**
     * Returns a copy of the tensors it reads.
     *
     * @param v a node
     * @return a copy of the tensors it reads
     */
    public int[] nodeInputs(int v) {
        return nodeInputs[v].clone();
    }

    /**
     * Returns a copy of the tensors it writes.
     *
     * @param v a node
     * @return a copy of the tensors it writes
     */
    public int[] nodeOutputs(int v) {
        return nodeOutputs[v].clone();
    }

    /**
     * Returns its name.
     *
     * @param t a tensor
     * @return its name
     */
    public String tensorName(int t) {
        return tensorNames[t];
    }

    /**
     * Returns its size in the wire format, in bytes.
     *
     * @param t a tensor
     * @return its size in the wire format, in bytes
     */
    public long tensorBytes(int t) {
        return tensorBytes[t];
    }

    /**
     * Returns the node writing it, or -1 for a graph input.
     *
     * @param t a tensor
     * @return the node writing it, or -1 for a graph input
     */
    public int producer(int t) {
        return producer[t];
    }

    /**
     * Returns a copy of the nodes reading it, ascending.
     *
     * @param t a tensor
     * @return a copy of the nodes reading it, ascending
     */
    public int[] consumers(int t) {
        return consumers[t].clone();
    }

    /** @return a copy of the graph input tensors */
    public int[] inputs() {
        return inputs.clone();
    }

    /** @return a copy of the graph output tensors */
    public int[] outputs() {
        return outputs.clone();
    }

    int[] consumersView(int t) {
        return consumers[t];
    }

    int[] inputsView(int v) {
        return nodeInputs[v];
    }

    int[] outputsView(int v) {
        return nodeOutputs[v];
    }

    /**
     * Builds a {@link CostGraph}: tensors first, then nodes in topological order. Not thread-safe.
     */
    public static final class Builder {
        private final List<String> nodeNames = new ArrayList<>();
        private final List<Double> deviceMs = new ArrayList<>();
        private final List<Double> deviceUj = new ArrayList<>();
        private final List<Double> edgeMs = new ArrayList<>();
        private final List<int[]> nodeInputs = new ArrayList<>();
        private final List<int[]> nodeOutputs = new ArrayList<>();
        private final List<String> tensorNames = new ArrayList<>();
        private final List<Long> tensorBytes = new ArrayList<>();
        private final List<Integer> inputs = new ArrayList<>();
        private final List<Integer> outputs = new ArrayList<>();
        private final List<Boolean> written = new ArrayList<>();
        private double transferPowerMw;

        private Builder() {
        }

        /**
         * Sets the power the device draws besides its radio while a transfer is in progress (its core
         * awake feeding the link); default 0.
         *
         * @param mw milliwatts, at least 0
         * @return this builder
         * @throws IllegalArgumentException if negative or not finite
         */
        public Builder optTransferPowerMw(double mw) {
            if (!(mw >= 0) || Double.isInfinite(mw)) {
                throw new IllegalArgumentException("expected a transfer power >= 0, found " + mw);
            }
            transferPowerMw = mw;
            return this;
        }

        /**
         * Adds a tensor that a node will write.
         *
         * @param name the name
         * @param wireBytes its size on the wire
         * @return its index
         * @throws IllegalArgumentException if the size is negative
         */
        public int addTensor(String name, long wireBytes) {
            if (wireBytes < 0) {
                throw new IllegalArgumentException("expected a tensor size >= 0, found " + wireBytes + " for '" + name + "'");
            }
            tensorNames.add(Objects.requireNonNull(name, "name"));
            tensorBytes.add(wireBytes);
            written.add(false);
            return tensorNames.size() - 1;
        }

        /**
         * Adds a graph input tensor.
         *
         * @param name the name
         * @param wireBytes its size on the wire
         * @return its index
         */
        public int addInput(String name, long wireBytes) {
            int t = addTensor(name, wireBytes);
            inputs.add(t);
            written.set(t, true);
            return t;
        }

        /**
         * Adds a node; its inputs must already be written (graph inputs or outputs of earlier nodes).
         *
         * @param name the name
         * @param devMs device milliseconds
         * @param devUj device microjoules
         * @param edge edge milliseconds
         * @param in tensors read
         * @param out tensors written (at least one, not yet written)
         * @return the node index
         * @throws IllegalArgumentException if the order is not topological, a tensor is written twice,
         *     or a cost is negative or not finite
         */
        public int addNode(String name, double devMs, double devUj, double edge, int[] in, int[] out) {
            for (double c : new double[] {devMs, devUj, edge}) {
                if (!(c >= 0) || Double.isInfinite(c)) {
                    throw new IllegalArgumentException("expected finite costs >= 0 for node '" + name + "', found " + c);
                }
            }
            if (out.length == 0) {
                throw new IllegalArgumentException("expected at least one output for node '" + name + "', found none");
            }
            for (int t : in) {
                check(t);
                if (!written.get(t)) {
                    throw new IllegalArgumentException("node '" + name + "' reads tensor '" + tensorNames.get(t)
                            + "' before any node writes it: nodes must be added in topological order");
                }
            }
            for (int t : out) {
                check(t);
                if (written.get(t)) {
                    throw new IllegalArgumentException("node '" + name + "' writes tensor '" + tensorNames.get(t)
                            + "' that is already written");
                }
                written.set(t, true);
            }
            nodeNames.add(name);
            deviceMs.add(devMs);
            deviceUj.add(devUj);
            edgeMs.add(edge);
            nodeInputs.add(in.clone());
            nodeOutputs.add(out.clone());
            return nodeNames.size() - 1;
        }

        /**
         * Marks a tensor as a graph output (delivered to the device, which asked for the inference).
         *
         * @param t the tensor
         * @return this builder
         */
        public Builder markOutput(int t) {
            check(t);
            outputs.add(t);
            return this;
        }

        private void check(int t) {
            if (t < 0 || t >= tensorNames.size()) {
                throw new IllegalArgumentException("expected a tensor index in [0, " + tensorNames.size() + "), found " + t);
            }
        }

        /**
         * Builds the graph.
         *
         * @return the graph
         * @throws IllegalArgumentException if there is no output, or an output is never written
         */
        public CostGraph build() {
            if (outputs.isEmpty()) {
                throw new IllegalArgumentException("expected at least one graph output, found none");
            }
            for (int t : outputs) {
                if (!written.get(t)) {
                    throw new IllegalArgumentException("graph output '" + tensorNames.get(t) + "' is never written");
                }
            }
            return new CostGraph(this);
        }
    }
}
