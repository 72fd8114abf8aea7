package io.tinyml.core.estimate;

import io.tinyml.core.estimate.plan.GreedyBySizePlanner;
import io.tinyml.core.estimate.plan.InPlace;
import io.tinyml.core.estimate.plan.MemoryPlan;
import io.tinyml.core.estimate.plan.MemoryPlanner;
import io.tinyml.core.estimate.plan.OptimalPlanner;
import io.tinyml.core.estimate.plan.PlanProblem;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The RAM plan of tinyml-codegen's generated C, shared by the generator ({@code ModelEmitter}) and
 * the estimator ({@code --kernels generated}), so the arena the estimator predicts is the arena the
 * generated code declares, byte for byte.
 *
 * <p>What is planned: every activation buffer, and the im2col columns of the int8 convolutions that
 * the generator runs as matrix products ({@link #scratchBytes}: {@code pw_s8}, {@code conv_s8_mm},
 * {@code conv_s8_sparse}) as a scratch buffer live only at its node. In-place reuse
 * ({@link #IN_PLACE}): a reshape shares its input's bytes, and an element-wise operator (activation
 * tables, add/sub, quantize to an equal or narrower type) writes over its first input when the
 * planner proves that input dies there — safe for the generated kernels, which read element i before
 * writing element i and never read an element after writing a later one.
 *
 * <p>Four problems are planned — with and without the element-wise reuse, with the columns inside the
 * arena or as a separate static array (the layout before this class) — each by greedy-by-size and by
 * the branch-and-bound {@link OptimalPlanner} (seeded by greedy, bounded by {@link #SEARCH_NODES}
 * search nodes so the result does not depend on the machine's speed; skipped when greedy meets the
 * lower bound), and the smallest total (arena plus separate columns) is kept, the earlier candidate
 * on ties. So the generated RAM is never more
 * than the previous layout's. Stateless; each instance is immutable.
 */
public final class GeneratedArena {
    /** In-place reuse of the generated C. */
    public static final Set<InPlace> IN_PLACE = Set.copyOf(EnumSet.of(InPlace.RESHAPE_ALIAS, InPlace.ELEMENTWISE));
    /** The search nodes of the optimal planner per candidate (deterministic: the node budget ends the search). */
    static final long SEARCH_NODES = 20_000;
    /**
     * The RAM the columns inside the arena must save over a layout with a separate column array to be
     * chosen: each convolution then passes its own arena address (an add per call instead of one
     * shared symbol) and gcc no longer specialises the pointwise kernel for the one column array.
     * Measured on person_detect (arm-none-eabi-gcc 12.2, make size-m4): columns inside the arena save
     * 992 bytes of RAM and cost 128 bytes of flash (tm_pw_s8 1,172 -> 1,204 bytes, the inference
     * function +8, the moved activations' offsets the rest); ResNet-8 int8 saves 1,728 bytes.
     */
    static final long MIN_COLUMN_SAVING = 1_024;

    private final PlanProblem problem;
    private final MemoryPlan plan;
    private final long separateScratch;

    private GeneratedArena(PlanProblem problem, MemoryPlan plan, long separateScratch) {
        this.problem = problem;
        this.plan = plan;
        this.separateScratch = separateScratch;
    }

    /**
     * Bytes of the int16 im2col columns a node's generated kernel needs: two columns of the filter
     * row length rounded up to 4, for an int8 convolution that is not grouped; 0 otherwise.
     *
     * @param g the graph
     * @param n the node
     * @return bytes, non-negative
     */
    public static long scratchBytes(Graph g, Node n) {
        if (n.op().kind() != OpKind.CONV_2D || n.inputs().size() < 2) {
            return 0;
        }
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        if (x.type() != DataType.INT8 || y.type() != DataType.INT8 || w.shape().rank() != 4) {
            return 0;
        }
        ConvGeometry geo = ConvGeometry.of(g, n);
        if (w.shape().dim(3) != geo.inC()) {
            return 0;
        }
        long k = (long) geo.kH() * geo.kW() * geo.inC();
        long k4 = (k + 3) & ~3L;
        return 2 * 2 * k4;
    }

    /**
     * Plans the arena of a graph's generated C.
     *
     * @param g the graph
     * @return the plan
     */
    public static GeneratedArena plan(Graph g) {
        int n = g.nodes().size();
        long[] scratch = new long[n];
        long maxScratch = 0;
        for (int i = 0; i < n; i++) {
            scratch[i] = scratchBytes(g, g.node(i));
            maxScratch = Math.max(maxScratch, scratch[i]);
        }
        long separate = align(maxScratch);
        GeneratedArena best = null;
        MemoryPlanner optimal = new OptimalPlanner(Duration.ofMinutes(10), SEARCH_NODES,
                io.tinyml.core.ProgressListener.NONE);
        // the previous layout first, so it stays on ties
        for (Set<InPlace> inPlace : List.of(PlanProblem.reshapeOnly(), IN_PLACE)) {
            for (boolean inArena : new boolean[] {false, true}) {
                PlanProblem p = PlanProblem.of(g, inPlace, inArena ? scratch : null, PlanProblem.DEFAULT_ALIGNMENT);
                MemoryPlan greedy = new GreedyBySizePlanner().plan(p);
                // no search beats a plan that meets the lower bound
                MemoryPlan plan = greedy.peak() > p.lowerBound() ? optimal.plan(p) : greedy;
                GeneratedArena a = new GeneratedArena(p, plan, inArena ? 0 : separate);
                if (best == null || a.totalBytes() + (inArena && maxScratch > 0 ? MIN_COLUMN_SAVING : 0)
                        <= best.totalBytes() - 1) {
                    best = a;
                }
            }
        }
        return best;
    }

    private static long align(long bytes) {
        return (bytes + PlanProblem.DEFAULT_ALIGNMENT - 1) / PlanProblem.DEFAULT_ALIGNMENT
                * PlanProblem.DEFAULT_ALIGNMENT;
    }

    /** @return the planned problem (buffers of tensors and, when inside the arena, of the columns) */
    public PlanProblem problem() {
        return problem;
    }

    /** @return the offsets */
    public MemoryPlan plan() {
        return plan;
    }

    /** @return the arena bytes the generated C declares (at least 16) */
    public long arenaBytes() {
        return Math.max(16, plan.peak());
    }

    /** @return whether the im2col columns are planned inside the arena */
    public boolean scratchInArena() {
        return separateScratch == 0;
    }

    /** @return bytes of the separate column array (0 when the columns are inside the arena), a multiple of 16 */
    public long separateScratchBytes() {
        return separateScratch;
    }

    /** @return arena plus separate columns */
    public long totalBytes() {
        return arenaBytes() + separateScratch;
    }
}
