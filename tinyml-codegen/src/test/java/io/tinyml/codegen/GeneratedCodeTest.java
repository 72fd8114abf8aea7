package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every int8 model of the shared assets: the generated C, built with {@code make host} (and under
 * ASan/UBSan), {@code make qemu-m4} and {@code make qemu-m7}, produces exactly the bytes of the
 * reference interpreter; for kws and person also the TFLM outputs recorded in reference/.
 */
class GeneratedCodeTest {

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("kws", "models/tflite/kws_dscnn_int8.tflite", "reference/kws/input.bin",
                        "reference/kws/layer12_op25.bin"),
                Arguments.of("person", "models/tflite/person_detect/person_detect.tflite", "reference/person/input.bin",
                        "reference/person/layer30_op25.bin"),
                Arguments.of("hello_world_int8", "models/tflite/hello_world_int8.tflite", null, null),
                Arguments.of("micro_speech", "models/tflite/micro_speech_quantized.tflite", null, null),
                Arguments.of("network_tester", "models/tflite/network_tester/network_model.tflite",
                        "models/tflite/network_tester/input_data.bin", null));
    }

    /** The reference input pattern: byte i is (i*97 + 13) mod 256. */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((i * 97 + 13) % 256);
        }
        return b;
    }

    private static Path generate(String modelPath, String input, Path dir, byte[][] expected) throws Exception {
        Model m = ModelIO.read(Assets.require(modelPath));
        int inBytes = m.graph().inputTensor(0).byteSize();
        byte[] in = input == null ? pattern(inBytes) : Files.readAllBytes(Assets.require(input));
        assertEquals(inBytes, in.length, "input size");
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        Files.write(dir.resolve("in.bin"), in);
        expected[0] = Interpreter.create(m).invoke(in)[0];
        return dir;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void hostBuildIsByteIdenticalAndSanitizerClean(String name, String model, String input, String tflm,
                                                  @TempDir Path dir) throws Exception {
        Toolchain.require("gcc");
        Toolchain.require("make");
        byte[][] expected = new byte[1][];
        generate(model, input, dir, expected);
        Toolchain.run(dir, List.of("make", "-s", "host", "host-asan"));
        Toolchain.run(dir, List.of("build/host/demo", "in.bin", "host.bin"));
        assertArrayEquals(expected[0], Files.readAllBytes(dir.resolve("host.bin")), name + " host");
        String asan = Toolchain.run(dir, List.of("build/host-asan/demo", "in.bin", "asan.bin"));
        assertEquals("", asan.trim(), "sanitizer output");
        assertArrayEquals(expected[0], Files.readAllBytes(dir.resolve("asan.bin")), name + " host-asan");
        if (tflm != null) {
            assertArrayEquals(Files.readAllBytes(Assets.require(tflm)), Files.readAllBytes(dir.resolve("host.bin")),
                    name + " TFLM reference");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void qemuCortexM4AndM7AreByteIdentical(String name, String model, String input, String tflm,
                                           @TempDir Path dir) throws Exception {
        Toolchain.require("make");
        Toolchain.require("arm-none-eabi-gcc");
        Toolchain.require("qemu-system-arm");
        byte[][] expected = new byte[1][];
        generate(model, input, dir, expected);
        for (String core : List.of("m4", "m7")) {
            Toolchain.run(dir, List.of("make", "-s", "qemu-" + core));
            Toolchain.run(dir, List.of("make", "-s", "run-qemu-" + core, "IN=in.bin", "OUT=" + core + ".bin"));
            assertArrayEquals(expected[0], Files.readAllBytes(dir.resolve(core + ".bin")), name + " " + core);
            if (tflm != null) {
                assertArrayEquals(Files.readAllBytes(Assets.require(tflm)), Files.readAllBytes(dir.resolve(core + ".bin")),
                        name + " " + core + " TFLM reference");
            }
        }
        String count = Toolchain.run(dir, List.of("make", "-s", "count-m4", "IN=in.bin"));
        String[] words = count.trim().split("\\s+");
        long insns = Long.parseLong(words[words.length - 1]);
        assertTrue(insns > 0, "counted instructions: " + count);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"kws", "person"})
    void everyLayerMatchesTheTflmRecording(String name, @TempDir Path dir) throws Exception {
        Toolchain.require("gcc");
        Toolchain.require("make");
        String model = name.equals("kws") ? "models/tflite/kws_dscnn_int8.tflite"
                : "models/tflite/person_detect/person_detect.tflite";
        Model m = ModelIO.read(Assets.require(model));
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        Path ref = Assets.require("reference/" + name);
        Toolchain.run(dir, List.of("make", "-s", "host-dump"));
        Toolchain.run(dir, List.of("build/host-dump/demo", ref.resolve("input.bin").toString(), "out.bin"));
        List<Path> layers;
        try (Stream<Path> s = Files.list(ref)) {
            layers = s.filter(p -> p.getFileName().toString().startsWith("layer")
                    && p.getFileName().toString().endsWith(".bin")).sorted().toList();
        }
        assertEquals(m.graph().nodes().size(), layers.size(), "recorded layers");
        for (int i = 0; i < layers.size(); i++) {
            assertArrayEquals(Files.readAllBytes(layers.get(i)),
                    Files.readAllBytes(dir.resolve(String.format("layer%02d.bin", i))), name + " " + layers.get(i));
        }
    }

    @org.junit.jupiter.api.Test
    void floatHelloWorldBitExactOnHostAndQemu(@TempDir Path dir) throws Exception {
        Toolchain.require("make");
        Toolchain.require("gcc");
        Model m = ModelIO.read(Assets.require("models/tflite/hello_world_float.tflite"));
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        boolean qemu = hasTool("arm-none-eabi-gcc") && hasTool("qemu-system-arm");
        if (!qemu && "true".equalsIgnoreCase(System.getenv("CI"))) {
            Toolchain.require("arm-none-eabi-gcc");
            Toolchain.require("qemu-system-arm");
        }
        Toolchain.run(dir, List.of("make", "-s", "host", "host-asan"));
        for (float v : new float[] {0f, 0.5f, 1.25f, 3.0f, 6.2f}) {
            byte[] in = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
            Files.write(dir.resolve("in.bin"), in);
            float expected = Interpreter.create(m).invokeFloat(new float[] {v})[0][0];
            List<String> runs = qemu ? List.of("host", "asan", "m4", "m7") : List.of("host", "asan");
            for (String r : runs) {
                switch (r) {
                    case "host" -> Toolchain.run(dir, List.of("build/host/demo", "in.bin", "out.bin"));
                    case "asan" -> Toolchain.run(dir, List.of("build/host-asan/demo", "in.bin", "out.bin"));
                    default -> Toolchain.run(dir, List.of("make", "-s", "run-qemu-" + r, "IN=in.bin", "OUT=out.bin"));
                }
                float got = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("out.bin"))).order(ByteOrder.LITTLE_ENDIAN)
                        .getFloat();
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got), r + " at x=" + v
                        + ": " + got + " vs " + expected + " (the float contract holds bit for bit)");
            }
        }
    }

    private static boolean hasTool(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
