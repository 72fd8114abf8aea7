package io.tinyml.service;

import java.nio.file.Path;

/**
 * What a worker runs for one job: model in, optimized model, C project and report out. The service
 * depends only on this interface, so a different pipeline (the SDK's {@code fit} search, once it is
 * available) replaces {@link SdkPipeline} without touching the API, the queue or the workers.
 */
public interface OptimizationPipeline {
    /**
     * Reports a stage's progress. Implementations may throw {@link LeaseLostException} to stop the run
     * when the worker no longer owns the job.
     */
    @FunctionalInterface
    interface StageListener {
        /**
         * @param stage the stage name (read, prune, quantize, estimate, codegen, package)
         * @param percent overall percent done, 0..100
         * @param message one line
         */
        void stage(String stage, int percent, String message);
    }

    /** Thrown through a run when the worker lost the job's lease; the run's results are discarded. */
    final class LeaseLostException extends RuntimeException {
        /** @param message what was lost */
        public LeaseLostException(String message) {
            super(message);
        }
    }

    /**
     * @return whether this pipeline can run architecture search ({@code enable_nas})
     */
    boolean supportsNas();

    /**
     * Runs a job.
     *
     * @param spec the job
     * @param workDir an empty directory the run may write to; the result archive goes here
     * @param listener receives stage progress
     * @return the result
     * @throws Exception if the job cannot be done (bad model, unsupported operator...): the job fails with
     *     the exception's message
     */
    PipelineResult run(JobSpec spec, Path workDir, StageListener listener) throws Exception;
}
