package io.tinyml.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.quantize.CalibrationMethod;
import io.tinyml.quantize.Quantizer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Calibration throughput in samples per second: int8 calibration and quantization of an ONNX model
 * through {@link Quantizer} on {@value #SAMPLES} seeded samples (one pass for min-max, two for the
 * histogram methods), against ONNX Runtime's float inference of the same model on the same samples
 * (one intra-op thread), in the same run. Scores are samples/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class CalibrationBenchmark {
    static final int SAMPLES = 32;

    /** Which model (path below the assets' models/); both take one 28×28 grey image. */
    @Param({"pytorch/tiny_digits.onnx", "onnx/mnist8/model.onnx"})
    public String model;

    /** The range method. */
    @Param({"MINMAX", "PERCENTILE"})
    public String method;

    private Model floatModel;
    private Dataset data;
    private OrtEnvironment env;
    private OrtSession session;
    private List<OnnxTensor> ortInputs;
    private String inputName;

    /**
     * Reads the model for both engines and builds seeded samples.
     *
     * @throws Exception if the model cannot be read or ONNX Runtime cannot load it
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path path = BenchmarkAssets.require("models/" + model);
        byte[] bytes = Files.readAllBytes(path);
        floatModel = OnnxReader.read(bytes, path.toString());
        float range = model.contains("mnist8") ? 255f : 1f;
        Random r = new Random(11);
        Dataset.Builder b = Dataset.builder(Shape.of(28, 28, 1));
        env = OrtEnvironment.getEnvironment();
        ortInputs = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            float[] v = new float[28 * 28];
            for (int k = 0; k < v.length; k++) {
                v[k] = r.nextFloat() * range;
            }
            b.add(v, i % 10);
            ortInputs.add(OnnxTensor.createTensor(env, FloatBuffer.wrap(v), new long[] {1, 1, 28, 28}));
        }
        data = b.build();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            session = env.createSession(bytes, o);
        }
        inputName = session.getInputNames().iterator().next();
    }

    /**
     * Releases ONNX Runtime resources.
     *
     * @throws OrtException if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        for (OnnxTensor t : ortInputs) {
            t.close();
        }
        session.close();
    }

    /**
     * Calibrates on all samples and quantizes to int8.
     *
     * @return the quantized model (sunk by JMH)
     * @throws Exception if quantization fails
     */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public Model calibrateInt8() throws Exception {
        return Quantizer.of(floatModel).int8().calibrate(data, SAMPLES)
                .method(CalibrationMethod.valueOf(method)).apply();
    }

    /**
     * ONNX Runtime float inference over the same samples (the peer: what one forward pass costs there).
     *
     * @param bh sinks the outputs
     * @throws OrtException if a run fails
     */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void onnxRuntimeFloat(Blackhole bh) throws OrtException {
        for (OnnxTensor t : ortInputs) {
            try (OrtSession.Result r = session.run(Map.of(inputName, t))) {
                bh.consume(((OnnxTensor) r.get(0)).getFloatBuffer());
            }
        }
    }
}
