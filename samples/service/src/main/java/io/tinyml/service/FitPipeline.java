package io.tinyml.service;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.GeneratedProject;
import io.tinyml.codegen.ProjectKind;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.nas.Constraints;
import io.tinyml.nas.Fidelity;
import io.tinyml.nas.Fit;
import io.tinyml.nas.FitReport;
import io.tinyml.nas.FitStep;
import io.tinyml.nas.Shortfall;
import io.tinyml.quantize.eval.QuantEval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The service's pipeline with architecture search: jobs that ask for it ({@code enable_nas}, a tier with
 * search) run the SDK's {@code tinyml fit} — int8 post-training quantization, then structured pruning
 * with recovery (when {@code enable_pruning}), then an architecture search trained on the job's dataset —
 * and stop at the first int8 model whose estimate fits {@code target_size_kb} of flash on the hardware
 * target and whose top-1 on the held-out half of the dataset reaches {@code target_accuracy_threshold}.
 * Every other job runs the fixed steps of {@link SdkPipeline} (the form's own pruning ratio and
 * quantization type). A search job whose request cannot be met fails with the fit report's "does not
 * fit" summary: the closest attempt and each budget it misses, by how much.
 *
 * <p>Thread-safe (stateless apart from its immutable configuration).
 */
public final class FitPipeline implements OptimizationPipeline {
    private final SdkPipeline fixed = new SdkPipeline();
    private final int population;
    private final int generations;
    private final Fidelity proxy;
    private final Fidelity full;
    private final int fineTuneEpochs;

    /** The search budget of {@code tinyml fit}'s defaults: population 8, 3 generations, 2-epoch proxies, 10-epoch front. */
    public FitPipeline() {
        this(8, 3, new Fidelity(2, 2000, 1000), Fidelity.full(10), 2);
    }

    /**
     * A pipeline with its own search budget (small budgets for tests and small machines).
     *
     * @param population the search's population
     * @param generations its generations
     * @param proxy the low-fidelity training of every candidate
     * @param full the training of the front
     * @param fineTuneEpochs epochs of fine-tuning after pruning (0: none)
     */
    public FitPipeline(int population, int generations, Fidelity proxy, Fidelity full, int fineTuneEpochs) {
        this.population = population;
        this.generations = generations;
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.full = Objects.requireNonNull(full, "full");
        this.fineTuneEpochs = fineTuneEpochs;
    }

    @Override
    public boolean supportsNas() {
        return true;
    }

    @Override
    public PipelineResult run(JobSpec spec, Path workDir, StageListener listener) throws Exception {
        if (!spec.nas()) {
            return fixed.run(spec, workDir, listener);
        }
        if (spec.dataset() == null) {
            throw new IllegalArgumentException("enable_nas: architecture search trains candidates and measures their "
                    + "top-1, so it needs a dataset archive (dataset_file)");
        }
        if (!spec.quantize() || !spec.quantizationType().equals("int8")) {
            throw new IllegalArgumentException("enable_nas: the search produces int8 models; expected "
                    + "enable_quantization=true and quantization_type=int8, found " + spec.quantizationType());
        }
        Target target = TargetCatalog.get(spec.hardwareTarget());
        listener.stage("read", 2, "reading the " + spec.format() + " model");
        Model original = PassPipeline.standard().run(SdkPipeline.read(spec));
        if (original.graph().inputTensor(0).type() != DataType.FLOAT32) {
            throw new IllegalArgumentException("enable_nas: expected a float model to search from, found a "
                    + original.graph().inputTensor(0).type() + " model");
        }
        listener.stage("dataset", 5, "reading the dataset archive");
        Dataset all = Datasets.readZip(spec.dataset());
        if (all.size() < 4) {
            throw new IllegalArgumentException("expected a dataset archive with at least 4 samples, found " + all.size());
        }
        int[] order = SdkPipeline.permutation(all.size());
        int half = all.size() / 2;
        Dataset train = SdkPipeline.pick(all, order, 0, half);
        Dataset eval = SdkPipeline.pick(all, order, half, all.size());
        float scale = all.isUnsigned8() ? 1f / 255f : 1f;
        List<String> notes = new ArrayList<>();
        notes.add("tinyml fit: trained and calibrated on " + train.size() + " samples of the dataset archive, top-1 on "
                + eval.size() + " other samples" + (scale != 1f ? "; pixels 0..255 mapped to [0, 1]" : ""));

        Constraints c = Constraints.builder().setTarget(target).optMaxFlash((long) spec.targetSizeKb() * 1024).build();
        Path searchDir = Files.createDirectories(workDir.resolve("search"));
        long t0 = System.nanoTime();
        FitReport r = Fit.of(original).setConstraints(c).setMinAccuracy(spec.targetAccuracy()).setData(train, eval)
                .optInputMapping(scale, 0f).optPruning(spec.prune()).optSearch(true)
                .optSearchBudget(population, generations, proxy, full).optFineTuneEpochs(fineTuneEpochs)
                .optWorkDirectory(searchDir)
                .optListener(SdkPipeline.range(listener, "fit", 8, 85)).run();
        if (!r.fits()) {
            FitStep closest = r.closest();
            StringBuilder why = new StringBuilder("does not fit: no step of tinyml fit met every requirement ("
                    + r.steps().size() + " tried)");
            if (closest != null) {
                why.append("; closest: ").append(closest.name());
                for (Shortfall f : closest.shortfalls()) {
                    why.append("; ").append(f.message());
                }
            }
            throw new IllegalArgumentException(why.toString());
        }
        Model best = r.model();
        List<Map<String, Object>> stages = new ArrayList<>();
        for (FitStep s : r.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("seconds", null);
            m.put("flash_bytes", s.flashBytes());
            m.put("ram_bytes", s.ramBytes());
            m.put("latency_ms", s.latencyMs());
            m.put("accuracy", Double.isNaN(s.accuracy()) ? null : s.accuracy());
            m.put("detail", s.fits() ? "fits" : String.join("; ", s.shortfalls().stream().map(Shortfall::message)
                    .toList()));
            stages.add(m);
        }
        notes.add("tinyml fit took " + Math.round((System.nanoTime() - t0) / 1e9) + " s; accepted: " + r.accepted().name());

        listener.stage("evaluate", 86, "measuring accuracy");
        double before = QuantEval.top1(original, eval, scale, 0f);
        double after = r.accepted().accuracy();
        listener.stage("codegen", 90, "generating C99 sources");
        GeneratedProject project = CodeGenerator.generate(best, new CodegenOptions("tinyml", ProjectKind.MAKE));
        byte[] modelBytes = TfliteWriter.write(best);
        Map<String, Object> report = SdkPipeline.report(spec, target, original, modelBytes.length, r.estimate(),
                project, stages, notes, before, after, null, null);
        // the report names the search's model files by their place in the work directory, not the server's path
        report.put("fit", Json.readMap(r.toJson().replace(workDir.toAbsolutePath() + "/", "")));
        listener.stage("package", 95, "writing the result archive");
        return SdkPipeline.archive(workDir, listener, modelBytes, project, report,
                Map.of("fit-report.txt", r.toText()), before, after);
    }
}
