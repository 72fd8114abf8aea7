package io.tinyml.nas;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link CandidateExecutor} on a fixed pool of local daemon threads. With one thread, tasks run on
 * the caller's thread. Thread-safe; close it to stop its threads.
 */
public final class LocalExecutor implements CandidateExecutor {
    private final int threads;
    private final ExecutorService pool;
    private volatile boolean closed;

    /**
     * Creates the executor.
     *
     * @param threads worker threads (1 = the caller's thread)
     * @throws IllegalArgumentException if threads is below 1
     */
    public LocalExecutor(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("expected at least one thread, found " + threads);
        }
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tinyml-nas-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** @return the number of worker threads */
    public int threads() {
        return threads;
    }

    @Override
    public <T> List<T> runAll(List<? extends Callable<T>> tasks) throws ExecutionException, InterruptedException {
        if (closed) {
            throw new IllegalStateException("expected an open executor, found it closed");
        }
        List<T> out = new ArrayList<>(tasks.size());
        if (pool == null) {
            for (Callable<T> t : tasks) {
                try {
                    out.add(t.call());
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    throw new ExecutionException(e);
                }
            }
            return out;
        }
        List<Future<T>> fs = new ArrayList<>();
        for (Callable<T> t : tasks) {
            fs.add(pool.submit(t));
        }
        try {
            for (Future<T> f : fs) {
                out.add(f.get());
            }
        } finally {
            for (Future<T> f : fs) {
                f.cancel(true);
            }
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
