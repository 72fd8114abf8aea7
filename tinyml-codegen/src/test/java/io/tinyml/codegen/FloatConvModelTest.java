package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The float32 PyTorch digits CNN (PAD, CONV_2D, DEPTHWISE_CONV_2D, standalone RELU6, MEAN, RESHAPE,
 * FULLY_CONNECTED): the generated C, built with {@code make host} (and under ASan/UBSan) and
 * {@code make qemu-m4}, gives the reference interpreter's outputs bit for bit: both follow the float
 * contract (sequential float32 sums, no fused multiply-add; the C built with {@code -ffp-contract=off}).
 */
class FloatConvModelTest {
    private static final String MODEL = "models/pytorch/tiny_digits.onnx";
    private static final String PROBE = "models/pytorch/probe_input_4x1x28x28_f32.bin";
    private static final int IMAGES = 4;

    @Test
    void tinyDigitsBitExactOnHostAndQemuM4(@TempDir Path dir) throws Exception {
        Toolchain.require("make");
        Toolchain.require("gcc");
        Model m = ModelIO.read(Assets.require(MODEL));
        Set<OpKind> kinds = EnumSet.noneOf(OpKind.class);
        for (Node n : m.graph().nodes()) {
            kinds.add(n.op().kind());
        }
        assertTrue(kinds.containsAll(EnumSet.of(OpKind.PAD, OpKind.CONV_2D, OpKind.DEPTHWISE_CONV_2D, OpKind.RELU6,
                OpKind.MEAN, OpKind.RESHAPE, OpKind.FULLY_CONNECTED)), "ops " + kinds);
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        String kernels = Files.readString(dir.resolve(CodegenOptions.defaults().prefix() + "_kernels.h"));
        assertTrue(kernels.contains("tm_conv_f32") && kernels.contains("tm_dw_f32") && !kernels.contains("tm_conv_s8"),
                "only the used kernels are emitted");
        boolean qemu = hasTool("arm-none-eabi-gcc") && hasTool("qemu-system-arm");
        if (!qemu && "true".equalsIgnoreCase(System.getenv("CI"))) {
            Toolchain.require("arm-none-eabi-gcc");
            Toolchain.require("qemu-system-arm");
        }
        Toolchain.run(dir, List.of("make", "-s", "host", "host-asan"));
        if (qemu) {
            Toolchain.run(dir, List.of("make", "-s", "qemu-m4"));
        }
        int inBytes = m.graph().inputTensor(0).byteSize();
        byte[] probe = Files.readAllBytes(Assets.require(PROBE));
        assertEquals(IMAGES * inBytes, probe.length, "probe size (C = 1: an NCHW image is also NHWC)");
        Interpreter interp = Interpreter.create(m);
        List<String> runs = new ArrayList<>(List.of("host", "asan"));
        if (qemu) {
            runs.add("m4");
        }
        double[] maxErr = new double[runs.size()];
        for (int img = 0; img < IMAGES; img++) {
            byte[] in = Arrays.copyOfRange(probe, img * inBytes, (img + 1) * inBytes);
            Files.write(dir.resolve("in.bin"), in);
            float[] expected = floats(interp.invoke(in)[0]);
            for (int r = 0; r < runs.size(); r++) {
                String run = runs.get(r);
                switch (run) {
                    case "host" -> Toolchain.run(dir, List.of("build/host/demo", "in.bin", "out.bin"));
                    case "asan" -> assertEquals("",
                            Toolchain.run(dir, List.of("build/host-asan/demo", "in.bin", "out.bin")).trim(),
                            "sanitizer output");
                    default -> Toolchain.run(dir, List.of("make", "-s", "run-qemu-" + run, "IN=in.bin",
                            "OUT=out.bin"));
                }
                float[] got = floats(Files.readAllBytes(dir.resolve("out.bin")));
                assertEquals(expected.length, got.length, run + " output size");
                for (int i = 0; i < got.length; i++) {
                    double err = Math.abs((double) got[i] - expected[i]);
                    maxErr[r] = Math.max(maxErr[r], err);
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
                            run + " image " + img + " output " + i + ": " + got[i] + " vs " + expected[i]);
                }
            }
        }
        for (int r = 0; r < runs.size(); r++) {
            System.out.println("tiny_digits " + runs.get(r) + " max abs error " + maxErr[r]);
        }
    }

    private static float[] floats(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.length / 4];
        bb.asFloatBuffer().get(f);
        return f;
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
