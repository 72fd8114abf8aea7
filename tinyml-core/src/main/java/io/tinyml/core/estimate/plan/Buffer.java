package io.tinyml.core.estimate.plan;

import java.util.Objects;

/**
 * One buffer to place in the arena: a size and an inclusive lifetime over execution steps.
 * Immutable and thread-safe.
 *
 * @param id the index of the buffer in its {@link PlanProblem}
 * @param name what it holds (tensor names joined by '=' when tensors share it in place, or a scratch name)
 * @param size bytes, already rounded up to the problem's alignment
 * @param first the first step (node index) at which it is live
 * @param last the last step at which it is live, {@code >= first}
 */
public record Buffer(int id, String name, long size, int first, int last) {
    /** Validates. */
    public Buffer {
        Objects.requireNonNull(name, "name");
        if (size < 0 || first < 0 || last < first) {
            throw new IllegalArgumentException("expected size >= 0 and 0 <= first <= last, found size " + size
                    + ", lifetime [" + first + ", " + last + "] for buffer '" + name + "'");
        }
    }

    /**
     * Tells whether two buffers are live at a common step.
     *
     * @param o the other buffer
     * @return true if the lifetimes intersect
     */
    public boolean overlapsInTime(Buffer o) {
        return first <= o.last && o.first <= last;
    }
}
