package io.tinyml.benchmarks;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.estimate.plan.GreedyBySizePlanner;
import io.tinyml.core.estimate.plan.InPlace;
import io.tinyml.core.estimate.plan.MemoryPlan;
import io.tinyml.core.estimate.plan.MemoryPlanner;
import io.tinyml.core.estimate.plan.OptimalPlanner;
import io.tinyml.core.estimate.plan.PlanProblem;
import io.tinyml.core.io.ModelIO;
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
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Time to plan the arena: greedy-by-size against the exact search (1 s budget), on the shared models'
 * tensor lifetimes and on seeded random problems of 24 buffers where greedy is usually not optimal.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PlannerBenchmark {
    /** The problem: a model below models/tflite, or "random24". */
    @Param({"kws_dscnn_int8.tflite", "person_detect/person_detect.tflite", "random24"})
    public String problem;

    /** The planner. */
    @Param({"greedy", "optimal"})
    public String planner;

    private PlanProblem p;
    private MemoryPlanner mp;

    /**
     * Builds the problem.
     *
     * @throws Exception if a model cannot be read
     */
    @Setup
    public void setUp() throws Exception {
        if (problem.startsWith("random")) {
            Random r = new Random(1);
            int n = 24;
            long[] sizes = new long[n];
            int[] first = new int[n];
            int[] last = new int[n];
            for (int i = 0; i < n; i++) {
                sizes[i] = 1 + r.nextInt(4096);
                first[i] = r.nextInt(16);
                last[i] = first[i] + r.nextInt(5);
            }
            p = PlanProblem.ofBuffers(sizes, first, last, 16);
        } else {
            p = PlanProblem.of(ModelIO.read(BenchmarkAssets.require("models/tflite/" + problem)).graph(),
                    EnumSet.of(InPlace.RESHAPE_ALIAS), null, 16);
        }
        mp = planner.equals("greedy") ? new GreedyBySizePlanner()
                : new OptimalPlanner(Duration.ofSeconds(1), ProgressListener.NONE);
    }

    /** @return the plan */
    @Benchmark
    public MemoryPlan plan() {
        return mp.plan(p);
    }
}
