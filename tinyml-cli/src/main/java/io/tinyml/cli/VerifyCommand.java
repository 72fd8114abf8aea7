package io.tinyml.cli;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Verify;
import io.tinyml.core.eval.VerifyResult;
import io.tinyml.core.runner.ModelRunner;
import io.tinyml.core.runner.ModelRunners;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;

/**
 * {@code tinyml verify MODEL --against OTHER [--data DATASET | --random N] [--input-scale S]
 * [--input-offset O] [--seed SEED] [--tolerance T] [--min-agreement A] [--json]}: runs two executions of
 * the same network on the same inputs and reports how closely they agree (max absolute and relative
 * error, argmax agreement); exits with {@link Main#EXIT_GATE} (3) when they agree less than required.
 *
 * <p>A {@code .pt} file runs with PyTorch (its input shapes are taken from the other model, NHWC
 * images as NCHW), a directory holding {@code saved_model.pb} with TensorFlow, anything else is read
 * by the SDK and runs in its interpreter.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compares a model with another execution of the same network (e.g. an imported or converted "
                + "model against the framework that trained it) on the same inputs.",
                "MODEL and OTHER: a model file (.tflite, ...), a TorchScript .pt file (run with PyTorch) or a "
                        + "SavedModel directory (run with TensorFlow)."})
final class VerifyCommand implements Callable<Integer> {
    private static final int DEFAULT_RANDOM = 10;

    @Parameters(index = "0", paramLabel = "MODEL", description = "the model under test")
    Path model;

    @Option(names = "--against", required = true, paramLabel = "OTHER", description = "the reference model")
    Path against;

    @Option(names = "--data", paramLabel = "DATASET",
            description = "inputs from a dataset: IDX directory, CSV, image folder or .zip, optionally sliced: "
                    + "PATH[from:to]")
    String data;

    @Option(names = "--random", paramLabel = "N",
            description = "N seeded random inputs, uniform in the real range both models accept (a quantized "
                    + "input's integer range; [0, 1) when neither is quantized), quantized by each model with its "
                    + "own parameters (default when --data is absent: " + DEFAULT_RANDOM + ")")
    Integer random;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "seed of the random inputs (default ${DEFAULT-VALUE})")
    long seed;

    @picocli.CommandLine.Mixin
    MappingOptions map = new MappingOptions();

    @Option(names = "--tolerance", paramLabel = "T",
            description = "fail (exit status 3) when an output differs by more than T (absolute; default: not checked)")
    Double tolerance;

    @Option(names = "--min-agreement", paramLabel = "A", defaultValue = "1",
            description = "fail (exit status 3) when fewer than this fraction of argmaxes agree (default ${DEFAULT-VALUE})")
    double minAgreement;

    @Option(names = "--json", description = "machine-readable output: {\"maxAbsError\":X,\"maxRelError\":X,"
            + "\"argmaxAgreement\":X,\"samples\":N,\"inputs\":[{\"low\":L,\"high\":H}] (random inputs' range) "
            + "or null (--data),\"mapping\":{..} (--data) or null,\"tolerance\":T,\"minAgreement\":A,\"passed\":true|false}")
    boolean json;

    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (data != null && random != null) {
            throw new BadInputException("expected either --data or --random, found both");
        }
        if (random != null && random < 1) {
            throw new BadInputException("expected --random N with N >= 1, found " + random);
        }
        if (tolerance != null && !(tolerance >= 0)) {
            throw new BadInputException("expected --tolerance T with T >= 0, found " + tolerance);
        }
        if (!(minAgreement >= 0 && minAgreement <= 1)) {
            throw new BadInputException("expected --min-agreement A with 0 <= A <= 1, found " + minAgreement);
        }
        if (data == null && (map.scaled() || map.resize)) {
            throw new BadInputException("expected --input-scale/--input-offset/--resize only with --data, found them without");
        }
        requireExists(model);
        requireExists(against);
        boolean torchA = ModelRunners.isTorchScript(model);
        boolean torchB = ModelRunners.isTorchScript(against);
        if (torchA && torchB) {
            throw new BadInputException("expected at least one model that declares its input shapes, found two "
                    + "TorchScript files (" + model + ", " + against + ")");
        }
        PrintWriter err = spec.commandLine().getErr();
        VerifyResult r;
        List<Verify.Range> ranges = null;
        String mappingJson = "null";
        // open the model that declares its inputs first: a TorchScript module takes its shapes from it
        try (ModelRunner first = ModelRunners.open(torchA ? against : model, List.of());
             ModelRunner second = ModelRunners.open(torchA ? model : against, ModelRunners.torchShapes(first))) {
            ModelRunner a = torchA ? second : first;
            ModelRunner b = torchA ? first : second;
            ProgressListener progress = json ? ProgressListener.NONE : main.progress(err, "");
            if (data != null) {
                Dataset ds = Datasets.open(data);
                InputMapping mapping = Verify.mappingFor(a, map.scale, map.offset, map.resize);
                MappingOptions.check(mapping, ds);
                r = Verify.dataset(a, b, ds, mapping, progress);
                mappingJson = MappingOptions.json(mapping, ds, null);
            } else {
                ranges = Verify.randomRanges(a, b);
                r = Verify.random(a, b, random == null ? DEFAULT_RANDOM : random, seed, progress);
            }
        }
        List<String> failures = new ArrayList<>();
        if (r.argmaxAgreement() < minAgreement) {
            failures.add("argmax agreement " + r.argmaxAgreement() + " below --min-agreement " + Numbers.sig(minAgreement));
        }
        if (tolerance != null && !(r.maxAbsError() <= tolerance)) {
            failures.add("max abs error " + Numbers.sig(r.maxAbsError()) + " above --tolerance " + Numbers.sig(tolerance));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            String base = r.toJson();
            StringBuilder b = new StringBuilder(base.substring(0, base.length() - 1));
            b.append(",\"inputs\":");
            if (ranges == null) {
                b.append("null");
            } else {
                b.append(ranges.stream().map(x -> "{\"low\":" + x.low() + ",\"high\":" + x.high() + "}")
                        .collect(Collectors.joining(",", "[", "]")));
            }
            b.append(",\"mapping\":").append(mappingJson);
            b.append(",\"tolerance\":").append(tolerance).append(",\"minAgreement\":").append(minAgreement)
                    .append(",\"passed\":").append(failures.isEmpty()).append('}');
            out.println(b);
        } else {
            if (ranges != null) {
                out.printf("random inputs:    uniform in %s%n", ranges.stream()
                        .map(x -> "[" + Numbers.sig(x.low()) + ", " + Numbers.sig(x.high()) + "]")
                        .collect(Collectors.joining(", ")));
            }
            out.printf("samples:          %d%nmax abs error:    %s%nmax rel error:    %s%nargmax agreement: %.4f%n",
                    r.samples(), Numbers.sig(r.maxAbsError()), Numbers.sig(r.maxRelError()), r.argmaxAgreement());
        }
        out.flush();
        if (!failures.isEmpty()) {
            err.println("tinyml verify: " + String.join("; ", failures));
            err.flush();
            return Main.EXIT_GATE;
        }
        return 0;
    }

    private static void requireExists(Path p) throws NoSuchFileException {
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
    }

}
