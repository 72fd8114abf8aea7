package io.tinyml.benchmarks;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.train.LearningRateSchedule;
import io.tinyml.train.NetworkSpec;
import io.tinyml.train.OptimizerSpec;
import io.tinyml.train.TrainableModel;
import io.tinyml.train.Training;
import io.tinyml.train.TrainingResult;
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

/**
 * Training throughput of tinyml-train (DJL, PyTorch engine, CPU, offline) in samples per second: one
 * epoch over {@value #SAMPLES} MNIST digits (mnist10k[0:512]) of the PyTorch-trained tiny_digits model
 * and of the DS-CNN of {@code TrainDigits} described with {@link NetworkSpec}, each step a forward pass,
 * backward pass and optimiser update, including building the network and mapping the data as every
 * {@code fit} does. The peer in the same run is the same network's inference-mode forward pass over
 * the same digits in batches of the same size. libtorch uses its default intra-op threads (one per
 * core) and is unpacked from the pytorch-native-cpu jar into DJL's cache folder ({@code DJL_CACHE_DIR},
 * default {@code ~/.djl.ai}); nothing is downloaded. Scores are samples/s.
 *
 * <p>On a machine shared with other work, libtorch's OpenMP threads spin against each other; pin one
 * thread per process with {@code -jvmArgsAppend "-Dai.djl.pytorch.num_threads=1"} to compare runs.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TrainingBenchmark -wi 1 -w 5 -i 2 -r 8
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Dai.djl.offline=true")
public class TrainingBenchmark {
    static final int SAMPLES = 512;

    /** The network: {@code tiny_digits} (2,858 parameters) or {@code dscnn} (the TrainDigits DS-CNN). */
    @Param({"tiny_digits", "dscnn"})
    public String network;

    private Model model;
    private Dataset data;
    private Training training;
    private TrainableModel inference;
    private float[][] batches;
    private int batchSize;

    /**
     * Reads or builds the model, opens the digits and prepares the inference peer.
     *
     * @throws Exception if an asset is missing or the engine cannot start
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (network.equals("tiny_digits")) {
            model = ModelIO.read(BenchmarkAssets.require("models/pytorch/tiny_digits.onnx"));
            batchSize = 32;
        } else {
            model = NetworkSpec.builder(28, 28, 1).conv(32, 3, 1).maxPool(2).depthwiseSeparable(64, 1).maxPool(2)
                    .depthwiseSeparable(64, 1).flatten().dense(10).build().toModel(3);
            batchSize = 64;
        }
        data = Datasets.open(BenchmarkAssets.require("datasets/mnist10k") + "[0:" + SAMPLES + "]");
        training = Training.builder().optOptimizer(OptimizerSpec.adam(1e-3f))
                .optSchedule(LearningRateSchedule.cosine()).optEpochs(1).optBatchSize(batchSize).optSeed(1)
                .optInputScale(1f / 255).build();
        InputMapping map = InputMapping.builder().setInput(model.graph().inputTensor(0)).optScale(1f / 255).build();
        batches = new float[SAMPLES / batchSize][batchSize * 784];
        for (int i = 0; i < SAMPLES; i++) {
            System.arraycopy(map.toRealValues(data.get(i)), 0, batches[i / batchSize], (i % batchSize) * 784, 784);
        }
        inference = TrainableModel.of(model);
    }

    /** Frees the inference network. */
    @TearDown(Level.Trial)
    public void tearDown() {
        inference.close();
    }

    /**
     * One training epoch over the digits.
     *
     * @return the trained model and history (sunk by JMH)
     * @throws Exception if training fails
     */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public TrainingResult trainOneEpoch() throws Exception {
        return training.fit(model, data);
    }

    /**
     * The peer: inference-mode forward passes of the same network over the same digits.
     *
     * @return the last batch's logits (sunk by JMH)
     */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public float[] forwardOnly() {
        float[] last = null;
        for (float[] b : batches) {
            last = inference.forward(batchSize, b)[0];
        }
        return last;
    }
}
