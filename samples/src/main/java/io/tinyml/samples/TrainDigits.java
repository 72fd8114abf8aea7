package io.tinyml.samples;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.eval.QuantEval;
import io.tinyml.train.EpochStats;
import io.tinyml.train.LearningRateSchedule;
import io.tinyml.train.NetworkSpec;
import io.tinyml.train.OptimizerSpec;
import io.tinyml.train.Training;
import io.tinyml.train.TrainingResult;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Training journey on handwritten digits (the full-length run behind tinyml-train's CI test): a
 * DS-CNN described in code is trained from scratch with DJL's PyTorch engine (offline) on
 * mnist10k[0:8000], quantized to int8 with tinyml-quantize, and both are scored by the reference
 * interpreter on mnist10k[8000:10000]; then the PyTorch-trained tiny_digits model is fine-tuned for
 * two epochs. Prints accuracy and training throughput (samples/s) per epoch and writes the models to
 * {@code target/train-digits/}.
 *
 * <pre>
 * ./mvnw -B -pl samples -am -DskipTests package exec:java -Dsample=io.tinyml.samples.TrainDigits \
 *     -Dexec.args="../shared/assets 12"
 * </pre>
 */
public final class TrainDigits {
    private static final float SCALE = 1f / 255;

    private TrainDigits() {
    }

    /**
     * Runs the journey.
     *
     * @param args the assets folder (default {@code ../shared/assets}) and the epochs of the DS-CNN (default 12)
     * @throws Exception if an asset is missing or a step fails
     */
    public static void main(String[] args) throws Exception {
        Path assets = Path.of(args.length > 0 ? args[0] : "../shared/assets");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Path out = Path.of("target", "train-digits");
        Files.createDirectories(out);
        String mnist = assets.resolve("datasets/mnist10k").toString();
        Dataset train = Datasets.open(mnist + "[0:8000]");
        Dataset test = Datasets.open(mnist + "[8000:10000]");

        Model dscnn = NetworkSpec.builder(28, 28, 1).conv(32, 3, 1).maxPool(2).depthwiseSeparable(64, 1).maxPool(2)
                .depthwiseSeparable(64, 1).flatten().dense(10).build().toModel(3);
        TrainingResult r = Training.builder().optOptimizer(OptimizerSpec.adam(2e-3f))
                .optSchedule(LearningRateSchedule.cosine()).optEpochs(epochs).optBatchSize(64).optSeed(1)
                .optRandomShift(2).optInputScale(SCALE).optEpochListener(TrainDigits::print).build().fit(dscnn, train);
        Model folded = PassPipeline.standard().run(r.model());   // batch norm folded into the convolutions
        Model q = Quantizer.of(folded).int8().perChannel().calibrate(train, 200)
                .inputScale(SCALE).listener(ProgressListener.NONE).apply();
        System.out.printf("DS-CNN from scratch (%d epochs): float top-1 %.4f, int8 top-1 %.4f on mnist10k[8000:10000]%n",
                epochs, QuantEval.top1(r.model(), test, SCALE, 0f), QuantEval.top1(q, test, SCALE, 0f));
        ModelIO.write(folded, out.resolve("dscnn_float.tflite"));
        ModelIO.write(q, out.resolve("dscnn_int8.tflite"));

        Model tiny = ModelIO.read(assets.resolve("models/pytorch/tiny_digits.onnx"));
        // fine-tuning recipe chosen on a validation slice of the training range: low rate, 1-pixel shifts,
        // averaged weights with batch norm re-measured, the best of the starting weights and each epoch on [7000:8000]
        TrainingResult t = Training.builder().optReinsertBatchNorm(true).optOptimizer(OptimizerSpec.sgd(0.001f, 0.9f))
                .optSchedule(LearningRateSchedule.cosine()).optRandomShift(1).optWeightAveraging(0.99)
                .optBatchNormStatistics(8000).optValidationFraction(0.125).optValidateInitial(true)
                .optEpochs(2).optBatchSize(32).optSeed(1)
                .optInputScale(SCALE).optEpochListener(TrainDigits::print).build().fit(tiny, train);
        System.out.printf("tiny_digits fine-tuned 2 epochs: top-1 %.4f -> %.4f on mnist10k[8000:10000] (weights of "
                + "epoch %d, chosen on the validation slice)%n", QuantEval.top1(tiny, test, SCALE, 0f),
                QuantEval.top1(t.model(), test, SCALE, 0f), t.bestEpoch());
        ModelIO.write(t.model(), out.resolve("tiny_digits_tuned.tflite"));
    }

    private static void print(EpochStats s) {
        System.out.printf("  epoch %2d  loss %.4f  train top-1 %.4f  val top-1 %.4f  %.0f samples/s%n", s.epoch(),
                s.loss(), s.accuracy(), s.validationAccuracy(), s.samplesPerSecond());
    }
}
