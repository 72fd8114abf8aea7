package io.tinyml.benchmarks;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Time per batch of {@link #SAMPLES} inferences with {@link Interpreter#invokeBatch(byte[][][], byte[][][], int)}:
 * one prepared plan on 1 or 2 threads (the second a {@link Interpreter#fork() fork}). The baseline is
 * one thread; on an otherwise idle machine with two cores, two threads should take about half as long.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class BatchInterpreterBenchmark {
    /** Samples per batch. */
    static final int SAMPLES = 256;

    /** Which model (path below the assets' models/). */
    @Param({"pytorch/tiny_digits.onnx", "tflite/kws_dscnn_int8.tflite"})
    public String model;

    /** Threads running the batch. */
    @Param({"1", "2"})
    public int threads;

    private Interpreter interpreter;
    private byte[][][] inputs;
    private byte[][][] outputs;

    /**
     * Reads the model and prepares seeded random inputs (float models: values in [0, 1)).
     *
     * @throws Exception if the model cannot be read
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path path = BenchmarkAssets.require("models/" + model);
        Model m = model.endsWith(".onnx") ? OnnxReader.read(Files.readAllBytes(path), path.toString())
                : ModelIO.read(path);
        interpreter = Interpreter.create(m);
        Tensor in = m.graph().inputTensor(0);
        Random r = new Random(7);
        inputs = new byte[SAMPLES][1][];
        outputs = new byte[SAMPLES][1][m.graph().outputTensor(0).byteSize()];
        for (int s = 0; s < SAMPLES; s++) {
            byte[] b = new byte[in.byteSize()];
            if (in.type() == io.tinyml.core.ir.DataType.FLOAT32) {
                ByteBuffer f = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < b.length / 4; i++) {
                    f.putFloat(r.nextFloat());
                }
            } else {
                r.nextBytes(b);
            }
            inputs[s][0] = b;
        }
    }

    /**
     * One batch.
     *
     * @return the outputs (sunk by JMH)
     */
    @Benchmark
    public byte[][][] invokeBatch() {
        interpreter.invokeBatch(inputs, outputs, threads);
        return outputs;
    }
}
