package io.tinyml.core.testing;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a reader on hostile input for fuzz tests: on one worker thread with a time limit, classifying
 * the outcome. A read must succeed or end in MalformedModelException (with a message),
 * UnsupportedOperatorException (naming the operator) or, where allowed, IOException; a timeout or
 * any other throwable fails the test with the label.
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

    private final ExecutorService worker;
    private final long timeoutMs;
    private final boolean ioAllowed;

    /**
     * Starts the worker thread.
     *
     * @param threadName the worker's name
     * @param timeoutMs the longest a single read may take
     * @param ioAllowed whether an IOException is an acceptable outcome
     */
    public GuardedReader(String threadName, long timeoutMs, boolean ioAllowed) {
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.timeoutMs = timeoutMs;
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
            }
        });
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return fail(label + ": read took longer than " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            throw new AssertionError(label + ": unexpected " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
