package io.tinyml.core.estimate.plan;

import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a memory planner places: buffers with sizes and lifetimes over the steps of an execution
 * order. Built from a graph ({@link #of}) or directly from buffers ({@link #ofBuffers}, for tests and
 * callers with their own graphs). Immutable and thread-safe.
 *
 * <p>From a graph: every non-constant tensor is a buffer live from the step of its producer (step 0
 * for graph inputs) to the step of its last consumer (the last step for graph outputs); tensors that
 * share storage in place ({@link InPlace}) become one buffer whose lifetime is the union and whose
 * size is the largest; a node's scratch bytes become a buffer live at its step only. Sizes are
 * rounded up to the alignment (TFLM aligns every arena buffer to 16 bytes, {@code kBufferAlignment}
 * in micro_allocator.cc).
 *
 * <pre>{@code
 * PlanProblem p = PlanProblem.of(graph, EnumSet.of(InPlace.RESHAPE_ALIAS), null, 16);
 * MemoryPlan plan = new GreedyBySizePlanner().plan(p);
 * }</pre>
 */
public final class PlanProblem {
    /** TFLM's arena buffer alignment in bytes. */
    public static final int DEFAULT_ALIGNMENT = 16;

    private final List<Buffer> buffers;
    private final int steps;
    private final int alignment;
    private final int[] tensorBuffer;
    private final int[] nodeScratch;
    private final int[] order;
    private final long[] live;
    private final long lowerBound;

    private PlanProblem(List<Buffer> buffers, int steps, int alignment, int[] tensorBuffer, int[] nodeScratch,
                        int[] order) {
        this.buffers = List.copyOf(buffers);
        this.steps = steps;
        this.alignment = alignment;
        this.tensorBuffer = tensorBuffer;
        this.nodeScratch = nodeScratch;
        this.order = order;
        this.live = new long[Math.max(steps, 1)];
        for (Buffer b : buffers) {
            if (b.last() >= live.length) {
                throw new IllegalArgumentException("expected lifetimes within " + steps + " steps, found buffer '"
                        + b.name() + "' live until step " + b.last());
            }
            for (int s = b.first(); s <= b.last(); s++) {
                live[s] += b.size();
            }
        }
        long lb = 0;
        for (long v : live) {
            lb = Math.max(lb, v);
        }
        this.lowerBound = lb;
    }

    /**
     * Builds the problem for a graph in its own node order.
     *
     * @param graph the graph
     * @param inPlace the in-place reuse to apply
     * @param scratchBytes scratch bytes per node index (null for none)
     * @param alignment buffer alignment in bytes, a power of two
     * @return the problem
     */
    public static PlanProblem of(Graph graph, Set<InPlace> inPlace, long[] scratchBytes, int alignment) {
        int[] order = new int[graph.nodes().size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return of(graph, order, inPlace, scratchBytes, alignment);
    }

    /**
     * Builds the problem for a graph in a given execution order.
     *
     * @param graph the graph
     * @param order node indices in execution order, a topological order of the graph
     * @param inPlace the in-place reuse to apply
     * @param scratchBytes scratch bytes per node index (null for none)
     * @param alignment buffer alignment in bytes, a power of two
     * @return the problem
     * @throws IllegalArgumentException if the order is not a topological order of all nodes
     */
    public static PlanProblem of(Graph graph, int[] order, Set<InPlace> inPlace, long[] scratchBytes, int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("expected a power-of-two alignment, found " + alignment);
        }
        int n = graph.nodes().size();
        int nt = graph.tensors().size();
        int[] pos = checkOrder(graph, order);
        int steps = Math.max(n, 1);
        int[] first = new int[nt];
        int[] last = new int[nt];
        Arrays.fill(first, -1);
        Arrays.fill(last, -1);
        for (int in : graph.inputs()) {
            first[in] = 0;
            last[in] = 0;
        }
        for (int s = 0; s < n; s++) {
            Node node = graph.node(order[s]);
            for (int o : node.outputs()) {
                if (first[o] < 0) {
                    first[o] = s;
                }
                last[o] = Math.max(last[o], s);
            }
            for (int in : node.inputs()) {
                if (in != Node.ABSENT && !graph.tensor(in).isConstant()) {
                    if (first[in] < 0) {
                        first[in] = 0;
                    }
                    last[in] = Math.max(last[in], s);
                }
            }
        }
        for (int out : graph.outputs()) {
            if (!graph.tensor(out).isConstant()) {
                last[out] = steps - 1;
                if (first[out] < 0) {
                    first[out] = 0;
                }
            }
        }
        // union-find over tensors sharing storage
        int[] parent = new int[nt];
        for (int i = 0; i < nt; i++) {
            parent[i] = i;
        }
        long[] gSize = new long[nt];
        int[] gFirst = first.clone();
        int[] gLast = last.clone();
        for (int t = 0; t < nt; t++) {
            gSize[t] = graph.tensor(t).isConstant() ? 0 : graph.tensor(t).byteSize();
        }
        Set<Integer> outputs = Set.copyOf(graph.outputs());
        long[] scratch = scratchBytes == null ? new long[n] : scratchBytes.clone();
        for (int s = 0; s < n; s++) {
            Node node = graph.node(order[s]);
            int in = node.input(0);
            if (in == Node.ABSENT || graph.tensor(in).isConstant() || node.outputs().size() != 1) {
                continue;
            }
            int out = node.output(0);
            if (first[out] < 0) {
                continue;
            }
            int root = find(parent, in);
            long outBytes = graph.tensor(out).byteSize();
            boolean inputDiesHere = gLast[root] == s && !containsOutput(parent, root, outputs, nt);
            boolean alias = false;
            OpKind k = node.op().kind();
            if (k == OpKind.RESHAPE && inPlace.contains(InPlace.RESHAPE_ALIAS)) {
                alias = true;
            } else if (inPlace.contains(InPlace.ELEMENTWISE) && isElementwise(k)
                    && graph.tensor(in).type().byteSize() >= graph.tensor(out).type().byteSize()
                    && outBytes <= gSize[root] && inputDiesHere && !graph.inputs().contains(in)) {
                alias = true;
            } else if (k == OpKind.DEPTHWISE_CONV_2D && inPlace.contains(InPlace.DEPTHWISE)
                    && ((Op.DepthwiseConv2D) node.op()).depthMultiplier() == 1 && outBytes <= gSize[root]
                    && inputDiesHere && !graph.inputs().contains(in)) {
                alias = true;
                var shape = graph.tensor(out).shape();
                long tmp = (long) shape.dim(1) * shape.dim(2) * graph.tensor(out).type().byteSize();
                scratch[order[s]] = Math.max(scratch[order[s]], tmp);
            }
            if (alias) {
                int ro = find(parent, out);
                parent[ro] = root;
                gSize[root] = Math.max(gSize[root], gSize[ro]);
                gFirst[root] = Math.min(gFirst[root], gFirst[ro]);
                gLast[root] = Math.max(gLast[root], gLast[ro]);
            }
        }
        List<Buffer> buffers = new ArrayList<>();
        int[] tensorBuffer = new int[nt];
        Arrays.fill(tensorBuffer, -1);
        int[] rootBuffer = new int[nt];
        Arrays.fill(rootBuffer, -1);
        String[] names = new String[nt];
        for (int t = 0; t < nt; t++) {
            if (first[t] < 0 || graph.tensor(t).isConstant()) {
                continue;
            }
            int r = find(parent, t);
            names[r] = names[r] == null ? graph.tensor(t).name() : names[r] + "=" + graph.tensor(t).name();
        }
        for (int t = 0; t < nt; t++) {
            if (first[t] < 0 || graph.tensor(t).isConstant()) {
                continue;
            }
            int r = find(parent, t);
            if (rootBuffer[r] < 0) {
                rootBuffer[r] = buffers.size();
                buffers.add(new Buffer(buffers.size(), names[r], align(gSize[r], alignment), gFirst[r], gLast[r]));
            }
            tensorBuffer[t] = rootBuffer[r];
        }
        int[] nodeScratch = new int[n];
        Arrays.fill(nodeScratch, -1);
        for (int s = 0; s < n; s++) {
            long bytes = scratch[order[s]];
            if (bytes > 0) {
                nodeScratch[order[s]] = buffers.size();
                buffers.add(new Buffer(buffers.size(), "scratch:" + graph.node(order[s]).name(), align(bytes, alignment),
                        s, s));
            }
        }
        return new PlanProblem(buffers, steps, alignment, tensorBuffer, nodeScratch, order.clone());
    }

    /**
     * Builds a problem directly from sizes and lifetimes (no graph).
     *
     * @param sizes buffer sizes in bytes (rounded up to the alignment)
     * @param first first live step per buffer
     * @param last last live step per buffer
     * @param alignment the alignment, a power of two
     * @return the problem
     */
    public static PlanProblem ofBuffers(long[] sizes, int[] first, int[] last, int alignment) {
        if (sizes.length != first.length || sizes.length != last.length) {
            throw new IllegalArgumentException("expected as many lifetimes as sizes, found " + sizes.length + ", "
                    + first.length + ", " + last.length);
        }
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("expected a power-of-two alignment, found " + alignment);
        }
        List<Buffer> bs = new ArrayList<>();
        int steps = 1;
        for (int i = 0; i < sizes.length; i++) {
            bs.add(new Buffer(i, "b" + i, align(sizes[i], alignment), first[i], last[i]));
            steps = Math.max(steps, last[i] + 1);
        }
        return new PlanProblem(bs, steps, alignment, new int[0], new int[0], new int[0]);
    }

    private static boolean containsOutput(int[] parent, int root, Set<Integer> outputs, int nt) {
        for (int o : outputs) {
            if (o < nt && find(parent, o) == root) {
                return true;
            }
        }
        return false;
    }

    private static boolean isElementwise(OpKind k) {
        return switch (k) {
            case RELU, RELU6, CLIP, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, ADD, SUB, MUL, QUANTIZE -> true;
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, RESHAPE,
                    CONCATENATION, PAD, SOFTMAX, DEQUANTIZE, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL -> false;
        };
    }

    private static int find(int[] parent, int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    private static int[] checkOrder(Graph graph, int[] order) {
        int n = graph.nodes().size();
        if (order.length != n) {
            throw new IllegalArgumentException("expected an order of " + n + " nodes, found " + order.length);
        }
        int[] pos = new int[n];
        Arrays.fill(pos, -1);
        for (int s = 0; s < n; s++) {
            if (order[s] < 0 || order[s] >= n || pos[order[s]] >= 0) {
                throw new IllegalArgumentException("expected a permutation of node indices, found " + Arrays.toString(order));
            }
            pos[order[s]] = s;
        }
        for (int s = 0; s < n; s++) {
            for (int in : graph.node(order[s]).inputs()) {
                if (in != Node.ABSENT) {
                    int p = graph.producer(in);
                    if (p >= 0 && pos[p] > s) {
                        throw new IllegalArgumentException("expected a topological order, found node '"
                                + graph.node(order[s]).name() + "' at step " + s + " before its producer '"
                                + graph.node(p).name() + "' at step " + pos[p]);
                    }
                }
            }
        }
        return pos;
    }

    static long align(long v, int alignment) {
        return (v + alignment - 1) & -(long) alignment;
    }

    /** @return the buffers, indexed by id */
    public List<Buffer> buffers() {
        return buffers;
    }

    /** @return the number of execution steps */
    public int steps() {
        return steps;
    }

    /** @return the alignment in bytes */
    public int alignment() {
        return alignment;
    }

    /** @return the execution order (node indices), empty for problems built from buffers */
    public int[] order() {
        return order.clone();
    }

    /**
     * Returns the buffer holding a tensor.
     *
     * @param tensor the tensor index
     * @return the buffer id, or -1 for constants and unused tensors
     */
    public int bufferOfTensor(int tensor) {
        return tensor < tensorBuffer.length ? tensorBuffer[tensor] : -1;
    }

    /**
     * Returns the scratch buffer of a node.
     *
     * @param node the node index
     * @return the buffer id, or -1 if the node has none
     */
    public int scratchOfNode(int node) {
        return node < nodeScratch.length ? nodeScratch[node] : -1;
    }

    /**
     * Returns the bytes live at a step (sum of the sizes of buffers live then).
     *
     * @param step the step
     * @return the bytes
     */
    public long liveBytes(int step) {
        return live[step];
    }

    /** @return the largest number of simultaneously live bytes: no plan can have a smaller peak */
    public long lowerBound() {
        return lowerBound;
    }

    /** @return the buffers sorted by size descending, then first use, then id */
    List<Buffer> bySizeDescending() {
        List<Buffer> l = new ArrayList<>(buffers);
        l.sort((a, b) -> a.size() != b.size() ? Long.compare(b.size(), a.size())
                : a.first() != b.first() ? Integer.compare(a.first(), b.first()) : Integer.compare(a.id(), b.id()));
        return Collections.unmodifiableList(l);
    }

    /** @return the default in-place set for TFLM-like kernels: reshape aliasing only */
    public static Set<InPlace> reshapeOnly() {
        return EnumSet.of(InPlace.RESHAPE_ALIAS);
    }

    @Override
    public String toString() {
        return "PlanProblem{" + buffers.size() + " buffers, " + steps + " steps, lower bound " + lowerBound + "}";
    }
}
