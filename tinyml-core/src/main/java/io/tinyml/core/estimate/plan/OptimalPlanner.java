package io.tinyml.core.estimate.plan;

import io.tinyml.core.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Exact memory planning by branch and bound, within a time budget, falling back to the best plan
 * found (never worse than {@link GreedyBySizePlanner}, which seeds it).
 *
 * <p>The algorithm: any placement order of the buffers, each put at its lowest feasible offset
 * (first fit), gives a valid plan, and some order gives an optimal one — sort an optimal plan's
 * buffers by offset and place them in that order: by induction every buffer lands at or below its
 * optimal offset, because the buffers placed before it end at or below where they ended in the
 * optimal plan. Repeating that (sort by offset, replay first fit) can only lower offsets, so it
 * reaches an optimal plan that replays onto itself, in which offsets never decrease along the
 * placement order. So the search enumerates placement orders depth-first, largest buffers first, and
 * prunes (1) any partial plan whose peak already reaches the best known, (2) any order in which a
 * first-fit offset is below the previous one, and (3) of buffers landing at the same offset (their
 * lifetimes are then disjoint, so their order does not matter) every order but the canonical one. It stops at once when a plan meets the lower
 * bound (the largest number of simultaneously live bytes). Exact for graphs up to a few hundred
 * tensors whose search closes within the budget; otherwise the result says it is not proven optimal.
 *
 * <p>Reports progress (explored search nodes, elapsed/budget milliseconds) through a
 * {@link ProgressListener}. Thread-safe: each call to {@link #plan} uses its own state.
 *
 * <pre>{@code
 * MemoryPlan p = new OptimalPlanner(Duration.ofSeconds(2), (task, done, total) -> {}).plan(problem);
 * }</pre>
 */
public final class OptimalPlanner implements MemoryPlanner {
    private static final Logger log = LoggerFactory.getLogger(OptimalPlanner.class);

    private final long budgetNanos;
    private final long maxNodes;
    private final ProgressListener progress;

    /** Creates the planner with a one-second budget and no progress reports. */
    public OptimalPlanner() {
        this(Duration.ofSeconds(1), ProgressListener.NONE);
    }

    /**
     * Creates the planner.
     *
     * @param budget the time budget; the best plan found is returned when it runs out
     * @param progress receives "optimal memory plan" progress in milliseconds of the budget
     */
    public OptimalPlanner(Duration budget, ProgressListener progress) {
        this(budget, Long.MAX_VALUE, progress);
    }

    /**
     * Creates the planner bounded by time and by the number of search nodes, whichever ends first. A node budget
     * makes the plan independent of the machine's speed: the same problem gives the same plan everywhere.
     *
     * @param budget the time budget; the best plan found is returned when it runs out
     * @param maxNodes the most search nodes to visit (positive)
     * @param progress receives "optimal memory plan" progress in milliseconds of the budget
     */
    public OptimalPlanner(Duration budget, long maxNodes, ProgressListener progress) {
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

    @Override
    public String name() {
        return "optimal";
    }

    @Override
    public MemoryPlan plan(PlanProblem problem) {
        MemoryPlan seed = new GreedyBySizePlanner().plan(problem);
        if (seed.peak() == problem.lowerBound()) {
            return new MemoryPlan(name(), problem, seed.offsets(), true);
        }
        Search s = new Search(problem, seed, budgetNanos, maxNodes, progress);
        boolean complete = s.run();
        log.debug("optimal planner: {} nodes, peak {} (greedy {}, lower bound {}), complete={}", s.nodes, s.best,
                seed.peak(), problem.lowerBound(), complete);
        return new MemoryPlan(name(), problem, s.bestOffsets, complete);
    }

    private static final class Search {
        final List<Buffer> order;
        final int n;
        final long lowerBound;
        final long deadline;
        final long budget;
        final long maxNodes;
        final long start;
        final ProgressListener progress;
        final boolean[] used;
        final long[] offsets;
        final List<Buffer> placed;
        long best;
        long[] bestOffsets;
        long nodes;
        boolean timedOut;

        Search(PlanProblem p, MemoryPlan seed, long budget, long maxNodes, ProgressListener progress) {
            this.maxNodes = maxNodes;
            this.order = p.bySizeDescending();
            this.n = order.size();
            this.lowerBound = p.lowerBound();
            this.start = System.nanoTime();
            this.budget = budget;
            this.deadline = start + budget;
            this.progress = progress;
            this.used = new boolean[n];
            this.offsets = new long[n];
            this.placed = new ArrayList<>(n);
            this.best = seed.peak();
            this.bestOffsets = seed.offsets();
        }

        boolean run() {
            dfs(0, 0, -1, 0);
            progress.progress("optimal memory plan", (System.nanoTime() - start) / 1_000_000, budget / 1_000_000);
            return !timedOut;
        }

        private boolean done() {
            return timedOut || best == lowerBound;
        }

        private void dfs(int depth, long peak, int prevRank, long lastOffset) {
            if (depth == n) {
                if (peak < best) {
                    best = peak;
                    bestOffsets = offsets.clone();
                }
                return;
            }
            if (++nodes > maxNodes) {
                timedOut = true;
                return;
            }
            if ((nodes & 0x3ff) == 0) {
                long now = System.nanoTime();
                if (now > deadline) {
                    timedOut = true;
                    return;
                }
                if ((nodes & 0xfffff) == 0) {
                    progress.progress("optimal memory plan", (now - start) / 1_000_000, budget / 1_000_000);
                }
            }
            for (int r = 0; r < n && !done(); r++) {
                if (used[r]) {
                    continue;
                }
                Buffer b = order.get(r);
                long off = GreedyBySizePlanner.firstFit(b, placed, offsets);
                if (off < lastOffset || (off == lastOffset && r < prevRank)) {
                    continue; // not a canonical order: the same plan is reached in one
                }
                long np = Math.max(peak, off + b.size());
                if (np >= best) {
                    continue;
                }
                used[r] = true;
                offsets[b.id()] = off;
                GreedyBySizePlanner.insertByOffset(placed, b, offsets);
                dfs(depth + 1, np, r, off);
                placed.remove(b);
                used[r] = false;
            }
        }
    }
}
