package io.tinyml.service;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.testing.Assets;
import io.tinyml.nas.Fidelity;
import io.tinyml.quantize.eval.QuantEval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A search job ({@code enable_nas}) runs the SDK's {@code fit}: tiny_digits' int8 firmware does not fit
 * 12 kB, so the architecture search (small budget) trains models on the job's dataset archive (500 digits); the result
 * archive's model is re-read, re-estimated and re-scored independently of the report. An impossible
 * request fails the job with the "does not fit" summary.
 */
class FitPipelineTest {
    private static final FitPipeline SMALL = new FitPipeline(4, 1, new Fidelity(2, 500, 500), Fidelity.full(8), 0);

    @Test
    void searchJobRunsFitAndItsModelIsWhatTheReportSays(@TempDir Path dir) throws Exception {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        Path data = dir.resolve("digits.zip");
        Files.write(data, TestFiles.mnistZip(Assets.require("datasets/mnist10k"), 1000));
        JobSpec spec = new JobSpec(model, "onnx", data, "cortex-m4", 12, 0.5, true, false, true, "int8", 0.5);
        List<Integer> percents = new ArrayList<>();
        Path work = Files.createDirectories(dir.resolve("work"));
        PipelineResult r = SMALL.run(spec, work, (stage, pct, msg) -> percents.add(pct));
        System.out.println(Json.write(r.report().get("fit")));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) ((Map<String, Object>) r.report().get("fit"))
                .get("steps");
        assertTrue(String.valueOf(steps.get(0).get("name")).startsWith("int8 PTQ"), steps.toString());
        assertTrue(String.valueOf(steps.get(steps.size() - 1).get("name")).startsWith("architecture search"),
                steps.toString());
        Model got;
        try (ZipFile z = new ZipFile(r.archive().toFile())) {
            Path tflite = dir.resolve("got.tflite");
            Files.write(tflite, z.getInputStream(z.getEntry("model.tflite")).readAllBytes());
            got = TfliteReader.read(tflite);
            assertTrue(z.getEntry("c/Makefile") != null || z.stream().anyMatch(e -> e.getName().startsWith("c/")));
        }
        assertEquals(DataType.INT8, got.graph().inputTensor(0).type());
        long flash = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).optKernels(KernelLibrary.GENERATED)
                .build().estimate(got).flashBytes();
        assertTrue(flash <= 12 * 1024, "flash " + flash);
        // the held-out half of the archive, as the pipeline splits it
        Dataset all = Datasets.readZip(data);
        int[] order = SdkPipeline.permutation(all.size());
        Dataset eval = SdkPipeline.pick(all, order, all.size() / 2, all.size());
        double top1 = QuantEval.top1(got, eval, 1f / 255f, 0f);
        assertEquals(r.accuracyAfter(), top1, 1e-12);
        assertTrue(top1 >= 0.5, "top-1 " + top1);
        assertTrue(percents.contains(99), percents.toString());
    }

    @Test
    void impossibleRequestFailsWithTheShortfall(@TempDir Path dir) throws Exception {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        Path data = dir.resolve("digits.zip");
        Files.write(data, TestFiles.mnistZip(Assets.require("datasets/mnist10k"), 100));
        JobSpec spec = new JobSpec(model, "onnx", data, "cortex-m4", 1, 0.99, true, false, true, "int8", 0.5);
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> SMALL.run(spec, Files.createDirectories(dir.resolve("work")), (s, p, m) -> { }));
        assertTrue(e.getMessage().startsWith("does not fit") && e.getMessage().contains("flash"), e.getMessage());
    }
}
