package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.estimate.GeneratedKernels;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The specialised int8 kernels (one-channel 3x3 depthwise, 3x3 depthwise, pointwise) on shapes kws and
 * person do not have: stride 2 with SAME padding on an odd input, an odd pixel count, an odd output
 * channel count (the pointwise kernel's lone last row), 36 input channels (the asm block after one C
 * step), fused RELU6 and RELU ranges, per-channel weights; and the 4-row fully-connected kernel with
 * per-tensor and per-channel weights. The generated C on the host (plain and
 * ASan/UBSan, the portable paths) and under QEMU Cortex-M4 (the DSP and asm paths) gives exactly the
 * interpreter's bytes for seeded random inputs.
 */
class SpecialisedKernelsTest {

    static Model model() {
        Random r = new Random(11);
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(q("x", Shape.of(1, 9, 9, 1), 0.05f, 3));
        int a = q(b, "dw1", Shape.of(1, 5, 5, 8), 0.04f, -7);
        b.addNode("dw1", new Op.DepthwiseConv2D(2, 2, 1, 1, Padding.SAME, 8, Activation.RELU6),
                List.of(x, weights(b, r, "dw1_w", Shape.of(1, 3, 3, 8), 3, 8), bias(b, r, "dw1_b", 8)), List.of(a));
        int d = q(b, "dw3", Shape.of(1, 5, 5, 8), 0.03f, 5);
        b.addNode("dw3", new Op.DepthwiseConv2D(1, 1, 1, 1, Padding.SAME, 1, Activation.NONE),
                List.of(a, weights(b, r, "dw3_w", Shape.of(1, 3, 3, 8), 3, 8), bias(b, r, "dw3_b", 8)), List.of(d));
        int p = q(b, "pw1", Shape.of(1, 5, 5, 36), 0.06f, -20);
        b.addNode("pw1", new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.RELU),
                List.of(d, weights(b, r, "pw1_w", Shape.of(36, 1, 1, 8), 0, 36), bias(b, r, "pw1_b", 36)), List.of(p));
        int s = q(b, "dw3s2", Shape.of(1, 3, 3, 36), 0.05f, 2);
        b.addNode("dw3s2", new Op.DepthwiseConv2D(2, 2, 1, 1, Padding.SAME, 1, Activation.NONE),
                List.of(p, weights(b, r, "dw3s2_w", Shape.of(1, 3, 3, 36), 3, 36), bias(b, r, "dw3s2_b", 36)),
                List.of(s));
        int y = q(b, "pw2", Shape.of(1, 3, 3, 5), 0.2f, 1);
        b.addNode("pw2", new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.NONE),
                List.of(s, weights(b, r, "pw2_w", Shape.of(5, 1, 1, 36), 0, 5), bias(b, r, "pw2_b", 5)), List.of(y));
        int f1 = q(b, "fc1", Shape.of(1, 8), 0.3f, -3);
        b.addNode("fc1", new Op.FullyConnected(Activation.RELU, false), List.of(s, fcWeights(b, r, "fc1_w", 8, 324,
                true), bias(b, r, "fc1_b", 8)), List.of(f1));
        int f2 = q(b, "fc2", Shape.of(1, 4), 0.25f, 6);
        b.addNode("fc2", new Op.FullyConnected(Activation.NONE, false), List.of(f1, fcWeights(b, r, "fc2_w", 4, 8,
                false), bias(b, r, "fc2_b", 4)), List.of(f2));
        b.addOutput(y);
        b.addOutput(d);
        b.addOutput(f2);
        return Model.of(b.build(), Provenance.builtInCode("SpecialisedKernelsTest"));
    }

    private static Tensor q(String name, Shape s, float scale, int zp) {
        return Tensor.activation(name, DataType.INT8, s).withQuant(QuantParams.perTensor(scale, zp));
    }

    private static int q(GraphBuilder b, String name, Shape s, float scale, int zp) {
        return b.addTensor(q(name, s, scale, zp));
    }

    private static int weights(GraphBuilder b, Random r, String name, Shape s, int axis, int channels) {
        byte[] v = new byte[s.elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = 0.002f + 0.004f * r.nextFloat();
        }
        return b.addTensor(Tensor.ofInt8(name, s, v).withQuant(QuantParams.perAxis(scales, new long[channels], axis)));
    }

    private static int fcWeights(GraphBuilder b, Random r, String name, int rows, int cols, boolean perTensor) {
        if (!perTensor) {
            return weights(b, r, name, Shape.of(rows, cols), 0, rows);
        }
        byte[] v = new byte[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (r.nextInt(255) - 127);
        }
        return b.addTensor(Tensor.ofInt8(name, Shape.of(rows, cols), v).withQuant(QuantParams.perTensor(0.003f, 0)));
    }

    private static int bias(GraphBuilder b, Random r, String name, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(4001) - 2000;
        }
        return b.addTensor(Tensor.ofInts(name, Shape.of(n), v));
    }

    @Test
    void everyNodeTakesItsSpecialisedKernel() {
        Graph g = model().graph();
        assertEquals(GeneratedKernels.Kind.DEPTHWISE_1X3X3, GeneratedKernels.choose(g, g.node(0)));
        assertEquals(GeneratedKernels.Kind.DEPTHWISE_3X3, GeneratedKernels.choose(g, g.node(1)));
        assertEquals(GeneratedKernels.Kind.POINTWISE, GeneratedKernels.choose(g, g.node(2)));
        assertEquals(GeneratedKernels.Kind.DEPTHWISE_3X3, GeneratedKernels.choose(g, g.node(3)));
        assertEquals(GeneratedKernels.Kind.POINTWISE, GeneratedKernels.choose(g, g.node(4)));
        assertTrue(GeneratedKernels.fourRowFullyConnected(g, g.node(5)));
        assertTrue(GeneratedKernels.fourRowFullyConnected(g, g.node(6)));
    }

    @Test
    void hostAsanAndQemuM4MatchTheInterpreter(@TempDir Path dir) throws Exception {
        for (String tool : List.of("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm")) {
            Toolchain.require(tool);
        }
        Model m = model();
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        String kernels = Files.readString(dir.resolve("tinyml_kernels.h"));
        assertTrue(kernels.contains("tm_dw1_3x3_s8(") && kernels.contains("tm_dw3_s8(")
                && kernels.contains("tm_pw_s8(") && kernels.contains("tm_fc_s8_4x(") && !kernels.contains("tm_conv_s8_mm(")
                && !kernels.contains("tm_fc_s8("), "specialised kernels used");
        Toolchain.run(dir, List.of("make", "-s", "host", "host-asan", "qemu-m4"));
        Interpreter interp = Interpreter.create(m);
        Random r = new Random(5);
        for (int trial = 0; trial < 3; trial++) {
            byte[] in = new byte[81];
            r.nextBytes(in);
            if (trial == 0) {
                java.util.Arrays.fill(in, (byte) 127);
            }
            Files.write(dir.resolve("in.bin"), in);
            byte[][] want = interp.invoke(in);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (byte[] o : want) {
                all.write(o);
            }
            byte[] expected = all.toByteArray();
            Toolchain.run(dir, List.of("build/host/demo", "in.bin", "host.bin"));
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("host.bin")), "host, trial " + trial);
            String asan = Toolchain.run(dir, List.of("build/host-asan/demo", "in.bin", "asan.bin"));
            assertEquals("", asan.trim(), "sanitizer output");
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("asan.bin")), "host-asan, trial " + trial);
            Toolchain.run(dir, List.of("make", "-s", "run-qemu-m4", "IN=in.bin", "OUT=m4.bin"));
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("m4.bin")), "QEMU M4, trial " + trial);
        }
    }
}
