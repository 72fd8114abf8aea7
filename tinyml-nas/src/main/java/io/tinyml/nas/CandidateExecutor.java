package io.tinyml.nas;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * Evaluates a batch of independent candidate tasks and returns their results in task order. The
 * search submits one generation at a time; {@link LocalExecutor} runs them on local threads, and a
 * cluster engine can implement the same contract (results in order, the first failure rethrown).
 */
public interface CandidateExecutor extends AutoCloseable {
    /**
     * Runs every task and waits for all of them.
     *
     * @param tasks the tasks
     * @param <T> the result type
     * @return the results, in the order of {@code tasks}
     * @throws ExecutionException if a task failed (the first failure in task order; its cause is the task's)
     * @throws InterruptedException if interrupted while waiting
     */
    <T> List<T> runAll(List<? extends Callable<T>> tasks) throws ExecutionException, InterruptedException;

    /** Releases the executor's threads or connections; idempotent. */
    @Override
    void close();
}
