package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.nas.Constraints;
import io.tinyml.nas.Fidelity;
import io.tinyml.nas.Fit;
import io.tinyml.nas.FitReport;
import io.tinyml.nas.SearchSpace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tinyml fit MODEL --target T --max-flash SIZE [--max-ram SIZE] [--max-latency-ms MS] --min-accuracy A
 * --data D --eval D [--no-nas] [--no-prune] --output DIR [--json]}: int8/mixed PTQ, then structured pruning,
 * then architecture search, until a model meets every budget; writes the model, its C project, its estimate
 * and the report of every step. Exit 0 when a model fits, {@link Main#EXIT_GATE} (3) when none does (the
 * report is still written and says which requirement failed by how much).
 */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = "Makes a model fit a target: int8/mixed PTQ, then structured pruning, then architecture search, "
                + "stopping at the first int8 model that meets every budget and the accuracy; writes model.tflite, "
                + "c/, estimate.json and report.json. Exit 3 when nothing fits. Sizes: 512B, 100kB (k = 1024), 1MB.")
final class FitCommand implements Callable<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|k|kB|KB|KiB|M|MB|MiB)?");

    @Parameters(index = "0", paramLabel = "MODEL", description = "the float classifier (.tflite, .onnx, .h5/.keras)")
    Path model;

    @Option(names = "--target", paramLabel = "T", defaultValue = "cortex-m4", description = "target (default ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--kernels", paramLabel = "K", defaultValue = "generated",
            description = "kernel library the estimate assumes (default ${DEFAULT-VALUE}: this SDK's C)")
    String kernels;

    @Option(names = "--max-flash", paramLabel = "SIZE", description = "whole-firmware flash budget, e.g. 100kB")
    String maxFlash;

    @Option(names = "--max-ram", paramLabel = "SIZE", description = "RAM budget (data, bss, stack), e.g. 64kB")
    String maxRam;

    @Option(names = "--max-latency-ms", paramLabel = "MS", description = "latency budget per inference")
    Double maxLatencyMs;

    @Option(names = "--max-energy-uj", paramLabel = "UJ", description = "energy budget per inference")
    Double maxEnergyUj;

    @Option(names = "--min-accuracy", required = true, paramLabel = "A", description = "required int8 top-1 on --eval")
    double minAccuracy;

    @Option(names = "--data", required = true, paramLabel = "DATASET",
            description = "labelled training/calibration data, PATH or PATH[from:to]")
    String data;

    @Option(names = "--eval", required = true, paramLabel = "DATASET", description = "labelled evaluation data")
    String eval;

    @Option(names = "--no-nas", description = "skip the architecture search")
    boolean noNas;

    @Option(names = "--no-prune", description = "skip structured pruning")
    boolean noPrune;

    @Option(names = "--space", paramLabel = "JSON", description = "search space file (default: DS-CNN at the input size)")
    Path space;

    @Option(names = "--population", paramLabel = "N", defaultValue = "8", description = "search population (default ${DEFAULT-VALUE})")
    int population;

    @Option(names = "--generations", paramLabel = "N", defaultValue = "3", description = "search generations (default ${DEFAULT-VALUE})")
    int generations;

    @Option(names = "--proxy-epochs", paramLabel = "N", defaultValue = "2", description = "proxy epochs (default ${DEFAULT-VALUE})")
    int proxyEpochs;

    @Option(names = "--proxy-samples", paramLabel = "N", defaultValue = "2000",
            description = "proxy training samples (default ${DEFAULT-VALUE})")
    int proxySamples;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "full training epochs (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--work", paramLabel = "DIR",
            description = "keep the search checkpoint and candidates here (a re-run resumes); default: a temporary folder")
    Path work;

    @picocli.CommandLine.Mixin
    MappingOptions map = new MappingOptions();

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "output directory")
    Path output;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Option(names = "--force", description = "write into an existing output directory")
    boolean force;

    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (maxFlash == null && maxRam == null && maxLatencyMs == null && maxEnergyUj == null) {
            throw new BadInputException("expected at least one budget (--max-flash, --max-ram, --max-latency-ms, "
                    + "--max-energy-uj), found none");
        }
        Constraints.Builder cb = Constraints.builder().setTarget(target).optKernels(KernelLibrary.parse(kernels));
        if (maxFlash != null) {
            cb.optMaxFlash(bytes("--max-flash", maxFlash));
        }
        if (maxRam != null) {
            cb.optMaxRam(bytes("--max-ram", maxRam));
        }
        if (maxLatencyMs != null) {
            cb.optMaxLatencyMs(maxLatencyMs);
        }
        if (maxEnergyUj != null) {
            cb.optMaxEnergyUj(maxEnergyUj);
        }
        Constraints c = cb.build();
        SearchSpace sp = space == null ? null : SearchSpace.read(space);
        Outputs.check(output, true, force, model);
        Model m = ModelIO.read(model);
        Dataset train = Datasets.open(data);
        Dataset ev = Datasets.open(eval);
        MappingOptions.check(map.mapping(m.graph().inputTensor(0)), train, ev);
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = json ? ProgressListener.NONE : main.progress(err, "");
        Path dir = work != null ? work : Files.createTempDirectory("tinyml-fit");
        FitReport r;
        try {
            Fit fit = Fit.of(m).setConstraints(c).setMinAccuracy(minAccuracy).setData(train, ev)
                    .optInputMapping(map.scale, map.offset).optPruning(!noPrune).optSearch(!noNas)
                    .optSearchBudget(population, generations, new Fidelity(proxyEpochs, proxySamples, 1000),
                            Fidelity.full(epochs))
                    .optSeed(seed).optWorkDirectory(dir).optListener(progress);
            if (sp != null) {
                fit.optSearchSpace(sp);
            }
            r = fit.run();
        } catch (IllegalStateException e) {
            throw new BadInputException(e.getMessage());
        } finally {
            if (work == null) {
                deleteTree(dir);
            }
        }
        Outputs.writeDirectory(output, files(r), force, model);
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(r.toJson());
        } else {
            o.print(r.toText());
            o.printf("wrote %s%n", output);
        }
        o.flush();
        if (!r.fits()) {
            err.println("tinyml fit: does not fit: " + String.join("; ", r.closest() == null ? java.util.List.of()
                    : r.closest().shortfalls().stream().map(s -> s.message()).toList()));
            err.flush();
            return Main.EXIT_GATE;
        }
        return 0;
    }

    /**
     * The report's files plus, when the model fits, its C project under {@code c/} (composed here: the search
     * module does not depend on code generation).
     */
    static java.util.Map<String, byte[]> files(FitReport r)
            throws IOException, io.tinyml.core.UnsupportedOperatorException {
        java.util.Map<String, byte[]> f = r.files();
        if (r.fits()) {
            CodeGenerator.generate(r.model(), CodegenOptions.defaults()).files()
                    .forEach((name, text) -> f.put("c/" + name,
                            text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return f;
    }

    /** Parses a size: a number and an optional unit B, k/kB/KB/KiB (1024) or M/MB/MiB (1024 x 1024). */
    static long bytes(String option, String text) {
        Matcher mt = SIZE.matcher(text.trim());
        if (!mt.matches()) {
            throw new BadInputException("expected " + option + " like 32kB, 16384 or 1MB, found '" + text + "'");
        }
        double v = Double.parseDouble(mt.group(1));
        String unit = mt.group(2) == null ? "B" : mt.group(2);
        double mul = switch (unit) {
            case "B" -> 1;
            case "k", "kB", "KB", "KiB" -> 1024;
            default -> 1024 * 1024;
        };
        long b = Math.round(v * mul);
        if (b <= 0) {
            throw new BadInputException("expected a positive " + option + ", found '" + text + "'");
        }
        return b;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
