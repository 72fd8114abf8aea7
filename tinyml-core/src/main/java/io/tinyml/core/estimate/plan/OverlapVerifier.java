package io.tinyml.core.estimate.plan;

import java.util.List;

/**
 * Checks a plan independently of the planner that made it: every pair of buffers live at a common
 * step must occupy disjoint byte ranges, and every offset must be aligned and non-negative. A plain
 * pairwise comparison, deliberately sharing no code with the planners. Thread-safe (stateless).
 */
public final class OverlapVerifier {
    private OverlapVerifier() {
    }

    /**
     * Verifies a plan.
     *
     * @param plan the plan
     * @throws IllegalStateException naming the first two overlapping buffers
     */
    public static void verify(MemoryPlan plan) {
        List<Buffer> bs = plan.problem().buffers();
        int align = plan.problem().alignment();
        for (int i = 0; i < bs.size(); i++) {
            Buffer a = bs.get(i);
            long ao = plan.offset(a.id());
            if (ao < 0 || ao % align != 0) {
                throw new IllegalStateException("expected a non-negative offset aligned to " + align
                        + " for buffer '" + a.name() + "', found " + ao);
            }
            for (int j = i + 1; j < bs.size(); j++) {
                Buffer b = bs.get(j);
                boolean together = a.first() <= b.last() && b.first() <= a.last();
                if (!together || a.size() == 0 || b.size() == 0) {
                    continue;
                }
                long bo = plan.offset(b.id());
                if (ao < bo + b.size() && bo < ao + a.size()) {
                    throw new IllegalStateException("expected disjoint memory for buffers live together, found '"
                            + a.name() + "' [" + ao + ", " + (ao + a.size()) + ") and '" + b.name() + "' [" + bo
                            + ", " + (bo + b.size()) + ") both live at step " + Math.max(a.first(), b.first()));
                }
            }
        }
    }
}
