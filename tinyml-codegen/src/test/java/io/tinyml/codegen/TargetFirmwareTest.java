package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.InstructionMix;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Cortex-M7 and RISC-V (RV32IMC) paths of the generated project, measured the way the Cortex-M4 is:
 * every int8 model of the assets runs bit-exact under {@code qemu-system-riscv32} (virt); kws and
 * person_detect are counted ({@code make count-m7}, {@code count-rv32}), sized ({@code size-m7},
 * {@code size-rv32}) and their instructions classified ({@code make mix-*}), and the figures are logged.
 */
class TargetFirmwareTest {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TargetFirmwareTest.class);

    private static byte[] prepare(String modelPath, String input, Path dir, byte[][] expected) throws Exception {
        Model m = ModelIO.read(Assets.require(modelPath));
        int inBytes = m.graph().inputTensor(0).byteSize();
        byte[] in = input == null ? GeneratedCodeTest.pattern(inBytes) : Files.readAllBytes(Assets.require(input));
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        Files.write(dir.resolve("in.bin"), in);
        expected[0] = Interpreter.create(m).invoke(in)[0];
        return in;
    }

    private static void requireRiscv() {
        Toolchain.require("make");
        Toolchain.require("riscv64-unknown-elf-gcc");
        Toolchain.require("qemu-system-riscv32");
    }

    private static long lastNumber(String out) {
        String[] w = out.trim().split("\\s+");
        return Long.parseLong(w[w.length - 1]);
    }

    /** text, data, bss of the last line of a size tool's output. */
    private static long[] size(String out) {
        String[] lines = out.trim().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    private static Map<String, Long> mix(String out) {
        Map<String, Long> m = new HashMap<>();
        for (String line : out.trim().split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length >= 2 && w[w.length - 1].matches("\\d+")) {
                m.put(String.join(" ", java.util.Arrays.copyOf(w, w.length - 1)), Long.parseLong(w[w.length - 1]));
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.tinyml.codegen.GeneratedCodeTest#models")
    void riscvIsByteIdentical(String name, String model, String input, String tflm, @TempDir Path dir)
            throws Exception {
        requireRiscv();
        byte[][] expected = new byte[1][];
        prepare(model, input, dir, expected);
        Toolchain.run(dir, List.of("make", "-s", "qemu-rv32"));
        Toolchain.run(dir, List.of("make", "-s", "run-qemu-rv32", "IN=in.bin", "OUT=rv32.bin"));
        assertArrayEquals(expected[0], Files.readAllBytes(dir.resolve("rv32.bin")), name + " rv32");
        if (tflm != null) {
            assertArrayEquals(Files.readAllBytes(Assets.require(tflm)), Files.readAllBytes(dir.resolve("rv32.bin")),
                    name + " rv32 TFLM reference");
        }
    }

    @org.junit.jupiter.api.Test
    void floatHelloWorldWithin1e5OnRiscv(@TempDir Path dir) throws Exception {
        requireRiscv();
        Model m = ModelIO.read(Assets.require("models/tflite/hello_world_float.tflite"));
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        Toolchain.run(dir, List.of("make", "-s", "qemu-rv32"));
        for (float v : new float[] {0f, 1.25f, 3.0f, 6.2f}) {
            byte[] in = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
            Files.write(dir.resolve("in.bin"), in);
            Toolchain.run(dir, List.of("make", "-s", "run-qemu-rv32", "IN=in.bin", "OUT=out.bin"));
            float got = java.nio.ByteBuffer.wrap(Files.readAllBytes(dir.resolve("out.bin")))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat();
            assertEquals(Interpreter.create(m).invokeFloat(new float[] {v})[0][0], got, 1e-5, "rv32 at x=" + v);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kws", "person"})
    void cortexM7AndRiscvAreCountedSizedAndClassified(String name, @TempDir Path dir) throws Exception {
        requireRiscv();
        Toolchain.require("arm-none-eabi-gcc");
        Toolchain.require("qemu-system-arm");
        Toolchain.require("gcc");
        String model = name.equals("kws") ? "models/tflite/kws_dscnn_int8.tflite"
                : "models/tflite/person_detect/person_detect.tflite";
        byte[][] expected = new byte[1][];
        prepare(model, "reference/" + name + "/input.bin", dir, expected);
        Model m = ModelIO.read(Assets.require(model));
        Map<String, Long> insns = new HashMap<>();
        Map<String, long[]> sizes = new HashMap<>();
        for (String core : List.of("m4", "m7", "rv32")) {
            Toolchain.run(dir, List.of("make", "-s", "qemu-" + core));
            Toolchain.run(dir, List.of("make", "-s", "run-qemu-" + core, "IN=in.bin", "OUT=" + core + ".bin"));
            assertArrayEquals(expected[0], Files.readAllBytes(dir.resolve(core + ".bin")), name + " " + core);
            insns.put(core, lastNumber(Toolchain.run(dir, List.of("make", "-s", "count-" + core, "IN=in.bin"))));
            sizes.put(core, size(Toolchain.run(dir, List.of("make", "-s", "size-" + core))));
            Map<String, Long> mix = mix(Toolchain.run(dir, List.of("make", "-s", "mix-" + core, "IN=in.bin")));
            long classes = mix.get("alu") + mix.get("mul") + mix.get("load") + mix.get("store") + mix.get("branch");
            // the class plugin sees exactly the instructions the counting plugin counts
            assertEquals(insns.get(core), classes, core + " classes " + mix);
            assertEquals(insns.get(core), mix.get("inference instructions"), core + " " + mix);
            assertTrue(mix.get("load") > 0.1 * classes && mix.get("mul") > 0.05 * classes, core + " " + mix);
            assertTrue(mix.get("flash-read") > 0 && mix.get("ram-read") > 0 && mix.get("write") > 0, core + " " + mix);
            log.info("{} {}: {} instructions, text {} data {} bss {}, classes {}", name, core, insns.get(core),
                    sizes.get(core)[0], sizes.get(core)[1], sizes.get(core)[2], mix);
            if (core.equals("m4")) {
                // the class shares behind the board cycle model still describe this code: Cortex-M4 CPI within 5 %
                double cpi = InstructionMix.of(mix.get("alu"), mix.get("mul"), mix.get("load"), mix.get("store"),
                        mix.get("branch")).cyclesPerInstruction(1, 1, 2, 1, 2);
                double fitted = InstructionMix.ARMV7EM_INT8.cyclesPerInstruction(1, 1, 2, 1, 2);
                assertEquals(fitted, cpi, 0.05 * fitted, name + " Cortex-M4 CPI of the measured mix");
            }
        }
        // the estimator's RISC-V figure (Armv7E-M model x the measured RV32IMC ratio) against the RV32 count
        Estimate rv = Estimator.builder().setTarget(TargetCatalog.get("qemu-riscv32-virt"))
                .optKernels(KernelLibrary.GENERATED).build().estimate(m.graph(), name);
        assertEquals(insns.get("rv32"), rv.cycles(), 0.15 * insns.get("rv32"), name + " rv32 estimate");
        log.info("{} rv32: estimated {} instructions, measured {} ({} %)", name, rv.cycles(), insns.get("rv32"),
                String.format(java.util.Locale.ROOT, "%+.1f", 100.0 * rv.cycles() / insns.get("rv32") - 100));
        // the same sources, the same static RAM on every core
        assertEquals(sizes.get("m4")[2], sizes.get("m7")[2]);
        assertEquals(sizes.get("m4")[2], sizes.get("rv32")[2]);
        // Armv7E-M code runs unchanged on the M7: within 5 % of the M4's count (the compiler schedules for each)
        assertEquals(insns.get("m4"), insns.get("m7"), 0.05 * insns.get("m4"));
        // RV32IMC has no SIMD MAC: more instructions than Armv7E-M with DSP (measured 2.26x kws, 2.15x person)
        double ratio = (double) insns.get("rv32") / insns.get("m4");
        assertTrue(ratio > 1.3 && ratio < 2.5, "rv32/m4 " + ratio);
    }
}
