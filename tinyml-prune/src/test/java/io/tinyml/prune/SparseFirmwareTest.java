package io.tinyml.prune;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.GeneratedProject;
import io.tinyml.codegen.report.FirmwareMeasurement;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.estimate.SparseWeights;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.Quantizer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sparse mnist8 (unstructured 80 %, 2:4) as int8 firmware: layers whose sparse format is smaller and
 * faster are generated sparse (at 80 % both convolutions and the fully-connected layer, at 2:4 the
 * fully-connected layer only); the output equals the interpreter running the same sparse model, on the host
 * (gcc) and on the QEMU Cortex-M4 board, and the firmware's weight bytes and instructions drop
 * against the same model generated dense.
 */
class SparseFirmwareTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unstructured-0.8", "2:4"})
    void sparseFullyConnectedIsSmallerFasterAndBitExact(String mode, @TempDir Path dir) throws Exception {
        Model f = ModelIO.read(Assets.require("models/onnx/mnist8/model.onnx"));
        Dataset calib = Datasets.open(Assets.require("datasets/mnist10k") + "[0:8000]");
        Model sparse = mode.equals("2:4") ? Pruner.of(f).nOfM(2, 4).apply().model()
                : Pruner.of(f).unstructured(0.8).apply().model();
        Model q = Quantizer.of(sparse).int8().calibrate(calib, 200).inputScale(1f).apply();
        Graph g = q.graph();
        StringBuilder layers = new StringBuilder();
        for (Node n : g.nodes()) {
            SparseWeights.Choice c = SparseWeights.choose(g, n);
            if (c != null) {
                layers.append(String.format("%s %s: %d non-zero, %d -> %d bytes, %.0f -> %.0f instructions (est.); ",
                        n.name(), c.sparse() ? "SPARSE" : "dense", c.nonZeros(), c.denseBytes(), c.sparseBytes(),
                        c.denseInstructions(), c.sparseInstructions()));
            }
        }
        System.out.println("mnist8 " + mode + ": " + layers);
        // 80 %: both convolutions (density 0.2 < 0.28) and the FC; 2:4 (density 0.5): the FC only
        assertEquals(mode.equals("2:4") ? 1 : 3, layers.toString().split("SPARSE", -1).length - 1, layers.toString());
        Interpreter interp = Interpreter.create(q);
        InputMapping map = InputMapping.builder().setInput(g.inputTensor(0)).optScale(1f).build();
        Path sp = Files.createDirectories(dir.resolve("sparse"));
        Path de = Files.createDirectories(dir.resolve("dense"));
        GeneratedProject ps = CodeGenerator.generate(q, CodegenOptions.defaults());
        GeneratedProject pd = CodeGenerator.generate(q, CodegenOptions.defaults().withSparseWeights(false));
        assertTrue(ps.files().get("tinyml_model.c").contains("tm_fc_s8_sparse("));
        assertTrue(!pd.files().get("tinyml_model.c").contains("tm_fc_s8_sparse("));
        ps.writeTo(sp, false);
        for (int s = 0; s < 4; s++) {
            byte[] in = map.toInputBytes(calib.get(s * 97)); // real digits, int8
            byte[] expected = interp.invoke(in)[0];
            Files.write(sp.resolve("in" + s + ".bin"), in);
            run(sp, "make", "-s", "host");
            run(sp, "build/host/demo", "in" + s + ".bin", "host" + s + ".bin");
            assertArrayEquals(expected, Files.readAllBytes(sp.resolve("host" + s + ".bin")), "host, sample " + s);
            run(sp, "make", "-s", "run-qemu-m4", "IN=in" + s + ".bin", "OUT=m4-" + s + ".bin");
            assertArrayEquals(expected, Files.readAllBytes(sp.resolve("m4-" + s + ".bin")), "QEMU M4, sample " + s);
        }
        byte[] in = Files.readAllBytes(sp.resolve("in0.bin"));
        FirmwareMeasurement ms = FirmwareMeasurement.measure(mode, q, in, Files.createDirectories(dir.resolve("ms")));
        FirmwareMeasurement md = FirmwareMeasurement.measure(mode + "-dense", q, in, de,
                CodegenOptions.defaults().withSparseWeights(false));
        System.out.printf("mnist8 %s int8: generated weight bytes %d sparse vs %d dense (-%.1f %%); firmware flash %d vs %d"
                        + " (-%.1f %%); instructions %d vs %d (-%.1f %%); estimated flash %d, instructions %d%n", mode,
                ps.weightBytes(), pd.weightBytes(), 100.0 - 100.0 * ps.weightBytes() / pd.weightBytes(), ms.flash(),
                md.flash(), 100.0 - 100.0 * ms.flash() / md.flash(), ms.instructions(), md.instructions(),
                100.0 - 100.0 * ms.instructions() / md.instructions(), ms.estFlash(), ms.estInstructions());
        assertTrue(ps.weightBytes() < pd.weightBytes(), "weight bytes");
        assertTrue(ms.flash() < md.flash(), "flash " + ms + " vs " + md);
        assertTrue(ms.instructions() < md.instructions(), "instructions " + ms + " vs " + md);
        assertEquals(ms.flash(), ms.estFlash(), 0.05 * ms.flash(), "the estimator knows the sparse format");
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(300, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done && p.exitValue() == 0, String.join(" ", cmd) + ": " + new String(out));
    }
}
