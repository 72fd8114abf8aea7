package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.prune.Criterion;
import io.tinyml.prune.FineTune;
import io.tinyml.prune.LayerChange;
import io.tinyml.prune.PruneReport;
import io.tinyml.prune.PruneResult;
import io.tinyml.prune.Pruner;
import io.tinyml.prune.Recovery;
import io.tinyml.prune.SparsityResult;
import io.tinyml.prune.StructuredPruning;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tinyml prune MODEL (--structured R | --sparsity S | --n-m N:M) [--criterion C] [--global | --sensitivity]
 * [--multiple-of M] [--min-channels N]
 * [--calibration DATASET [--samples N] [--recovery least-squares|batch-norm|none]
 * [--finetune N [--distill] [--steps K] [--validation DATASET]]]
 * [--eval DATASET]
 * [--target NAME] --output OUT [--force] [--json]}:
 * structured channel pruning of a float model, with least-squares recovery when calibration data is
 * given (and optionally fine-tuning on it), reporting channels per layer, MACs, weight bytes and, with {@code --eval}, top-1 before and after.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Removes channels from a float model (structured pruning with least-squares recovery) and "
                + "reports channels, MACs, weight bytes and, with --eval, top-1 before and after.")
final class PruneCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the float model (.tflite, .h5/.keras, .onnx)")
    Path model;

    @Option(names = "--structured", paramLabel = "R",
            description = "fraction of channels removed per layer, in [0, 1)")
    Double ratio;

    @Option(names = "--sparsity", paramLabel = "S",
            description = "unstructured: fraction of weights zeroed, in [0, 1) (dense shapes kept)")
    Double sparsity;

    @Option(names = "--n-m", paramLabel = "N:M", description = "N:M sparsity, e.g. 2:4 (dense shapes kept)")
    String nm;

    @Option(names = "--criterion", paramLabel = "C", defaultValue = "l1",
            description = "l1, l2 or activation (needs --calibration) (default ${DEFAULT-VALUE})")
    String criterion;

    @Option(names = "--global", description = "one ratio over all layers instead of per layer")
    boolean global;

    @Option(names = "--sensitivity", description = "one ratio over all layers, allocated by a layer-wise sensitivity "
            + "scan on the --calibration data")
    boolean sensitivity;

    @Option(names = "--multiple-of", paramLabel = "M", defaultValue = "1", description = "keep multiples of M channels")
    int multipleOf;

    @Option(names = "--min-channels", paramLabel = "N", defaultValue = "1", description = "fewest channels a layer keeps")
    int minChannels;

    @Option(names = "--calibration", paramLabel = "DATASET",
            description = "calibration data for least-squares recovery, PATH or PATH[from:to]")
    String calibration;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "256", description = "calibration samples (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--no-recovery", description = "skip recovery even with --calibration (same as --recovery none)")
    boolean noRecovery;

    @Option(names = "--recovery", paramLabel = "R", defaultValue = "least-squares",
            description = "with --calibration: least-squares, batch-norm (re-estimate output statistics) or none "
                    + "(default ${DEFAULT-VALUE})")
    String recoveryName;

    @Option(names = "--finetune", paramLabel = "N", defaultValue = "0",
            description = "after recovery, fine-tune N epochs on the --calibration data (tinyml-train, DJL)")
    int finetune;

    @Option(names = "--distill", description = "with --finetune: learn from the unpruned model's soft targets, on "
            + "randomly shifted images (the distilled recipe) instead of labels only")
    boolean distill;

    @Option(names = "--steps", paramLabel = "K", defaultValue = "1",
            description = "with --finetune: remove the channels in K equal steps, each recovered and fine-tuned "
                    + "(N epochs the last, N/2 the others; default ${DEFAULT-VALUE}: all at once). Recommended: "
                    + "--finetune 20 --distill --steps 2")
    int steps;

    @Option(names = "--validation", paramLabel = "DATASET",
            description = "with --finetune: labelled data held out from the --calibration data; each fine-tuning "
                    + "keeps the weights (the starting ones included) of the best top-1 on it, PATH or PATH[from:to]")
    String validation;

    @picocli.CommandLine.Mixin
    MappingOptions map = new MappingOptions();

    @Option(names = "--eval", paramLabel = "DATASET", description = "labelled evaluation data, PATH or PATH[from:to]")
    String eval;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "OUT.tflite or OUT.onnx")
    Path output;

    @Option(names = "--target", paramLabel = "NAME",
            description = "also estimate flash, RAM and latency before and after on this target (see 'tinyml targets')")
    String target;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Option(names = "--force", description = "replace OUT if it exists")
    boolean force;

    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Outputs.requireModelFile(output);
        String out = output.getFileName().toString().toLowerCase(Locale.ROOT);
        int modes = (ratio != null ? 1 : 0) + (sparsity != null ? 1 : 0) + (nm != null ? 1 : 0);
        if (modes != 1) {
            throw new BadInputException("expected exactly one of --structured, --sparsity or --n-m, found " + modes);
        }
        if (ratio == null) {
            return sparse(out);
        }
        Criterion crit;
        try {
            crit = Criterion.valueOf(criterion.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("expected --criterion l1, l2 or activation, found '" + criterion + "'");
        }
        if (crit == Criterion.ACTIVATION && calibration == null) {
            throw new BadInputException("expected --calibration with --criterion activation, found none");
        }
        Recovery recovery = switch (recoveryName.toLowerCase(Locale.ROOT)) {
            case "least-squares" -> Recovery.LEAST_SQUARES;
            case "batch-norm" -> Recovery.BATCH_NORM_STATISTICS;
            case "none" -> Recovery.NONE;
            default -> throw new BadInputException("expected --recovery least-squares, batch-norm or none, found '"
                    + recoveryName + "'");
        };
        if (sensitivity && calibration == null) {
            throw new BadInputException("expected --calibration with --sensitivity, found none");
        }
        if (finetune < 0 || (finetune > 0 && calibration == null)) {
            throw new BadInputException(finetune < 0 ? "expected --finetune of at least 0 epochs, found " + finetune
                    : "expected --calibration (the training data) with --finetune, found none");
        }
        if (validation != null && finetune == 0) {
            throw new BadInputException("expected --finetune with --validation, found none");
        }
        Outputs.check(output, false, force, model);
        Model f = ModelIO.read(model);
        InputMapping mapping = map.mapping(f.graph().inputTensor(0));
        Dataset cal = calibration == null ? null : Datasets.open(calibration);
        Dataset ev = eval == null ? null : Datasets.open(eval);
        Dataset val = validation == null ? null : Datasets.open(validation);
        if (cal != null) {
            MappingOptions.check(mapping, cal);
        }
        if (val != null) {
            MappingOptions.check(mapping, val);
        }
        if (ev != null) {
            MappingOptions.check(mapping, ev);
        }
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = json ? ProgressListener.NONE : main.progress(err, "");
        PruneResult r;
        try {
            StructuredPruning p = Pruner.of(f).structured().ratio(ratio).criterion(crit).global(global)
                    .sensitivity(sensitivity).multipleOf(multipleOf).minChannels(minChannels).steps(steps)
                    .listener(progress);
            if (cal != null) {
                p = p.calibrate(cal, mapping, samples).recover(noRecovery ? Recovery.NONE : recovery)
                        .finetune(cal, (distill ? FineTune.distilled(finetune) : FineTune.plain(finetune))
                                .withValidation(val));
            }
            r = p.apply();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BadInputException(e.getMessage());
        }
        Double before = null;
        Double after = null;
        if (ev != null) {
            before = Accuracy.top1(f, ev, mapping, ProgressListener.NONE).top1();
            after = Accuracy.top1(r.model(), ev, mapping.toBuilder().setInput(r.model().graph().inputTensor(0))
                    .build(), ProgressListener.NONE).top1();
        }
        String est = estimates(f, r.model());
        Outputs.writeModel(r.model(), output, force, model);
        report(r.report(), before, after, est);
        return 0;
    }

    private Integer sparse(String out) throws Exception {
        int n = 0;
        int m = 0;
        if (nm != null) {
            String[] parts = nm.split(":");
            try {
                n = Integer.parseInt(parts[0].trim());
                m = Integer.parseInt(parts[1].trim());
            } catch (RuntimeException e) {
                throw new BadInputException("expected --n-m like 2:4, found '" + nm + "'");
            }
            if (parts.length != 2) {
                throw new BadInputException("expected --n-m like 2:4, found '" + nm + "'");
            }
        }
        Outputs.check(output, false, force, model);
        Model f = ModelIO.read(model);
        SparsityResult r;
        try {
            r = nm != null ? Pruner.of(f).nOfM(n, m).apply() : Pruner.of(f).unstructured(sparsity).global(global).apply();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        Double before = null;
        Double after = null;
        if (eval != null) {
            Dataset ev = Datasets.open(eval);
            InputMapping mapping = map.mapping(f.graph().inputTensor(0));
            MappingOptions.check(mapping, ev);
            before = Accuracy.top1(f, ev, mapping, ProgressListener.NONE).top1();
            after = Accuracy.top1(r.model(), ev, mapping, ProgressListener.NONE).top1();
        }
        Outputs.writeModel(r.model(), output, force, model);
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.printf(Locale.ROOT, "{\"sparsity\":%s,\"top1Before\":%s,\"top1After\":%s}%n", r.sparsity(), before, after);
        } else {
            r.layerSparsity().forEach((k, v) -> o.printf(Locale.ROOT, "%-40s %.3f zero%n", k, v));
            o.printf(Locale.ROOT, "sparsity %.3f over all weighted layers (dense shapes kept)%n", r.sparsity());
            if (before != null) {
                o.printf(Locale.ROOT, "top-1  %.4f -> %.4f (eval %s)%n", before, after, eval);
            }
            o.printf("wrote %s%n", output);
        }
        o.flush();
        return 0;
    }

    /** Estimates before and after on --target (reference kernels, as the float model runs): JSON or text, or null. */
    private String estimates(Model before, Model after) throws Exception {
        if (target == null) {
            return null;
        }
        io.tinyml.core.target.Target t;
        try {
            t = io.tinyml.core.target.TargetCatalog.get(target);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        io.tinyml.core.estimate.Estimator est = io.tinyml.core.estimate.Estimator.builder().setTarget(t).build();
        io.tinyml.core.estimate.Estimate a = est.estimate(before.graph(), "before");
        io.tinyml.core.estimate.Estimate b = est.estimate(after.graph(), "after");
        if (json) {
            return String.format(Locale.ROOT, "{\"target\":\"%s\",\"flashBefore\":%d,\"flashAfter\":%d,"
                    + "\"ramBefore\":%d,\"ramAfter\":%d,\"latencyMsBefore\":%s,\"latencyMsAfter\":%s}", t.name(),
                    a.flashBytes(), b.flashBytes(), a.ramBytes(), b.ramBytes(), a.latencyMs(), b.latencyMs());
        }
        return String.format(Locale.ROOT, "estimate on %s (float, reference kernels): flash %d -> %d B, RAM %d -> %d B, "
                + "latency %.3f -> %.3f ms%n", t.name(), a.flashBytes(), b.flashBytes(), a.ramBytes(), b.ramBytes(),
                a.latencyMs(), b.latencyMs());
    }

    private void report(PruneReport rep, Double before, Double after, String est) {
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            StringBuilder b = new StringBuilder("{");
            b.append("\"ratio\":").append(ratio).append(',');
            b.append("\"macsBefore\":").append(rep.macsBefore()).append(",\"macsAfter\":").append(rep.macsAfter());
            b.append(",\"weightBytesBefore\":").append(rep.weightBytesBefore()).append(",\"weightBytesAfter\":")
                    .append(rep.weightBytesAfter());
            b.append(",\"refitLayers\":").append(rep.refitLayers());
            b.append(",\"top1Before\":").append(before).append(",\"top1After\":").append(after);
            if (est != null) {
                b.append(",\"estimate\":").append(est);
            }
            b.append(",\"layers\":[");
            for (int i = 0; i < rep.layers().size(); i++) {
                LayerChange c = rep.layers().get(i);
                b.append(i == 0 ? "" : ",").append("{\"layer\":\"").append(c.layer().replace("\\", "\\\\")
                        .replace("\"", "\\\"")).append("\",\"before\":").append(c.before()).append(",\"after\":")
                        .append(c.after()).append('}');
            }
            o.println(b.append("]}"));
        } else {
            o.print(rep.toText());
            if (est != null) {
                o.print(est);
            }
            if (before != null) {
                o.printf("top-1  %.4f -> %.4f (eval %s)%n", before, after, eval);
            }
            o.printf("wrote %s%n", output);
        }
        o.flush();
    }
}
