package io.tinyml.core.testing;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a reader on hostile input for fuzz tests: on one worker thread, counting the bytes the read
 * allocates (the JVM's per-thread allocation counter), classifying the outcome. A read must succeed or
 * end in MalformedModelException (with a message), UnsupportedOperatorException (naming the operator)
 * or, where allowed, IOException, and must allocate at most the byte budget; anything else fails the
 * test with the label. Work is counted in bytes, not time, so a loaded machine cannot make it flake;
 * runaway loops are bounded by the readers' own work budgets.
 */
public final class GuardedReader implements AutoCloseable {
    /** How a guarded read ended. */
    public enum Outcome { OK, MALFORMED, UNSUPPORTED, IO }

    /** One read of one input. */
    @FunctionalInterface
    public interface Read {
        /**
         * Reads.
         *
         * @throws Exception whatever the reader throws
         */
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final ExecutorService worker;
    private final long maxAllocatedBytes;
    private final boolean ioAllowed;
    private volatile long mostAllocated;

    /**
     * Starts the worker thread.
     *
     * @param threadName the worker's name
     * @param maxAllocatedBytes the most bytes a single read may allocate
     * @param ioAllowed whether an IOException is an acceptable outcome
     */
    public GuardedReader(String threadName, long maxAllocatedBytes, boolean ioAllowed) {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("expected a JVM that counts allocated bytes per thread, found none");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.maxAllocatedBytes = maxAllocatedBytes;
        this.ioAllowed = ioAllowed;
    }

    /**
     * Runs one read on the worker.
     *
     * @param read the read
     * @param label names the input in failure messages (seed, mutant number)
     * @return how it ended
     * @throws InterruptedException if the test thread is interrupted
     */
    public Outcome read(Read read, String label) throws InterruptedException {
        Future<Outcome> f = worker.submit(() -> {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                read.run();
                return Outcome.OK;
            } catch (MalformedModelException e) {
                assertNotNull(e.getMessage(), label + ": malformed without a message");
                return Outcome.MALFORMED;
            } catch (UnsupportedOperatorException e) {
                assertNotNull(e.operator(), label + ": unsupported without an operator");
                return Outcome.UNSUPPORTED;
            } catch (IOException e) {
                if (!ioAllowed) {
                    throw e;
                }
                return Outcome.IO;
            } finally {
                long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
                mostAllocated = Math.max(mostAllocated, allocated);
                if (allocated > maxAllocatedBytes) {
                    fail(label + ": read allocated " + allocated + " bytes, expected at most " + maxAllocatedBytes);
                }
            }
        });
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new AssertionError(label + ": unexpected " + e.getCause(), e.getCause());
        }
    }

    /**
     * The most bytes one read has allocated so far.
     *
     * @return bytes
     */
    public long mostAllocatedBytes() {
        return mostAllocated;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
