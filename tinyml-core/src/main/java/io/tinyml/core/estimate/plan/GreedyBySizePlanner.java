package io.tinyml.core.estimate.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * TFLM's greedy-by-size strategy (greedy_memory_planner.cc): take buffers from the largest to the
 * smallest; put each at the lowest offset where it overlaps no already placed buffer that is live at
 * a common step. O(n² log n). Stateless and thread-safe.
 */
public final class GreedyBySizePlanner implements MemoryPlanner {
    /** Creates the planner. */
    public GreedyBySizePlanner() {
    }

    @Override
    public String name() {
        return "greedy";
    }

    @Override
    public MemoryPlan plan(PlanProblem problem) {
        List<Buffer> order = problem.bySizeDescending();
        long[] offsets = new long[order.size()];
        List<Buffer> placed = new ArrayList<>(order.size());
        for (Buffer b : order) {
            offsets[b.id()] = firstFit(b, placed, offsets);
            insertByOffset(placed, b, offsets);
        }
        return new MemoryPlan(name(), problem, offsets, false);
    }

    /** Lowest offset for b among placed buffers sorted by offset. */
    static long firstFit(Buffer b, List<Buffer> placedByOffset, long[] offsets) {
        long candidate = 0;
        for (Buffer p : placedByOffset) {
            if (!p.overlapsInTime(b) || p.size() == 0) {
                continue;
            }
            long po = offsets[p.id()];
            if (po >= candidate + b.size()) {
                break; // the gap below p is large enough
            }
            candidate = Math.max(candidate, po + p.size());
        }
        return candidate;
    }

    static void insertByOffset(List<Buffer> placed, Buffer b, long[] offsets) {
        long o = offsets[b.id()];
        int i = placed.size();
        while (i > 0 && offsets[placed.get(i - 1).id()] > o) {
            i--;
        }
        placed.add(i, b);
    }
}
