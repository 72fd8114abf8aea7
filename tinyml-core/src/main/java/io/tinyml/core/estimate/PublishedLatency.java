package io.tinyml.core.estimate;

import java.util.List;
import java.util.Objects;

/**
 * A published latency of an MLPerf Tiny benchmark on a real board: the median throughput the
 * benchmark runner printed in a submission's {@code performance/results.txt}. Immutable and
 * thread-safe. These rows are what the board cycle models are calibrated on (KWS and VWW only) and
 * validated against (IC and AD); see {@code CycleModel}.
 *
 * @param board the catalog target of the board, e.g. "nucleo-l4r5zi"
 * @param stack the inference stack, e.g. "microTVM + CMSIS-NN"
 * @param benchmark "kws", "vww", "ic" or "ad"
 * @param inferencesPerSecond the median throughput printed by the runner
 * @param source where the figure is published
 */
public record PublishedLatency(String board, String stack, String benchmark, double inferencesPerSecond,
                               String source) {
    private static final String V10 = "MLPerf Tiny v1.0 results, github.com/mlcommons/tiny_results_v1.0, ";
    private static final String OCTO = "microTVM + CMSIS-NN (OctoML, closed division, 120 MHz)";
    private static final String ST = "X-CUBE-AI 7.3.0 (STMicroelectronics, closed division)";

    /**
     * The rows used: OctoML's microTVM + CMSIS-NN submission on NUCLEO-L4R5ZI (the CMSIS-NN-based stack on
     * that board) and STMicroelectronics' X-CUBE-AI submissions on NUCLEO-L4R5ZI and NUCLEO-H7A3ZI-Q (the
     * same stack and models on both boards, which gives the H7A3ZI/L4R5ZI speed ratio), all four
     * benchmarks, each as printed under "Median throughput".
     */
    public static final List<PublishedLatency> MLPERF_TINY_V1_0 = List.of(
            octo("kws", 10.019), octo("vww", 3.320), octo("ic", 2.567), octo("ad", 116.212),
            st("nucleo-l4r5zi", "NUCLEO_L4R5ZI", "kws", 13.323), st("nucleo-l4r5zi", "NUCLEO_L4R5ZI", "vww", 4.339),
            st("nucleo-l4r5zi", "NUCLEO_L4R5ZI", "ic", 4.407), st("nucleo-l4r5zi", "NUCLEO_L4R5ZI", "ad", 131.950),
            st("nucleo-h7a3zi", "NUCLEO-H7A3ZI-Q", "kws", 59.667), st("nucleo-h7a3zi", "NUCLEO-H7A3ZI-Q", "vww", 19.722),
            st("nucleo-h7a3zi", "NUCLEO-H7A3ZI-Q", "ic", 18.401), st("nucleo-h7a3zi", "NUCLEO-H7A3ZI-Q", "ad", 547.705));

    /** Validates. */
    public PublishedLatency {
        Objects.requireNonNull(board, "board");
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(source, "source");
        if (!(inferencesPerSecond > 0)) {
            throw new IllegalArgumentException("expected a positive throughput, found " + inferencesPerSecond);
        }
    }

    /** @return milliseconds per inference (the reciprocal of the throughput) */
    public double latencyMs() {
        return 1000.0 / inferencesPerSecond;
    }

    /**
     * Finds a row.
     *
     * @param board the board
     * @param stackPrefix the start of the stack's name, e.g. "microTVM" or "X-CUBE-AI"
     * @param benchmark the benchmark
     * @return the row
     * @throws IllegalArgumentException if there is none
     */
    public static PublishedLatency find(String board, String stackPrefix, String benchmark) {
        for (PublishedLatency p : MLPERF_TINY_V1_0) {
            if (p.board.equals(board) && p.stack.startsWith(stackPrefix) && p.benchmark.equals(benchmark)) {
                return p;
            }
        }
        throw new IllegalArgumentException("expected a published " + stackPrefix + " " + benchmark + " figure on "
                + board + ", found none");
    }

    private static PublishedLatency octo(String bm, double ips) {
        return new PublishedLatency("nucleo-l4r5zi", OCTO, bm, ips,
                V10 + "closed/OctoML/results/microtvm_cmsis_nn/NUCLEO_L4R5ZI/" + bm + "/performance/results.txt");
    }

    private static PublishedLatency st(String board, String dir, String bm, double ips) {
        return new PublishedLatency(board, ST, bm, ips,
                V10 + "closed/STMicroelectronics/results/" + dir + "/" + bm + "/performance/results.txt");
    }
}
