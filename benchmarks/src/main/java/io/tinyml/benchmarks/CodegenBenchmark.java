package io.tinyml.benchmarks;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.GeneratedProject;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
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
 * Time to generate the C sources and project of a model (planning, requantization parameters,
 * weight re-layout and text), in memory: what {@code tinyml codegen} costs before writing files.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(1)
public class CodegenBenchmark {
    /** Which model (path below the assets' models/tflite). */
    @Param({"person_detect/person_detect.tflite", "kws_dscnn_int8.tflite"})
    public String model;

    private Model m;

    /**
     * Loads the model.
     *
     * @throws Exception if the model cannot be read
     */
    @Setup
    public void setUp() throws Exception {
        m = ModelIO.read(BenchmarkAssets.require("models/tflite/" + model));
    }

    /**
     * Generates all files of a make project.
     *
     * @return the project, so the work is not eliminated
     * @throws Exception if the model has an unsupported operator
     */
    @Benchmark
    public GeneratedProject generate() throws Exception {
        return CodeGenerator.generate(m, CodegenOptions.defaults());
    }
}
