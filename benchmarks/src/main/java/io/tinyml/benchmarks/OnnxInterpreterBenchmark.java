package io.tinyml.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.io.onnx.OnnxWriter;
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
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one float inference of an ONNX model: our reference interpreter on the model read by
 * {@link OnnxReader} against ONNX Runtime (one intra-op thread, all graph optimizations) on the
 * same file (for a TFLite model, the ONNX our writer makes of it), in the same run. Both get the same
 * seeded input (NHWC for ours, NCHW for ORT); ORT's
 * input tensor is created once and its outputs are read back as our interpreter's are.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class OnnxInterpreterBenchmark {
    /**
     * Which model (path below the assets' models/); a .tflite model is written to ONNX by our
     * {@link OnnxWriter} for ONNX Runtime.
     */
    @Param({"onnx/mnist8/model.onnx", "pytorch/tiny_digits.onnx", "tflite/ic_resnet8_float.tflite"})
    public String model;

    private Interpreter interpreter;
    private byte[][] input;
    private byte[][] output;
    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor ortInput;
    private Map<String, OnnxTensor> feed;

    /**
     * Reads the model for both engines and prepares a seeded random input.
     *
     * @throws Exception if the model cannot be read or ONNX Runtime cannot load it
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path path = BenchmarkAssets.require("models/" + model);
        boolean tflite = model.endsWith(".tflite");
        Model m = tflite ? ModelIO.read(path) : OnnxReader.read(Files.readAllBytes(path), path.toString());
        byte[] bytes = tflite ? OnnxWriter.write(m) : Files.readAllBytes(path);
        interpreter = Interpreter.create(m);
        Tensor in = m.graph().inputTensor(0);
        int[] nhwc = in.shape().toArray();
        Random r = new Random(7);
        float[] v = new float[in.shape().elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = model.contains("mnist8") ? r.nextInt(256) : r.nextFloat();
        }
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        input = new byte[][] {b.array()};
        output = new byte[m.graph().outputs().size()][];
        for (int o = 0; o < output.length; o++) {
            output[o] = new byte[m.graph().outputTensor(o).byteSize()];
        }
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(bytes, o);
        }
        long[] nchw = nhwc.length == 4 ? new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]}
                : Arrays.stream(nhwc).asLongStream().toArray();
        ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(nhwc.length == 4 ? toNchw(v, nhwc) : v), nchw);
        feed = Map.of(session.getInputNames().iterator().next(), ortInput);
    }

    /** The same values in NCHW order, ONNX Runtime's layout. */
    static float[] toNchw(float[] v, int[] nhwc) {
        int h = nhwc[1], w = nhwc[2], c = nhwc[3];
        float[] out = new float[v.length];
        for (int b = 0; b < nhwc[0]; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        out[((b * c + k) * h + y) * w + x] = v[((b * h + y) * w + x) * c + k];
                    }
                }
            }
        }
        return out;
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
     * One inference with our interpreter, into output arrays allocated once (as ORT's input tensor is).
     * <p>Returns nothing: the outputs land in arrays this state holds, which the JIT cannot drop. (Returning
     * them to JMH's compiler blackhole, JDK 17's default, made the interpreter's compiled kernels run
     * ResNet-8 float in 342 instead of 209 µs.)
     */
    @Benchmark
    public void tinyml() {
        interpreter.invoke(input, output);
    }

    /**
     * One inference with ONNX Runtime, reading the first output back to the JVM.
     *
     * @param bh sinks the output
     * @throws OrtException if the run fails
     */
    @Benchmark
    public void onnxRuntime(Blackhole bh) throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            bh.consume(((OnnxTensor) r.get(0)).getFloatBuffer());
        }
    }
}
