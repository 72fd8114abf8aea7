package io.tinyml.service;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.GeneratedProject;
import io.tinyml.codegen.ProjectKind;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.LayerEstimate;
import io.tinyml.core.estimate.Violation;
import io.tinyml.core.io.keras.KerasReader;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.prune.PruneResult;
import io.tinyml.prune.Pruner;
import io.tinyml.prune.Recovery;
import io.tinyml.prune.StructuredPruning;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.eval.QuantEval;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The job pipeline on the SDK's existing APIs: read the model (format sniffed at upload) → structured
 * channel pruning if asked (tinyml-prune) → int8 / int16x8 / fp16 quantization if asked
 * (tinyml-quantize) → estimate on the hardware target (flash, RAM, latency, energy per layer) →
 * C99 code generation (tinyml-codegen) → a zip of the model, the C project and the report.
 *
 * <p>Calibration and evaluation use the job's dataset archive when one was uploaded (its first half
 * calibrates, its second half measures top-1 before and after). Without one, calibration uses
 * seeded uniform random inputs in [0, 1) and the report says so; accuracy is then not measured and the
 * optimized model's output noise against the original on those inputs is reported instead.
 * Thread-safe (stateless).
 */
public final class SdkPipeline implements OptimizationPipeline {
    private static final int CALIBRATION_SAMPLES = 256;
    private static final int EVAL_SAMPLES = 1000;

    @Override
    public boolean supportsNas() {
        return false;
    }

    @Override
    public PipelineResult run(JobSpec spec, Path workDir, StageListener listener) throws Exception {
        Target target = TargetCatalog.get(spec.hardwareTarget());
        List<String> notes = new ArrayList<>();
        List<Map<String, Object>> stages = new ArrayList<>();

        long t0 = System.nanoTime();
        listener.stage("read", 2, "reading the " + spec.format() + " model");
        Model original = read(spec);
        Model current = PassPipeline.standard().run(original);
        stages.add(stage("read", t0, current, null, target, original.graph().nodes().size() + " nodes"));
        listener.stage("read", 10, "read " + original.graph().nodes().size() + " nodes");

        Tensor input = current.graph().inputTensor(0);
        boolean floatModel = input.type() == DataType.FLOAT32;
        Dataset cal;
        Dataset eval = null;
        float scale = 1f;
        float offset = 0f;
        if (spec.dataset() != null) {
            listener.stage("dataset", 11, "reading the dataset archive");
            Dataset all = Datasets.readZip(spec.dataset());
            if (all.size() < 2) {
                throw new IllegalArgumentException("expected a dataset archive with at least 2 samples, found "
                        + all.size());
            }
            // archives of class folders list samples class by class: split a seeded permutation, not the order
            int[] order = permutation(all.size());
            int half = all.size() / 2;
            cal = pick(all, order, 0, Math.min(half, CALIBRATION_SAMPLES));
            eval = pick(all, order, half, Math.min(all.size(), half + EVAL_SAMPLES));
            if (all.isUnsigned8()) {
                scale = 1f / 255f;
                notes.add("dataset pixels 0..255 mapped to [0, 1] (scale 1/255)");
            }
            notes.add("calibration on " + cal.size() + " samples, evaluation on " + eval.size()
                    + " other samples of the dataset archive");
        } else {
            cal = synthetic(input.shape(), 100);
            notes.add("no dataset archive: calibrated on " + cal.size() + " seeded uniform random inputs in [0, 1);"
                    + " accuracy not measured (upload a dataset archive for calibration and top-1)");
        }
        InputMapping mapping = InputMapping.builder().setInput(input).optScale(scale).optOffset(offset).build();

        PruneResultInfo pruned = null;
        if (spec.prune()) {
            if (!floatModel) {
                notes.add("pruning skipped: the model is already quantized (prune before quantizing)");
            } else {
                long ts = System.nanoTime();
                listener.stage("prune", 15, "structured pruning, ratio " + spec.pruningSparsity());
                StructuredPruning p = Pruner.of(current).structured().ratio(spec.pruningSparsity())
                        .listener(range(listener, "prune", 15, 40));
                if (spec.dataset() != null) {
                    p = p.calibrate(cal, mapping, cal.size()).recover(Recovery.LEAST_SQUARES);
                }
                try {
                    PruneResult r = p.apply();
                    current = r.model();
                    pruned = new PruneResultInfo(r.report().macsBefore(), r.report().macsAfter(),
                            r.report().weightBytesBefore(), r.report().weightBytesAfter());
                    stages.add(stage("prune", ts, current, null, target, "MACs " + pruned.macsBefore + " -> "
                            + pruned.macsAfter));
                } catch (IllegalArgumentException e) {
                    notes.add("pruning skipped: " + e.getMessage());
                }
            }
        }
        listener.stage("prune", 40, spec.prune() ? "pruning done" : "pruning not requested");

        Model fp = current;
        if (spec.quantize()) {
            if (!floatModel) {
                notes.add("quantization skipped: the model is already " + input.type());
            } else {
                long ts = System.nanoTime();
                listener.stage("quantize", 42, spec.quantizationType() + " quantization");
                current = switch (spec.quantizationType()) {
                    case "fp16" -> Quantizer.of(current).fp16().apply();
                    case "int8", "int16x8" -> (spec.quantizationType().equals("int8") ? Quantizer.of(current).int8()
                            : Quantizer.of(current).int16x8()).perChannel().calibrate(cal, cal.size())
                            .inputScale(scale).inputOffset(offset).listener(range(listener, "quantize", 42, 70)).apply();
                    default -> throw new IllegalArgumentException("expected quantization_type int8, int16x8 or fp16, "
                            + "found '" + spec.quantizationType() + "'");
                };
                stages.add(stage("quantize", ts, current, null, target, spec.quantizationType()));
            }
        }
        listener.stage("evaluate", 70, "measuring accuracy");
        Double before = null;
        Double after = null;
        Double noise = null;
        if (eval != null) {
            before = QuantEval.top1(PassPipeline.standard().run(original), eval, scale, offset);
            after = QuantEval.top1(current, eval, scale, offset);
            stages.get(0).put("accuracy", before);
            stages.get(stages.size() - 1).put("accuracy", after);
            if (pruned != null && spec.quantize() && floatModel) {
                stages.get(1).put("accuracy", QuantEval.top1(fp, eval, scale, offset));
            }
        } else if (current != original) {
            List<float[]> xs = new ArrayList<>();
            for (int i = 0; i < Math.min(20, cal.size()); i++) {
                xs.add(mapping.toRealValues(cal.get(i)));
            }
            noise = QuantEval.outputNoise(PassPipeline.standard().run(original), current, xs);
        }

        listener.stage("estimate", 75, "estimating on " + target.name());
        Estimate est = Estimator.builder().setTarget(target).build().estimate(current);
        listener.stage("codegen", 80, "generating C99 sources");
        GeneratedProject project = CodeGenerator.generate(current, new CodegenOptions("tinyml", ProjectKind.MAKE));
        listener.stage("package", 95, "writing the result archive");
        byte[] modelBytes = TfliteWriter.write(current);
        Map<String, Object> report = report(spec, target, original, modelBytes.length, est, project, stages, notes,
                before, after, noise, pruned);
        return archive(workDir, listener, modelBytes, project, report, Map.of(), before, after);
    }

    /**
     * Writes {@code result.zip} (the model, the C project under {@code c/}, {@code report.json} and any
     * extra text files) and reports it as the last stage.
     */
    static PipelineResult archive(Path workDir, StageListener listener, byte[] modelBytes, GeneratedProject project,
                                  Map<String, Object> report, Map<String, String> extraFiles, Double before,
                                  Double after) throws IOException {
        Path zip = workDir.resolve("result.zip");
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
            put(z, "model.tflite", modelBytes);
            for (Map.Entry<String, String> f : project.files().entrySet()) {
                put(z, "c/" + f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8));
            }
            put(z, "report.json", Json.write(report).getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> f : extraFiles.entrySet()) {
                put(z, f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        listener.stage("package", 99, "result archive " + Files.size(zip) + " bytes");
        return new PipelineResult(report, zip, modelBytes.length, before, after);
    }

    private record PruneResultInfo(long macsBefore, long macsAfter, long weightBytesBefore, long weightBytesAfter) {
    }

    static Model read(JobSpec spec) throws Exception {
        return switch (spec.format()) {
            case "tflite" -> TfliteReader.read(spec.model());
            case "onnx" -> OnnxReader.read(spec.model());
            case "keras" -> KerasReader.read(spec.model());
            default -> throw new IllegalArgumentException("expected a model format tflite, onnx or keras, found '"
                    + spec.format() + "'");
        };
    }

    static int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(1234);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static Dataset pick(Dataset all, int[] order, int from, int to) {
        Dataset.Builder b = Dataset.builder(all.sampleShape()).optClasses(all.classes())
                .optSource("the dataset archive").optExpectedSize(to - from);
        for (int i = from; i < to; i++) {
            b.add(all.values(order[i]), all.label(order[i]));
        }
        return b.build();
    }

    private static Dataset synthetic(Shape inputShape, int n) {
        int[] dims = inputShape.toArray();
        Shape sample = dims.length > 1 && dims[0] == 1 ? Shape.of(java.util.Arrays.copyOfRange(dims, 1, dims.length))
                : inputShape;
        Dataset.Builder b = Dataset.builder(sample).optSource("synthetic uniform [0, 1), seed 42");
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < n; i++) {
            float[] v = new float[sample.elementCount()];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) rnd.nextDouble();
            }
            b.add(v, 0);
        }
        return b.build();
    }

    static ProgressListener range(StageListener l, String stage, int from, int to) {
        int[] last = {-1};
        return (task, done, total) -> {
            int pct = total <= 0 ? from : (int) (from + (to - from) * Math.min(1.0, (double) done / total));
            if (pct != last[0]) {
                last[0] = pct;
                l.stage(stage, pct, task + " " + done + "/" + total);
            }
        };
    }

    static Map<String, Object> stage(String name, long startNs, Model m, Double accuracy, Target target,
                                             String detail) throws Exception {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("seconds", Math.round((System.nanoTime() - startNs) / 1e6) / 1000.0);
        s.put("size_bytes", TfliteWriter.write(m).length);
        Estimate e = Estimator.builder().setTarget(target).build().estimate(m);
        s.put("flash_bytes", e.flashBytes());
        s.put("ram_bytes", e.ramBytes());
        s.put("latency_ms", e.latencyMs());
        s.put("accuracy", accuracy);
        s.put("detail", detail);
        return s;
    }

    static Map<String, Object> report(JobSpec spec, Target target, Model original, long optimizedBytes,
                                              Estimate est, GeneratedProject project, List<Map<String, Object>> stages,
                                              List<String> notes, Double before, Double after, Double noise,
                                              PruneResultInfo pruned) throws Exception {
        long originalBytes = Files.size(spec.model());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("hardware_target", target.name());
        r.put("original_size_bytes", originalBytes);
        r.put("optimized_size_bytes", optimizedBytes);
        r.put("compression_ratio", Math.round(100.0 * originalBytes / optimizedBytes) / 100.0);
        r.put("accuracy_before", before);
        r.put("accuracy_after", after);
        r.put("output_noise_to_signal", noise);
        long budget = (long) spec.targetSizeKb() * 1024;
        r.put("target_size_kb", spec.targetSizeKb());
        r.put("meets_target_size", est.flashBytes() <= budget);
        r.put("target_accuracy_threshold", spec.targetAccuracy());
        r.put("meets_accuracy_threshold", after == null ? null : after >= spec.targetAccuracy());
        if (pruned != null) {
            r.put("pruning", Map.of("macs_before", pruned.macsBefore, "macs_after", pruned.macsAfter,
                    "weight_bytes_before", pruned.weightBytesBefore, "weight_bytes_after", pruned.weightBytesAfter));
        }
        Map<String, Object> bench = new LinkedHashMap<>();
        bench.put("flash_usage_bytes", est.flashBytes());
        bench.put("ram_usage_bytes", est.ramBytes());
        bench.put("arena_bytes", est.arenaBytes());
        bench.put("inference_time_ms", est.latencyMs());
        bench.put("cycles_per_inference", est.cycles());
        bench.put("power_consumption_mw", target.activePowerMw() > 0 ? target.activePowerMw() : null);
        bench.put("energy_per_inference_uj", est.energyUj() > 0 ? est.energyUj() : null);
        bench.put("throughput_inferences_per_second", est.latencyMs() > 0 ? 1000.0 / est.latencyMs() : null);
        bench.put("fits_target", est.fits());
        bench.put("violations", est.violations().stream().map(Violation::toString).toList());
        bench.put("source", "SDK estimator (" + est.kernels() + " kernels on " + target.description() + ")");
        r.put("benchmark_results", List.of(bench));
        List<Map<String, Object>> layers = new ArrayList<>();
        for (LayerEstimate l : est.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("op", l.op());
            m.put("macs", l.macs());
            m.put("latency_ms", l.latencyMs());
            m.put("live_bytes", l.liveBytes());
            layers.add(m);
        }
        r.put("layers", layers);
        r.put("stages", stages);
        r.put("codegen", Map.of("files", project.files().size(), "arena_bytes", project.arenaBytes(),
                "weight_bytes", project.weightBytes()));
        r.put("notes", notes);
        r.put("estimate_notes", est.notes());
        return r;
    }

    private static void put(ZipOutputStream z, String name, byte[] data) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(data);
        z.closeEntry();
    }
}
