package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.train.LearningRateSchedule;
import io.tinyml.train.OptimizerSpec;
import io.tinyml.train.Training;
import io.tinyml.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tinyml train MODEL --data DATASET [--eval DATASET] --epochs N --output OUT [--optimizer adam|sgd]
 * [--lr R] [--momentum M] [--batch B] [--seed S] [--shift P] [--batchnorm] [--qat N] [--input-scale S] [--input-offset O] [--force]
 * [--json]}: fine-tunes a float model with DJL's PyTorch engine (offline) and reports top-1 before and
 * after on the evaluation data, measured by the reference interpreter. OUT is written only when training
 * succeeds, and an existing OUT is replaced only with {@code --force}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tunes a float model (DJL PyTorch engine, offline) and reports top-1 before and after.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the float model (.tflite, .h5/.keras, .onnx, SavedModel)")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATASET", description = "training data, PATH or PATH[from:to]")
    String data;

    @Option(names = "--eval", paramLabel = "DATASET", description = "labelled evaluation data, PATH or PATH[from:to]")
    String eval;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1", description = "epochs (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam", description = "adam or sgd (default ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--lr", paramLabel = "R", defaultValue = "0.0005", description = "base learning rate, cosine-decayed (default ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9", description = "SGD momentum (default ${DEFAULT-VALUE})")
    float momentum;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--shift", paramLabel = "P", defaultValue = "0", description = "random image shift augmentation in pixels (default ${DEFAULT-VALUE})")
    int shift;

    @Option(names = "--batchnorm", description = "fine-tune with batch norm re-inserted where the export folded it")
    boolean batchNorm;

    @Option(names = "--qat", paramLabel = "N", defaultValue = "0",
            description = "quantization-aware: int8 fake quantization, activation ranges from N training samples")
    int qat;

    @Option(names = "--input-scale", paramLabel = "S", defaultValue = "1",
            description = "real input = raw value * S + O (default ${DEFAULT-VALUE})")
    float scale;

    @Option(names = "--input-offset", paramLabel = "O", defaultValue = "0", description = "see --input-scale")
    float offset;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "OUT.tflite or OUT.onnx")
    Path output;

    @Option(names = "--force", description = "replace OUT if it exists")
    boolean force;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Outputs.requireModelFile(output);
        Outputs.check(output, false, force, model);
        OptimizerSpec opt = switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam" -> parse(() -> OptimizerSpec.adam(lr));
            case "sgd" -> parse(() -> OptimizerSpec.sgd(lr, momentum));
            default -> throw new BadInputException("expected --optimizer adam or sgd, found '" + optimizer + "'");
        };
        Model f = ModelIO.read(model);
        Dataset train = Datasets.open(data);
        Dataset ev = eval == null ? null : Datasets.open(eval);
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = json ? ProgressListener.NONE : main.progress(err, "");
        Training t = parse(() -> Training.builder().optOptimizer(opt).optSchedule(LearningRateSchedule.cosine())
                .optEpochs(epochs).optBatchSize(batch).optSeed(seed).optRandomShift(shift).optReinsertBatchNorm(batchNorm).optQuantizationAware(qat)
                .optInputScale(scale).optInputOffset(offset).optListener(progress).build());
        Double before = ev == null ? null : top1(f, ev);
        TrainingResult r = t.fit(f, train);
        Double after = ev == null ? null : top1(r.model(), ev);
        // the standard passes fold batch norm (which TFLite has no operator for) and fuse activations; written
        // beside OUT and moved into place, so there is never a partial OUT
        Outputs.writeModel(PassPipeline.standard().run(r.model()), output, force, model);
        report(r, before, after);
        return 0;
    }

    private Double top1(Model m, Dataset d) throws Exception {
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(scale).optOffset(offset)
                .build();
        return Accuracy.top1(m, d, map, ProgressListener.NONE).top1();
    }

    private void report(TrainingResult r, Double before, Double after) {
        PrintWriter o = spec.commandLine().getOut();
        var last = r.history().get(r.history().size() - 1);
        if (json) {
            o.printf(Locale.ROOT, "{\"epochs\":%d,\"loss\":%s,\"trainAccuracy\":%s,\"samplesPerSecond\":%s,"
                            + "\"top1Before\":%s,\"top1After\":%s,\"output\":\"%s\"}%n", r.history().size(), last.loss(),
                    last.accuracy(), last.samplesPerSecond(), before, after,
                    output.toString().replace("\\", "\\\\").replace("\"", "\\\""));
        } else {
            for (var s : r.history()) {
                o.printf(Locale.ROOT, "epoch %d  loss %.4f  train top-1 %.4f  %.0f samples/s%n", s.epoch(), s.loss(),
                        s.accuracy(), s.samplesPerSecond());
            }
            if (before != null) {
                o.printf(Locale.ROOT, "top-1  before %.4f -> after %.4f (eval %s)%n", before, after, eval);
            }
            o.printf("wrote %s%n", output);
        }
        o.flush();
    }

    private static <T> T parse(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}
