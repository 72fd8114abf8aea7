package io.tinyml.core.estimate.plan;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;

import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Searches the execution order of a branchy graph for the smallest peak of simultaneously live
 * bytes — the lower bound every memory plan of that order must meet. Depth-first over topological
 * orders with branch and bound: a partial order whose running peak reaches the best known is cut,
 * and so is one reaching a set of executed nodes already reached with a peak at most as large
 * (what remains to run depends only on that set). Stops at the time budget with the best order
 * found, never worse than the graph's own order. Linear chains have a single order and return at
 * once. Live bytes are counted as in {@link PlanProblem} without in-place reuse: tensors from their
 * producer (graph inputs from the start) to their last consumer (graph outputs to the end), plus the
 * node's scratch, each rounded up to the alignment. Thread-safe: each call uses its own state.
 *
 * <pre>{@code
 * int[] order = new ExecutionOrderSearch(Duration.ofMillis(500), ProgressListener.NONE).bestOrder(graph, scratch, 16);
 * PlanProblem p = PlanProblem.of(graph, order, Estimator.defaultInPlace(kernels), scratch, 16);
 * }</pre>
 */
public final class ExecutionOrderSearch {
    private final long budgetNanos;
    private final long maxNodes;
    private final ProgressListener progress;

    /**
     * Creates the search, bounded by time only.
     *
     * @param budget the time budget
     * @param progress receives "execution order search" progress in milliseconds of the budget
     */
    public ExecutionOrderSearch(Duration budget, ProgressListener progress) {
        this(budget, Long.MAX_VALUE, progress);
    }

    /**
     * Creates the search, bounded by time and by the number of search nodes visited, whichever ends first. A node
     * budget makes the result independent of the machine's speed: the same graph gives the same order everywhere.
     *
     * @param budget the time budget
     * @param maxNodes the most search nodes to visit (positive)
     * @param progress receives "execution order search" progress in milliseconds of the budget
     */
    public ExecutionOrderSearch(Duration budget, long maxNodes, ProgressListener progress) {
        if (budget.isNegative()) {
            throw new IllegalArgumentException("expected a non-negative budget, found " + budget);
        }
        if (maxNodes <= 0) {
            throw new IllegalArgumentException("expected a positive node budget, found " + maxNodes);
        }
        this.budgetNanos = budget.toNanos();
        this.maxNodes = maxNodes;
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * Returns the peak live bytes of an order (the quantity this search minimises).
     *
     * @param g the graph
     * @param order a topological order of all nodes
     * @param scratch scratch bytes per node index, or null
     * @param alignment the alignment
     * @return the peak
     */
    public static long peakLiveBytes(Graph g, int[] order, long[] scratch, int alignment) {
        return PlanProblem.of(g, order, Set.of(), scratch, alignment).lowerBound();
    }

    /**
     * Finds a topological order with a small (within the budget, smallest) peak of live bytes.
     *
     * @param g the graph
     * @param scratch scratch bytes per node index, or null
     * @param alignment the alignment, a power of two
     * @return node indices in execution order
     */
    public int[] bestOrder(Graph g, long[] scratch, int alignment) {
        return new Search(g, scratch, alignment).run();
    }

    private final class Search {
        final Graph g;
        final int n;
        final long[] size;
        final long[] scratch;
        final int[] consumersLeft;
        final boolean[] isOutput;
        final int[] pendingInputs;
        final int[][] nodeInputs;
        final int[] order;
        final BitSet done;
        final Map<BitSet, Long> seen = new HashMap<>();
        final long start = System.nanoTime();
        int[] best;
        long bestPeak;
        long nodes;
        boolean timedOut;

        Search(Graph g, long[] scratch, int alignment) {
            this.g = g;
            this.n = g.nodes().size();
            int nt = g.tensors().size();
            this.size = new long[nt];
            for (int t = 0; t < nt; t++) {
                size[t] = g.tensor(t).isConstant() ? 0 : PlanProblem.align(g.tensor(t).byteSize(), alignment);
            }
            this.scratch = new long[n];
            for (int i = 0; i < n; i++) {
                this.scratch[i] = scratch == null ? 0 : PlanProblem.align(scratch[i], alignment);
            }
            this.isOutput = new boolean[nt];
            for (int o : g.outputs()) {
                isOutput[o] = true;
            }
            this.consumersLeft = new int[nt];
            this.pendingInputs = new int[n];
            this.nodeInputs = new int[n][];
            for (int i = 0; i < n; i++) {
                List<Integer> ins = g.node(i).inputs().stream().filter(t -> t != Node.ABSENT).distinct().toList();
                nodeInputs[i] = ins.stream().mapToInt(Integer::intValue).toArray();
                for (int t : nodeInputs[i]) {
                    consumersLeft[t]++;
                    if (g.producer(t) >= 0) {
                        pendingInputs[i]++;
                    }
                }
            }
            this.order = new int[n];
            this.done = new BitSet(n);
            int[] identity = new int[n];
            for (int i = 0; i < n; i++) {
                identity[i] = i;
            }
            this.best = identity;
            this.bestPeak = peakLiveBytes(g, identity, scratch, alignment);
        }

        int[] run() {
            long live = 0;
            for (int in : g.inputs()) {
                live += size[in];
            }
            dfs(0, live, live);
            progress.progress("execution order search", (System.nanoTime() - start) / 1_000_000,
                    budgetNanos / 1_000_000);
            return best.clone();
        }

        private void dfs(int depth, long live, long peak) {
            if (depth == n) {
                if (peak < bestPeak) {
                    bestPeak = peak;
                    best = order.clone();
                }
                return;
            }
            if (++nodes > maxNodes || (nodes & 0xff) == 0 && System.nanoTime() - start > budgetNanos) {
                timedOut = true;
            }
            if (timedOut) {
                return;
            }
            Long prior = seen.get(done);
            if (prior != null && prior <= peak) {
                return;
            }
            seen.put((BitSet) done.clone(), peak);
            for (int v = 0; v < n && !timedOut; v++) {
                if (done.get(v) || pendingInputs[v] > 0) {
                    continue;
                }
                Node node = g.node(v);
                long outs = 0;
                for (int o : node.outputs()) {
                    outs += size[o];
                }
                long during = live + outs + scratch[v];
                long np = Math.max(peak, during);
                if (np >= bestPeak) {
                    continue;
                }
                // run v
                long after = live + outs;
                for (int t : nodeInputs[v]) {
                    if (--consumersLeft[t] == 0 && !isOutput[t]) {
                        after -= size[t];
                    }
                }
                for (int o : node.outputs()) {
                    if (g.consumers(o).isEmpty() && !isOutput[o]) {
                        after -= size[o];
                    }
                    for (int c : g.consumers(o)) {
                        pendingInputs[c]--;
                    }
                }
                done.set(v);
                order[depth] = v;
                dfs(depth + 1, after, np);
                done.clear(v);
                for (int o : node.outputs()) {
                    for (int c : g.consumers(o)) {
                        pendingInputs[c]++;
                    }
                }
                for (int t : nodeInputs[v]) {
                    consumersLeft[t]++;
                }
            }
        }
    }
}
