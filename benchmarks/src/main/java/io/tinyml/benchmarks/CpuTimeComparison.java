package io.tinyml.benchmarks;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.io.onnx.OnnxWriter;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The interpreter against ONNX Runtime (one intra-op thread, which runs on the calling thread) on the
 * models of {@link OnnxInterpreterBenchmark} and {@link QdqInterpreterBenchmark}, by <em>thread CPU
 * time</em> rather than wall time: on a machine shared with other jobs, JMH's wall-clock scores vary by
 * up to ±100 %, while the best CPU time per inference over 50-inference windows holds within a few
 * percent. The two engines alternate in four rounds of 1.5 s each, in one process, on the same seeded
 * input as the JMH benchmarks (float: NHWC for ours, NCHW for ORT; int8: ORT runs our writer's QDQ).
 * Prints a Markdown table of µs per inference.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -Dtinyml.assets=../shared/assets -cp benchmarks/target/benchmarks.jar io.tinyml.benchmarks.CpuTimeComparison
 * }</pre>
 */
public final class CpuTimeComparison {
    private static final List<String> MODELS = List.of("onnx/mnist8/model.onnx", "pytorch/tiny_digits.onnx",
            "tflite/ic_resnet8_float.tflite", "tflite/kws_dscnn_int8.tflite", "tflite/person_detect/person_detect.tflite");
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private CpuTimeComparison() {
    }

    /** One inference. */
    private interface Inference {
        void run() throws Exception;
    }

    /**
     * Prints the table.
     *
     * @param args model paths below the assets' models/ (default: the five benchmark models)
     * @throws Exception if a model cannot be read or run
     */
    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("| model | ONNX Runtime µs | interpreter µs | ratio |");
        System.out.println("|---|---|---|---|");
        for (String name : args.length > 0 ? List.of(args) : MODELS) {
            Path path = BenchmarkAssets.require("models/" + name);
            boolean tflite = name.endsWith(".tflite");
            Model m = tflite ? ModelIO.read(path) : OnnxReader.read(Files.readAllBytes(path), path.toString());
            Interpreter interpreter = Interpreter.create(m);
            Tensor in = m.graph().inputTensor(0);
            int[] s = in.shape().toArray();
            long[] nchw = {s[0], s[3], s[1], s[2]};
            byte[][] out = new byte[m.graph().outputs().size()][];
            for (int o = 0; o < out.length; o++) {
                out[o] = new byte[m.graph().outputTensor(o).byteSize()];
            }
            byte[][] input;
            OnnxTensor ortInput;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                if (in.type() == DataType.INT8) {
                    options.addConfigEntry("session.x64quantprecision", "1");
                    byte[] x = new byte[in.byteSize()];
                    new Random(7).nextBytes(x);
                    input = new byte[][] {x};
                    // one input channel: NHWC and NCHW hold the same order
                    ByteBuffer bb = ByteBuffer.allocateDirect(x.length).order(ByteOrder.nativeOrder());
                    bb.put(x).rewind();
                    ortInput = OnnxTensor.createTensor(env, bb, nchw, OnnxJavaType.INT8);
                } else {
                    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                    float[] v = new float[in.shape().elementCount()];
                    Random r = new Random(7);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = name.contains("mnist8") ? r.nextInt(256) : r.nextFloat();
                    }
                    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                    input = new byte[][] {b.array()};
                    ortInput = OnnxTensor.createTensor(env, FloatBuffer.wrap(OnnxInterpreterBenchmark.toNchw(v, s)), nchw);
                }
                try (OrtSession session = env.createSession(tflite ? OnnxWriter.write(m) : Files.readAllBytes(path),
                        options)) {
                    Map<String, OnnxTensor> feed = Map.of(session.getInputNames().iterator().next(), ortInput);
                    double ours = Double.MAX_VALUE;
                    double ort = Double.MAX_VALUE;
                    for (int round = 0; round < 4; round++) {
                        ours = Math.min(ours, bestMicros(() -> interpreter.invoke(input, out)));
                        ort = Math.min(ort, bestMicros(() -> {
                            try (OrtSession.Result result = session.run(feed)) {
                                ((OnnxTensor) result.get(0)).getByteBuffer();
                            }
                        }));
                    }
                    System.out.println(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f× |", name, ort, ours,
                            ours / ort));
                } finally {
                    ortInput.close();
                }
            }
        }
    }

    /** The least thread CPU time per inference, in µs, over 50-inference windows during 1.5 s. */
    private static double bestMicros(Inference inference) throws Exception {
        long best = Long.MAX_VALUE;
        long start = System.nanoTime();
        while (System.nanoTime() - start < 1_500_000_000L) {
            long c0 = MX.getCurrentThreadCpuTime();
            for (int i = 0; i < 50; i++) {
                inference.run();
            }
            best = Math.min(best, (MX.getCurrentThreadCpuTime() - c0) / 50);
        }
        return best / 1000.0;
    }
}
