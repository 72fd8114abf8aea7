package io.tinyml.prune;

import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.Optimization;
import io.tinyml.codegen.report.FirmwareMeasurement;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.eval.QuantEval;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structured pruning measured where it matters: the int8 model generated as C, built for the QEMU
 * Cortex-M4 board ({@code make size-m4}) and counted ({@code make count-m4}), before and after
 * pruning with least-squares recovery.
 */
class PrunedFirmwareTest {

    @ParameterizedTest(name = "{0} at {3}")
    @CsvSource({"mnist8, models/onnx/mnist8/model.onnx, 1, 0.25", "mnist8, models/onnx/mnist8/model.onnx, 1, 0.5",
        "tiny_digits, models/pytorch/tiny_digits.onnx, 0.003921569, 0.5"})
    void prunedFirmwareIsSmallerAndFaster(String name, String path, float scale, double ratio, @TempDir Path dir)
            throws Exception {
        Model f = ModelIO.read(Assets.require(path));
        Dataset calib = Datasets.open(Assets.require("datasets/mnist10k") + "[0:8000]");
        Dataset eval = Datasets.open(Assets.require("datasets/mnist10k") + "[8000:10000]");
        InputMapping map = InputMapping.builder().setInput(f.graph().inputTensor(0)).optScale(scale).build();
        Model pruned = Pruner.of(f).structured().ratio(ratio).criterion(Criterion.ACTIVATION)
                .calibrate(calib, map, 256).recover(Recovery.LEAST_SQUARES).apply().model();
        Model q0 = Quantizer.of(f).int8().calibrate(calib, 200).inputScale(scale).apply();
        Model q1 = Quantizer.of(pruned).int8().calibrate(calib, 200).inputScale(scale).apply();
        double t0 = QuantEval.top1(q0, eval, scale, 0);
        double t1 = QuantEval.top1(q1, eval, scale, 0);
        byte[] in = new byte[q0.graph().inputTensor(0).byteSize()];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 37);
        }
        Path d0 = Files.createDirectories(dir.resolve("base"));
        Path d1 = Files.createDirectories(dir.resolve("pruned"));
        FirmwareMeasurement m0 = FirmwareMeasurement.measure(name, q0, in, d0);
        FirmwareMeasurement m1 = FirmwareMeasurement.measure(name + "-pruned", q1, in, d1);
        System.out.printf("%s int8 firmware at ratio %.2f with least-squares recovery: flash %d -> %d (-%.1f %%), "
                        + "instructions %d -> %d (-%.1f %%), top-1 %.4f -> %.4f%n", name, ratio, m0.flash(),
                m1.flash(), 100.0 - 100.0 * m1.flash() / m0.flash(), m0.instructions(), m1.instructions(),
                100.0 - 100.0 * m1.instructions() / m0.instructions(), t0, t1);
        assertTrue(m1.flash() < m0.flash() && m1.instructions() < m0.instructions(), m0 + " vs " + m1);
        if (ratio >= 0.5) {
            assertTrue(m1.instructions() < 0.65 * m0.instructions(), "instructions " + m0 + " vs " + m1);
        }
        if (ratio == 0.5) {
            // the same two models, firmware built for size (-Os): one copy of each kernel instead of gcc's
            // per-call-site clones, so the weights pruning removes are a larger share of the flash
            CodegenOptions small = CodegenOptions.defaults().withOptimization(Optimization.SIZE);
            FirmwareMeasurement s0 = FirmwareMeasurement.measure(name, q0, in,
                    Files.createDirectories(dir.resolve("base-os")), small);
            FirmwareMeasurement s1 = FirmwareMeasurement.measure(name + "-pruned", q1, in,
                    Files.createDirectories(dir.resolve("pruned-os")), small);
            double drop = 100.0 - 100.0 * s1.flash() / s0.flash();
            System.out.printf("%s size build (-Os): flash %d -> %d (-%.1f %%), instructions %d -> %d (-%.1f %%)%n",
                    name, s0.flash(), s1.flash(), drop, s0.instructions(), s1.instructions(),
                    100.0 - 100.0 * s1.instructions() / s0.instructions());
            assertTrue(s0.flash() < m0.flash() && s1.flash() < m1.flash(), "-Os vs -O3: " + s0 + " " + m0);
            assertTrue(s1.instructions() < 0.65 * s0.instructions(), "instructions " + s0 + " vs " + s1);
            if (name.equals("mnist8")) {
                assertTrue(drop >= 35, "mnist8 size-build flash drop " + drop);   // measured 38.3 %
            }
        }
    }

    @org.junit.jupiter.api.Test
    void prunedResnet8QuantizesAndItsGeneratedCIsByteIdenticalToTheInterpreter(@TempDir Path dir) throws Exception {
        Model f = ModelIO.read(Assets.require("models/tflite/ic_resnet8_float.tflite"));
        // no CIFAR-10 in the assets: smooth seeded synthetic images serve as calibration data
        Dataset.Builder b = Dataset.builder(io.tinyml.core.ir.Shape.of(32, 32, 3));
        java.util.Random rnd = new java.util.Random(11);
        for (int s = 0; s < 48; s++) {
            float[] img = new float[32 * 32 * 3];
            double fx = rnd.nextDouble() * 0.5;
            double fy = rnd.nextDouble() * 0.5;
            for (int i = 0; i < img.length; i++) {
                int y = i / 96;
                int x = (i / 3) % 32;
                img[i] = (float) (127 + 100 * Math.sin(fx * x + fy * y + i % 3) + rnd.nextGaussian() * 10);
            }
            b.add(img, s % 10);
        }
        Dataset data = b.build();
        InputMapping map = InputMapping.builder().setInput(f.graph().inputTensor(0)).build();
        Model pruned = Pruner.of(f).structured().ratio(0.5).multipleOf(4).calibrate(data, map, 32)
                .recover(Recovery.LEAST_SQUARES).apply().model();
        Model q = Quantizer.of(pruned).int8().calibrate(data, 48).apply();
        byte[] in = new byte[q.graph().inputTensor(0).byteSize()];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 29 + 3);
        }
        byte[] expected = io.tinyml.core.runtime.Interpreter.create(q).invoke(in)[0];
        io.tinyml.codegen.CodeGenerator.generate(q, io.tinyml.codegen.CodegenOptions.defaults()).writeTo(dir, false);
        Files.write(dir.resolve("in.bin"), in);
        run(dir, "make", "-s", "host");
        run(dir, "build/host/demo", "in.bin", "host.bin");
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, Files.readAllBytes(dir.resolve("host.bin")));
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done && p.exitValue() == 0, String.join(" ", cmd) + ": " + new String(out));
    }
}
