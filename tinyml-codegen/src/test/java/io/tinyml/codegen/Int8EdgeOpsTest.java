package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The int8 operators quantized CNNs carry besides convolutions: QUANTIZE from float32, PAD, the
 * element-wise activations (LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, RELU6, CLIP), MEAN with equal and
 * with different input/output parameters, int8 requantization and DEQUANTIZE back to float32. A
 * model chaining them, built in code, runs in generated C on the host and under QEMU Cortex-M4 with
 * exactly the interpreter's output bytes for seeded random inputs (including NaN, infinities and
 * values beyond the int8 range). A pad followed by element-wise operators whose peak they set runs
 * them in place (GeneratedArena), with the same bytes.
 */
class Int8EdgeOpsTest {

    static Model chain() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 5, 6, 3)));
        int a = q(b, "a", Shape.of(1, 5, 6, 3), 0.05f, 3);
        b.addNode("quantize", new Op.Quantize(), List.of(x), List.of(a));
        int p = q(b, "p", Shape.of(1, 7, 9, 3), 0.05f, 3);
        b.addNode("pad", new Op.Pad(List.of(0, 1, 2, 0), List.of(0, 1, 1, 0), 0f), List.of(a), List.of(p));
        int lg = q(b, "logistic", Shape.of(1, 7, 9, 3), 1f / 256, -128);
        b.addNode("logistic", new Op.Logistic(), List.of(p), List.of(lg));
        int th = q(b, "tanh", Shape.of(1, 7, 9, 3), 1f / 128, 0);
        b.addNode("tanh", new Op.Tanh(), List.of(lg), List.of(th));
        int hs = q(b, "hard_swish", Shape.of(1, 7, 9, 3), 0.01f, -20);
        b.addNode("hard_swish", new Op.HardSwish(), List.of(th), List.of(hs));
        int lr = q(b, "leaky", Shape.of(1, 7, 9, 3), 0.012f, -5);
        b.addNode("leaky", new Op.LeakyRelu(0.1f), List.of(hs), List.of(lr));
        int r6 = q(b, "relu6", Shape.of(1, 7, 9, 3), 0.007f, -100);
        b.addNode("relu6", new Op.Relu6(), List.of(lr), List.of(r6));
        int cl = q(b, "clip", Shape.of(1, 7, 9, 3), 0.007f, -100);
        b.addNode("clip", new Op.Clip(0.1f, 0.5f), List.of(r6), List.of(cl));
        int same = q(b, "mean_same", Shape.of(1, 7, 1, 3), 0.007f, -100);
        b.addNode("mean_same", new Op.Mean(List.of(2), true), List.of(cl), List.of(same));
        int diff = q(b, "mean_diff", Shape.of(1, 3), 0.0031f, 7);
        b.addNode("mean_diff", new Op.Mean(List.of(1, 2), false), List.of(same), List.of(diff));
        int rq = q(b, "requantize", Shape.of(1, 3), 0.004f, -3);
        b.addNode("requantize", new Op.Quantize(), List.of(diff), List.of(rq));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 3)));
        b.addNode("dequantize", new Op.Dequantize(), List.of(rq), List.of(y));
        // a second output exposes the element-wise chain byte for byte
        b.addOutput(y);
        b.addOutput(cl);
        return Model.of(b.build(), Provenance.builtInCode("Int8EdgeOpsTest"));
    }

    private static int q(GraphBuilder b, String name, Shape s, float scale, int zp) {
        return b.addTensor(Tensor.activation(name, DataType.INT8, s).withQuant(QuantParams.perTensor(scale, zp)));
    }

    @Test
    void hostAndQemuM4AreByteIdentical(@TempDir Path dir) throws Exception {
        Toolchain.require("make");
        Toolchain.require("gcc");
        Toolchain.require("arm-none-eabi-gcc");
        Toolchain.require("qemu-system-arm");
        Model m = chain();
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        String kernels = Files.readString(dir.resolve("tinyml_kernels.h"));
        assertTrue(kernels.contains("tm_pad_s8") && kernels.contains("tm_mean_s8") && kernels.contains("tm_lut_s8")
                && kernels.contains("tm_quantize_f32_s8"), "int8 kernels used");
        Toolchain.run(dir, List.of("make", "-s", "host", "qemu-m4"));
        Interpreter interp = Interpreter.create(m);
        Random r = new Random(9);
        for (int trial = 0; trial < 3; trial++) {
            ByteBuffer in = ByteBuffer.allocate(90 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 90; i++) {
                float v = (float) (r.nextGaussian() * 4);
                if (trial == 0 && i < 6) {
                    v = new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e9f, -0.025f,
                            0.075f}[i];
                }
                in.putFloat(v);
            }
            Files.write(dir.resolve("in.bin"), in.array());
            byte[][] want = interp.invoke(in.array());
            byte[] expected = new byte[want[0].length + want[1].length];
            System.arraycopy(want[0], 0, expected, 0, want[0].length);
            System.arraycopy(want[1], 0, expected, want[0].length, want[1].length);
            Toolchain.run(dir, List.of("build/host/demo", "in.bin", "host.bin"));
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("host.bin")), "host, trial " + trial);
            Toolchain.run(dir, List.of("make", "-s", "run-qemu-m4", "IN=in.bin", "OUT=m4.bin"));
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("m4.bin")), "QEMU M4, trial " + trial);
        }
    }

    @Test
    void elementwiseOperatorsRunInPlaceWithTheInterpretersBytes(@TempDir Path dir) throws Exception {
        Toolchain.require("make");
        Toolchain.require("gcc");
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.INT8, Shape.of(1, 4, 4, 3))
                .withQuant(QuantParams.perTensor(0.05f, 3)));
        int p = q(b, "p", Shape.of(1, 20, 20, 3), 0.05f, 3);
        b.addNode("pad", new Op.Pad(List.of(0, 8, 8, 0), List.of(0, 8, 8, 0), 0f), List.of(x), List.of(p));
        int lg = q(b, "logistic", Shape.of(1, 20, 20, 3), 1f / 256, -128);
        b.addNode("logistic", new Op.Logistic(), List.of(p), List.of(lg));
        int th = q(b, "tanh", Shape.of(1, 20, 20, 3), 1f / 128, 0);
        b.addNode("tanh", new Op.Tanh(), List.of(lg), List.of(th));
        int ad = q(b, "add", Shape.of(1, 20, 20, 3), 0.01f, 2);
        b.addNode("add", new Op.Add(io.tinyml.core.ir.Activation.NONE), List.of(th, th), List.of(ad));
        b.addOutput(ad);
        Model m = Model.of(b.build(), Provenance.builtInCode("Int8EdgeOpsTest"));
        io.tinyml.core.estimate.GeneratedArena arena = io.tinyml.core.estimate.GeneratedArena.plan(m.graph());
        for (int i = 1; i < 4; i++) {
            io.tinyml.core.ir.Node n = m.graph().node(i);
            assertEquals(arena.problem().bufferOfTensor(n.input(0)), arena.problem().bufferOfTensor(n.output(0)),
                    n.name() + " in place");
        }
        assertEquals(48 + 1200, arena.arenaBytes(), "the input and one buffer for the whole chain (2,400 without)");
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        boolean qemu = Toolchain.has("arm-none-eabi-gcc") && Toolchain.has("qemu-system-arm");
        Toolchain.run(dir, List.of("make", "-s", "host", "host-asan"));
        if (qemu) {
            Toolchain.run(dir, List.of("make", "-s", "qemu-m4"));
        }
        byte[] in = new byte[48];
        new Random(3).nextBytes(in);
        Files.write(dir.resolve("in.bin"), in);
        byte[] want = Interpreter.create(m).invoke(in)[0];
        Toolchain.run(dir, List.of("build/host/demo", "in.bin", "host.bin"));
        assertArrayEquals(want, Files.readAllBytes(dir.resolve("host.bin")), "host");
        assertEquals("", Toolchain.run(dir, List.of("build/host-asan/demo", "in.bin", "asan.bin")).trim());
        assertArrayEquals(want, Files.readAllBytes(dir.resolve("asan.bin")), "host-asan");
        if (qemu) {
            Toolchain.run(dir, List.of("make", "-s", "run-qemu-m4", "IN=in.bin", "OUT=m4.bin"));
            assertArrayEquals(want, Files.readAllBytes(dir.resolve("m4.bin")), "QEMU M4");
        }
    }

    @Test
    void int16OperatorWithoutKernelIsRefusedNamingWhatInt16Covers() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.INT16, Shape.of(1, 4)).withQuant(
                QuantParams.perTensor(0.001f, 0)));
        int y = b.addTensor(Tensor.activation("y", DataType.INT16, Shape.of(1, 4)).withQuant(
                QuantParams.perTensor(0.001f, 0)));
        b.addNode("relu", new Op.Relu(), List.of(x), List.of(y));
        b.addOutput(y);
        Model m = Model.of(b.build(), Provenance.builtInCode("int16"));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> CodeGenerator.generate(m, CodegenOptions.defaults()));
        assertTrue(e.getMessage().contains("int16 RELU has no C kernel") && e.getMessage().contains("'relu'")
                && e.getMessage().contains("softmax"), e.getMessage());
        assertEquals(1, m.graph().nodes().size());
    }
}
