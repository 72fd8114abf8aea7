package io.tinyml.core.runtime.internal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the contiguous slices of a range of work items on several threads: slice 0 on the calling
 * thread, the others on threads started for the call and joined before it returns. The first
 * failure of any slice is rethrown on the calling thread (the others' are attached as suppressed).
 */
public final class Parallel {
    private Parallel() {
    }

    /** The work of one slice. */
    @FunctionalInterface
    public interface Slice {
        /**
         * Processes items {@code from} (inclusive) to {@code to} (exclusive).
         *
         * @param worker the slice's index, 0 to threads - 1
         * @param from the first item
         * @param to one past the last item
         */
        void run(int worker, int from, int to);
    }

    /**
     * Cuts {@code n} items into {@code threads} contiguous slices of nearly equal size and runs them
     * concurrently.
     *
     * @param n the number of items
     * @param threads the number of slices and threads, at least 1
     * @param slice the work
     * @throws IllegalArgumentException if {@code threads < 1}
     * @throws RuntimeException the first exception a slice threw (an {@link Error} is rethrown as is)
     */
    public static void forEachSlice(int n, int threads, Slice slice) {
        if (threads < 1) {
            throw new IllegalArgumentException("expected at least 1 thread, found " + threads);
        }
        if (threads == 1) {
            slice.run(0, 0, n);
            return;
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] started = new Thread[threads - 1];
        for (int w = 1; w < threads; w++) {
            int worker = w;
            started[w - 1] = new Thread(() -> {
                try {
                    slice.run(worker, start(n, threads, worker), start(n, threads, worker + 1));
                } catch (Throwable e) {
                    record(failure, e);
                }
            }, "tinyml-worker-" + w);
            started[w - 1].setDaemon(true);
            started[w - 1].start();
        }
        try {
            slice.run(0, 0, start(n, threads, 1));
        } catch (Throwable e) {
            record(failure, e);
        }
        boolean interrupted = false;
        for (Thread t : started) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException("expected the slices to complete, found " + e, e);
        }
    }

    /** The first item of slice {@code w} of {@code threads} over {@code n} items. */
    private static int start(int n, int threads, int w) {
        return (int) ((long) n * w / threads);
    }

    private static void record(AtomicReference<Throwable> failure, Throwable e) {
        if (!failure.compareAndSet(null, e)) {
            failure.get().addSuppressed(e);
        }
    }
}
