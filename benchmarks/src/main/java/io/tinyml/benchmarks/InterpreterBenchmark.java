package io.tinyml.benchmarks;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one inference with the reference interpreter, int8 and float, on real TinyML models:
 * person_detect (int8 MobileNet, 96×96), the MLPerf Tiny keyword spotter (int8, and its hybrid
 * variant with float activations), ResNet-8 (float) and hello_world (float and int8, the
 * per-invoke overhead baseline).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class InterpreterBenchmark {
    /** Which model (path below the assets' models/tflite). */
    @Param({"person_detect/person_detect.tflite", "kws_dscnn_int8.tflite", "kws_dscnn_hybrid.tflite",
            "ic_resnet8_float.tflite", "hello_world_float.tflite", "hello_world_int8.tflite"})
    public String model;

    private Interpreter interpreter;
    private byte[][] inputs;
    private byte[][] outputs;

    /**
     * Loads the model and a seeded random input.
     *
     * @throws Exception if the model cannot be read
     */
    @Setup
    public void setUp() throws Exception {
        Model m = ModelIO.read(BenchmarkAssets.require("models/tflite/" + model));
        interpreter = Interpreter.create(m);
        Random r = new Random(7);
        inputs = new byte[m.graph().inputs().size()][];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = m.graph().inputTensor(i);
            inputs[i] = new byte[t.byteSize()];
            if (t.type().isFloat()) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(inputs[i]).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < t.shape().elementCount(); k++) {
                    b.putFloat(r.nextFloat());
                }
            } else {
                r.nextBytes(inputs[i]);
            }
        }
        outputs = new byte[m.graph().outputs().size()][];
        for (int o = 0; o < outputs.length; o++) {
            outputs[o] = new byte[m.graph().outputTensor(o).byteSize()];
        }
    }

    /**
     * One inference into output arrays allocated once.
     *
     * @return the outputs (sunk by JMH)
     */
    @Benchmark
    public byte[][] invoke() {
        interpreter.invoke(inputs, outputs);
        return outputs;
    }
}
