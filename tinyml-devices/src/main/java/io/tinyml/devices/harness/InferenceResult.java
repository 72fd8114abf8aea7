package io.tinyml.devices.harness;

import java.util.Arrays;

/**
 * What one {@code infer N W%} command reported.
 *
 * @param runs the timed inferences N
 * @param warmups the untimed warm-up inferences W
 * @param startMicros the board's {@code m-lap-us} before the timed loop
 * @param endMicros the board's {@code m-lap-us} after it
 * @param results the {@code m-results-[...]} vector of the last inference
 */
public record InferenceResult(int runs, int warmups, long startMicros, long endMicros, float[] results) {
    /** Copies the results. */
    public InferenceResult {
        results = results.clone();
    }

    /** @return the results (a copy) */
    @Override
    public float[] results() {
        return results.clone();
    }

    /** @return the board's own time per inference in microseconds: (end - start) / runs */
    public double microsPerInference() {
        return (double) (endMicros - startMicros) / runs;
    }

    /** @return the index of the largest result (the top-1 class), the first one on ties */
    public int top1() {
        int best = 0;
        for (int i = 1; i < results.length; i++) {
            if (results[i] > results[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "InferenceResult[runs=" + runs + ", warmups=" + warmups + ", us=" + (endMicros - startMicros)
                + ", results=" + Arrays.toString(results) + "]";
    }
}
