package io.tinyml.benchmarks;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.onnx.OnnxWriter;
import io.tinyml.core.ir.DataType;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one int8 inference: our interpreter on an int8 TFLite model against ONNX Runtime running
 * the same network as QDQ ONNX, written by our {@link OnnxWriter}, in the same run. ONNX Runtime has
 * one intra-op thread and {@code session.x64quantprecision=1} (the tests' deterministic settings).
 * Both get the same seeded int8 input (the models' inputs have one channel, so NHWC and NCHW hold the
 * same element order).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class QdqInterpreterBenchmark {
    /** Which int8 model (path below the assets' models/tflite). */
    @Param({"kws_dscnn_int8.tflite", "person_detect/person_detect.tflite"})
    public String model;

    private Interpreter interpreter;
    private byte[][] input;
    private byte[][] output;
    private OrtSession session;
    private OnnxTensor ortInput;
    private Map<String, OnnxTensor> feed;

    /**
     * Reads the model, writes it as QDQ ONNX for ONNX Runtime and prepares a seeded input.
     *
     * @throws Exception if the model cannot be read, written or loaded
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Model m = ModelIO.read(BenchmarkAssets.require("models/tflite/" + model));
        interpreter = Interpreter.create(m);
        Tensor in = m.graph().inputTensor(0);
        int[] nhwc = in.shape().toArray();
        if (in.type() != DataType.INT8 || nhwc.length != 4 || nhwc[3] != 1) {
            throw new IllegalStateException("expected a one-channel INT8 NHWC input, found " + in.type()
                    + Arrays.toString(nhwc));
        }
        byte[] x = new byte[in.byteSize()];
        new Random(7).nextBytes(x);
        input = new byte[][] {x};
        output = new byte[m.graph().outputs().size()][];
        for (int o = 0; o < output.length; o++) {
            output[o] = new byte[m.graph().outputTensor(o).byteSize()];
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            o.addConfigEntry("session.x64quantprecision", "1");
            session = env.createSession(OnnxWriter.write(m), o);
        }
        ByteBuffer bb = ByteBuffer.allocateDirect(x.length).order(ByteOrder.nativeOrder());
        bb.put(x).rewind();
        ortInput = OnnxTensor.createTensor(env, bb, new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]},
                OnnxJavaType.INT8);
        feed = Map.of(session.getInputNames().iterator().next(), ortInput);
    }

    /**
     * Releases the ONNX Runtime session and tensor.
     *
     * @throws OrtException if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        ortInput.close();
        session.close();
    }

    /**
     * One inference with our interpreter into output arrays allocated once.
     * <p>Returns nothing: the outputs land in arrays this state holds, which the JIT cannot drop. (Returning
     * them to JMH's compiler blackhole, JDK 17's default, made the interpreter's compiled kernels run
     * ResNet-8 float in 342 instead of 209 µs.)
     */
    @Benchmark
    public void tinyml() {
        interpreter.invoke(input, output);
    }

    /**
     * One inference of the QDQ model with ONNX Runtime, reading the first output back to the JVM.
     *
     * @param bh sinks the output
     * @throws OrtException if the run fails
     */
    @Benchmark
    public void onnxRuntime(Blackhole bh) throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            bh.consume(((OnnxTensor) r.get(0)).getByteBuffer());
        }
    }
}
