package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The README's PyTorch journey, command by command through {@link Main}: the PyTorch export
 * {@code tiny_digits.onnx} is quantized to int8, C is generated for it, built with {@code make host}
 * and {@code make qemu-m4}, and both builds print exactly the bytes {@code tinyml run} (the
 * reference interpreter) prints for four real digits.
 */
class ReadmeJourneyTest {
    private static final int IMAGES = 4;

    @Test
    void pytorchExportQuantizedToInt8GeneratesCByteIdenticalToTheInterpreter(@TempDir Path dir) throws Exception {
        Path onnx = Assets.require("models/pytorch/tiny_digits.onnx");
        Path digits = Assets.require("datasets/mnist10k");
        Path probe = Assets.require("models/pytorch/probe_input_4x1x28x28_f32.bin");
        require("make");
        require("gcc");
        boolean qemu = has("arm-none-eabi-gcc") && has("qemu-system-arm");
        if (!qemu) {
            require("arm-none-eabi-gcc");
            require("qemu-system-arm");
        }
        Path t8 = dir.resolve("t8.tflite");
        CliTest.Outcome q = CliTest.tinyml("quantize", onnx, "--scheme", "int8", "--calibration",
                digits + "[0:8000]", "--samples", "100", "--input-scale", "0.003921569", "--output", t8);
        assertEquals(0, q.status(), q.err());
        Path c = dir.resolve("t8c");
        CliTest.Outcome g = CliTest.tinyml("codegen", t8, "--target", "qemu-mps2-an386", "--output", c);
        assertEquals(0, g.status(), g.err());
        String readme = Files.readString(c.resolve("README.md"));
        assertTrue(readme.contains("make host") && readme.contains("make run-qemu-m4"), readme);
        // the header carries the input and output quantization the model was written with
        io.tinyml.core.ir.Model q8 = io.tinyml.core.io.ModelIO.read(t8);
        String header = Files.readString(c.resolve("tinyml_model.h"));
        io.tinyml.core.ir.QuantParams qi = q8.graph().inputTensor(0).requireQuant();
        io.tinyml.core.ir.QuantParams qo = q8.graph().outputTensor(0).requireQuant();
        assertEquals(qi.scale(), Float.parseFloat(macro(header, "TINYML_INPUT0_SCALE")));
        assertEquals(qi.zeroPoint(), Integer.parseInt(macro(header, "TINYML_INPUT0_ZERO_POINT").replaceAll("[()]", "")));
        assertEquals(qo.scale(), Float.parseFloat(macro(header, "TINYML_OUTPUT0_SCALE")));
        assertEquals(qo.zeroPoint(), Integer.parseInt(macro(header, "TINYML_OUTPUT0_ZERO_POINT").replaceAll("[()]", "")));
        run(c, "make", "-s", "host");
        if (qemu) {
            run(c, "make", "-s", "qemu-m4");
        }
        float[] pixels = floats(Files.readAllBytes(probe));
        int n = pixels.length / IMAGES;
        for (int img = 0; img < IMAGES; img++) {
            // pixel/255 quantized with the input parameters quantize wrote: scale 1/255, zero point -128
            byte[] in = new byte[n];
            for (int i = 0; i < n; i++) {
                in[i] = (byte) Math.max(-128, Math.min(127, Math.round(pixels[img * n + i] / 0.003921569f) - 128));
            }
            Path inFile = c.resolve("in" + img + ".bin");
            Files.write(inFile, in);
            Path expected = dir.resolve("interp" + img + ".bin");
            CliTest.Outcome r = CliTest.tinyml("run", t8, "--input", inFile, "--output", expected);
            assertEquals(0, r.status(), r.err());
            byte[] want = Files.readAllBytes(expected);
            assertEquals(10, want.length, "ten int8 logits");
            run(c, "build/host/demo", inFile.getFileName().toString(), "host.bin");
            assertArrayEquals(want, Files.readAllBytes(c.resolve("host.bin")), "host, image " + img);
            if (qemu) {
                run(c, "make", "-s", "run-qemu-m4", "IN=" + inFile.getFileName(), "OUT=m4.bin");
                assertArrayEquals(want, Files.readAllBytes(c.resolve("m4.bin")), "QEMU Cortex-M4, image " + img);
            }
        }
    }

    /**
     * Every other scheme quantize writes: fp16 and dynamic-range models run through the float kernels
     * (within 1e-5 of the interpreter on the host), int16x8 runs the int16 kernels with exactly the
     * bytes {@code tinyml run} writes.
     */
    @Test
    void everySchemeQuantizeWritesGeneratesCMatchingTheInterpreter(@TempDir Path dir) throws Exception {
        Path onnx = Assets.require("models/pytorch/tiny_digits.onnx");
        Path digits = Assets.require("datasets/mnist10k");
        Path probe = Assets.require("models/pytorch/probe_input_4x1x28x28_f32.bin");
        require("make");
        require("gcc");
        byte[] in = java.util.Arrays.copyOf(Files.readAllBytes(probe), 28 * 28 * 4);
        for (String scheme : List.of("fp16", "dynamic", "int16x8")) {
            Path model = dir.resolve(scheme + ".tflite");
            CliTest.Outcome q = CliTest.tinyml("quantize", onnx, "--scheme", scheme, "--calibration",
                    digits + "[0:8000]", "--samples", "20", "--input-scale", "0.003921569", "--output", model);
            assertEquals(0, q.status(), q.err());
            Path c = dir.resolve(scheme);
            CliTest.Outcome g = CliTest.tinyml("codegen", model, "--target", "qemu-mps2-an386", "--output", c);
            assertEquals(0, g.status(), g.err());
            boolean int16 = scheme.equals("int16x8");
            // int16x8 reads int16 values: any bytes are a valid input
            Files.write(c.resolve("in.bin"), int16 ? java.util.Arrays.copyOf(in, 28 * 28 * 2) : in);
            CliTest.Outcome r = CliTest.tinyml("run", model, "--input", c.resolve("in.bin"), "--output",
                    dir.resolve(scheme + ".bin"));
            assertEquals(0, r.status(), r.err());
            run(c, "make", "-s", "host");
            run(c, "build/host/demo", "in.bin", "host.bin");
            if (int16) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(dir.resolve(scheme + ".bin")),
                        Files.readAllBytes(c.resolve("host.bin")), "int16x8 output bytes");
                continue;
            }
            float[] want = floats(Files.readAllBytes(dir.resolve(scheme + ".bin")));
            float[] got = floats(Files.readAllBytes(c.resolve("host.bin")));
            assertEquals(10, want.length);
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), scheme + " logit " + i);
            }
        }
    }

    /** The value of a {@code #define NAME VALUE} line. */
    private static String macro(String header, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("#define " + name + " (\\S+)").matcher(header);
        assertTrue(m.find(), name + " in\n" + header);
        return m.group(1);
    }

    private static float[] floats(byte[] b) {
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    static boolean has(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** In CI (env CI=true) a missing tool fails; elsewhere the test is skipped. */
    static void require(String tool) {
        if (!has(tool)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("required tool missing in CI: " + tool);
            }
            Assumptions.abort("tool not installed: " + tool);
        }
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Assertions.fail("timed out: " + command);
        }
        assertEquals(0, p.exitValue(), () -> command + " failed:\n" + new String(out, StandardCharsets.UTF_8));
    }
}
