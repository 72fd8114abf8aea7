package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.codegen.report.EmulatorMeasurement;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.EstimateReports;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.estimate.plan.GreedyBySizePlanner;
import io.tinyml.core.estimate.plan.MemoryPlanner;
import io.tinyml.core.estimate.plan.OptimalPlanner;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.json.Json;
import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.target.TargetFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tinyml estimate MODEL --target NAME [--target-file F.json] [--kernels reference|optimized|generated]
 * [--planner greedy|optimal] [--order-search-ms MS] [--json] [--markdown] [--svg FILE] [--measure]}: flash, RAM,
 * latency and energy on a board, per layer, with the fit check; each figure labelled measured, calibrated or
 * extrapolated ({@code --measure} adds the generated firmware's figures measured under QEMU). Exits with
 * {@link Main#EXIT_GATE} (3) when the model does not fit
 * the target (flash, RAM, an operator without a kernel) or misses {@code --latency-budget-ms}.
 */
@Command(name = "estimate", mixinStandardHelpOptions = true,
        description = {"Estimates flash, RAM, arena, latency and energy of a model on a target, and checks the fit.",
                "Exit status 3 when the model does not fit or misses --latency-budget-ms (the report is printed "
                        + "all the same)."})
public final class EstimateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file")
    Path model;

    @Option(names = "--target", paramLabel = "NAME", description = "target name (see 'tinyml targets')")
    String target;

    @Option(names = "--target-file", paramLabel = "FILE", description = "JSON file with user-defined targets")
    Path targetFile;

    @Option(names = "--kernels", paramLabel = "LIB", defaultValue = "reference",
            description = "reference, optimized or generated (default: ${DEFAULT-VALUE})")
    String kernels;

    @Option(names = "--planner", paramLabel = "NAME", defaultValue = "greedy",
            description = "greedy or optimal (default: ${DEFAULT-VALUE})")
    String planner;

    @Option(names = "--planner-budget-ms", paramLabel = "MS", defaultValue = "2000",
            description = "time budget of the optimal planner (default: ${DEFAULT-VALUE})")
    long plannerBudgetMs;

    @Option(names = "--order-search-ms", paramLabel = "MS", defaultValue = "0",
            description = "search the execution order for a lower memory peak for this long (0: graph order)")
    long orderSearchMs;

    @Option(names = "--latency-budget-ms", paramLabel = "MS", defaultValue = "0",
            description = "fail the fit (exit status 3) above this latency (0: no budget)")
    double latencyBudgetMs;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Option(names = "--markdown", description = "Markdown output")
    boolean markdown;

    @Option(names = "--svg", paramLabel = "FILE", description = "also write an SVG report (live memory, latency)")
    Path svg;

    @Option(names = "--force", description = "replace the --svg file if it exists")
    boolean force;

    @Option(names = "--measure", description = {"also build the generated firmware for the emulated target "
            + "(qemu-mps2-an386, qemu-mps2-an500 or qemu-riscv32-virt; needs --kernels generated), run one inference "
            + "under QEMU and report its measured flash, RAM and instructions next to the estimate"})
    boolean measure;

    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Creates the command. */
    public EstimateCommand() {
    }

    @Override
    public Integer call() throws Exception {
        if (svg != null) {
            Outputs.check(svg, false, force, model, targetFile);
        }
        Target t = resolveTarget();
        KernelLibrary k = KernelLibrary.parse(kernels);
        PrintWriter err = spec.commandLine().getErr();
        MemoryPlanner p = switch (planner.toLowerCase(java.util.Locale.ROOT)) {
            case "greedy" -> new GreedyBySizePlanner();
            case "optimal" -> new OptimalPlanner(Duration.ofMillis(plannerBudgetMs), main.progress(err, " ms"));
            default -> throw new BadInputException("expected --planner greedy or optimal, found '" + planner + "'");
        };
        Model m = ModelIO.read(model);
        Estimator.Builder eb = Estimator.builder().setTarget(t).optKernels(k).optPlanner(p)
                .optLatencyBudgetMs(latencyBudgetMs);
        if (orderSearchMs > 0) {
            eb.optOrderSearch(Duration.ofMillis(orderSearchMs));
        }
        Estimate e = eb.build().estimate(m.graph(), model.getFileName().toString());
        EmulatorMeasurement measured = measure ? MeasureOnEmulator.run(m, t, k, err) : null;
        PrintWriter out = spec.commandLine().getOut();
        if (svg != null) {
            Outputs.write(svg, EstimateReports.svg(e).getBytes(StandardCharsets.UTF_8), force, model, targetFile);
        }
        if (json) {
            Map<String, Object> map = EstimateReports.toMap(e);
            if (measured != null) {
                map.put("measured", MeasureOnEmulator.toMap(measured));
            }
            out.println(Json.write(map));
        } else if (markdown) {
            out.print(EstimateReports.markdown(e));
            if (measured != null) {
                out.print(MeasureOnEmulator.markdown(e, measured));
            }
        } else {
            out.print(EstimateReports.text(e));
            if (measured != null) {
                out.print(MeasureOnEmulator.text(e, measured));
            }
            if (svg != null) {
                out.println("svg: " + svg);
            }
        }
        out.flush();
        if (!e.fits()) {
            List<String> why = new java.util.ArrayList<>(e.violations().stream().map(v -> v.message()).toList());
            if (!e.unsupportedOps().isEmpty()) {
                why.add("no kernel for " + e.unsupportedOps());
            }
            err.println("tinyml estimate: does not fit " + t.name() + ": " + String.join("; ", why));
            err.flush();
            return Main.EXIT_GATE;
        }
        return 0;
    }

    private Target resolveTarget() throws java.io.IOException {
        List<Target> fromFile = targetFile != null ? TargetFiles.read(targetFile) : List.of();
        if (target == null) {
            if (fromFile.size() == 1) {
                return fromFile.get(0);
            }
            throw new BadInputException("expected --target NAME (see 'tinyml targets'), found none");
        }
        for (Target t : fromFile) {
            if (t.name().equals(target)) {
                return t;
            }
        }
        return TargetCatalog.get(target);
    }
}
