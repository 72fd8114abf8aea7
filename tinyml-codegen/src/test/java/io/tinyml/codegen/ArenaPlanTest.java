package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.GeneratedArena;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.estimate.plan.GreedyBySizePlanner;
import io.tinyml.core.estimate.plan.InPlace;
import io.tinyml.core.estimate.plan.MemoryPlan;
import io.tinyml.core.estimate.plan.OptimalPlanner;
import io.tinyml.core.estimate.plan.PlanProblem;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.Quantizer;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * RAM of the generated C on every int8 model of the assets and on ResNet-8 (ic_resnet8 quantized to
 * int8 by the SDK): the arena and column symbols of the built firmware ({@code arm-none-eabi-nm -S})
 * are exactly the estimator's generated activations, never more than the layout before
 * {@link GeneratedArena} (greedy-by-size over reshape-aliased activations plus a separate column
 * array); and the optimal planner is never worse than greedy-by-size, for TFLM's in-place set and
 * for the generated C's. kws and person stay at most 0.8 x TFLM's arena (bss minus the 4,096-byte
 * stack reserve). ResNet-8, whose columns and residual ADDs share arena bytes, stays byte-identical to
 * the interpreter on the host (and ASan/UBSan) and QEMU M4.
 */
class ArenaPlanTest {

    static Model model(String name) throws Exception {
        return switch (name) {
            case "kws" -> ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
            case "person" -> ModelIO.read(Assets.require("models/tflite/person_detect/person_detect.tflite"));
            case "hello_world_int8" -> ModelIO.read(Assets.require("models/tflite/hello_world_int8.tflite"));
            case "micro_speech" -> ModelIO.read(Assets.require("models/tflite/micro_speech_quantized.tflite"));
            case "network_tester" -> ModelIO.read(Assets.require("models/tflite/network_tester/network_model.tflite"));
            case "resnet8" -> {
                Model f = ModelIO.read(Assets.require("models/tflite/ic_resnet8_float.tflite"));
                Dataset mnist = Datasets.open(Assets.require("datasets/mnist10k") + "[0:100]");
                yield Quantizer.of(f).int8().perChannel().calibrate(mnist, 50).inputScale(1f / 255).apply();
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kws", "person", "hello_world_int8", "micro_speech", "network_tester", "resnet8"})
    void generatedArenaIsThePredictionAndNeverLarger(String name, @TempDir Path dir) throws Exception {
        Model m = model(name);
        long t0 = System.nanoTime();
        GeneratedArena a = GeneratedArena.plan(m.graph());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // the layout before: greedy over reshape-aliased activations, columns in a separate array
        PlanProblem before = PlanProblem.of(m.graph(), PlanProblem.reshapeOnly(), null, 16);
        long cols = 0;
        for (int i = 0; i < m.graph().nodes().size(); i++) {
            cols = Math.max(cols, GeneratedArena.scratchBytes(m.graph(), m.graph().node(i)));
        }
        long old = Math.max(16, new GreedyBySizePlanner().plan(before).peak()) + (cols + 15) / 16 * 16;
        int inPlaceNodes = 0;
        for (io.tinyml.core.ir.Node node : m.graph().nodes()) {
            if (node.op().kind() != io.tinyml.core.ir.OpKind.RESHAPE && a.problem().bufferOfTensor(node.input(0)) >= 0
                    && a.problem().bufferOfTensor(node.input(0)) == a.problem().bufferOfTensor(node.output(0))) {
                inPlaceNodes++;
            }
        }
        System.out.printf("%s: %d element-wise nodes in place%n", name, inPlaceNodes);
        System.out.printf("%s: generated RAM %d (arena %d, separate columns %d, %s) before %d (%.3f); planned in %d ms%n",
                name, a.totalBytes(), a.arenaBytes(), a.separateScratchBytes(), a.plan().planner(), old,
                (double) a.totalBytes() / old, ms);
        assertTrue(a.totalBytes() <= old, name + " RAM " + a.totalBytes() + " > before " + old);
        for (Set<InPlace> inPlace : List.of(PlanProblem.reshapeOnly(), GeneratedArena.IN_PLACE)) {
            PlanProblem p = PlanProblem.of(m.graph(), inPlace, null, 16);
            MemoryPlan greedy = new GreedyBySizePlanner().plan(p);
            MemoryPlan optimal = new OptimalPlanner(Duration.ofSeconds(2), io.tinyml.core.ProgressListener.NONE).plan(p);
            System.out.printf("  %s %s: greedy %d optimal %d lower bound %d%n", name, inPlace, greedy.peak(),
                    optimal.peak(), p.lowerBound());
            assertTrue(optimal.peak() <= greedy.peak(), name + " optimal " + optimal.peak() + " > greedy " + greedy.peak());
        }
        Estimate e = Estimator.builder().setTarget(TargetCatalog.get("qemu-mps2-an386"))
                .optKernels(KernelLibrary.GENERATED).build().estimate(m.graph(), name);
        assertEquals(a.totalBytes(), e.ram().activations(), "estimated activations");
        if (!Toolchain.has("arm-none-eabi-gcc")) {
            Toolchain.require("arm-none-eabi-gcc"); // fails in CI, skips elsewhere
        }
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        Toolchain.run(dir, List.of("make", "-s", "qemu-m4"));
        long arena = 0;
        long col = 0;
        for (String line : Toolchain.run(dir, List.of("arm-none-eabi-nm", "-S", "-t", "d", "build/m4/firmware.elf"))
                .split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[3].equals("tinyml_arena")) {
                arena = Long.parseLong(f[1]);
            } else if (f.length == 4 && f[3].equals("tinyml_col")) {
                col = Long.parseLong(f[1]);
            }
        }
        System.out.printf("  %s firmware: tinyml_arena %d, tinyml_col %d%n", name, arena, col);
        assertEquals(a.arenaBytes(), arena, "arena symbol");
        assertTrue(arena + col <= e.ram().activations(), "firmware " + (arena + col) + " > estimated "
                + e.ram().activations());
        if (name.equals("resnet8")) {
            // its columns and residual ADDs share arena bytes: the outputs stay the interpreter's
            byte[] in = GeneratedCodeTest.pattern(m.graph().inputTensor(0).byteSize());
            java.nio.file.Files.write(dir.resolve("in.bin"), in);
            Toolchain.run(dir, List.of("make", "-s", "host", "host-asan"));
            Toolchain.run(dir, List.of("build/host/demo", "in.bin", "host.bin"));
            Toolchain.run(dir, List.of("make", "-s", "run-qemu-m4", "IN=in.bin", "OUT=m4.bin"));
            byte[] want = io.tinyml.core.runtime.Interpreter.create(m).invoke(in)[0];
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, java.nio.file.Files.readAllBytes(dir.resolve("host.bin")));
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, java.nio.file.Files.readAllBytes(dir.resolve("m4.bin")));
            assertEquals("", Toolchain.run(dir, List.of("build/host-asan/demo", "in.bin", "asan.bin")).trim());
            String model = java.nio.file.Files.readString(dir.resolve("tinyml_model.c"));
            assertTrue(model.contains("planned inside the arena"), "ResNet-8's columns inside the arena");
        }
        if (name.equals("kws") || name.equals("person")) {
            String size = Toolchain.run(dir, List.of("make", "-s", "size-m4"));
            String[] lines = size.trim().split("\n");
            long bss = Long.parseLong(lines[lines.length - 1].trim().split("\\s+")[2]);
            long tflm = name.equals("kws") ? 22_772 : 82_292; // reference/README.md arena_used_bytes (ref kernels)
            System.out.printf("  %s bss %d: (bss - 4096) / TFLM arena %d = %.3f%n", name, bss, tflm,
                    (double) (bss - 4096) / tflm);
            assertTrue(bss - 4096 <= 0.8 * tflm, name + " bss " + bss);
        }
    }
}
