package io.tinyml.benchmarks;

import io.tinyml.core.estimate.CostModel;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.target.TargetCatalog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Estimates per second on one core: the architecture search calls the estimator in its inner loop
 * (goal: at least 10,000 per second for a kws-sized graph). Baseline: counting the graph's MACs alone,
 * the least any estimate must do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(1)
public class EstimatorBenchmark {
    /** Which model (path below the assets' models/tflite). */
    @Param({"kws_dscnn_int8.tflite", "person_detect/person_detect.tflite"})
    public String model;

    /** Which kernel library. */
    @Param({"reference", "optimized"})
    public String kernels;

    private Model m;
    private Estimator estimator;

    /**
     * Loads the model.
     *
     * @throws Exception if the model cannot be read
     */
    @Setup
    public void setUp() throws Exception {
        m = ModelIO.read(BenchmarkAssets.require("models/tflite/" + model));
        estimator = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4"))
                .optKernels(KernelLibrary.parse(kernels)).build();
    }

    /** @return a full estimate (greedy plan, per-layer cycles, flash and RAM terms) */
    @Benchmark
    public Estimate estimate() {
        return estimator.estimate(m.graph(), model);
    }

    /** @return the MAC count alone (baseline) */
    @Benchmark
    public long baselineMacs() {
        return CostModel.totalMacs(m.graph());
    }
}
