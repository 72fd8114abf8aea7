package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * int16x8 models (int16 activations, int8 weights, int64 biases): tiny_digits, mnist8 and kws
 * quantized float → int16x8 by the SDK's quantizer, and an add/sub/softmax chain built in code. The
 * generated C, on the host (and under ASan/UBSan) and under QEMU Cortex-M4, produces exactly the
 * interpreter's output bytes, for a real input and for seeded random int16 inputs (full range).
 */
class Int16CodegenTest {

    /** A real input of the model's type: the first mnist10k image, or kws's recorded features, requantized. */
    static byte[] realInput(String name, Model m) throws Exception {
        Tensor in = m.graph().inputTensor(0);
        float scale = in.requireQuant().scale();
        int n = in.shape().elementCount();
        float[] v = new float[n];
        if (name.equals("kws")) {
            Model int8 = io.tinyml.core.io.ModelIO.read(io.tinyml.core.testing.Assets.require(
                    "models/tflite/kws_dscnn_int8.tflite"));
            QuantParams q8 = int8.graph().inputTensor(0).requireQuant();
            byte[] rec = Files.readAllBytes(io.tinyml.core.testing.Assets.require("reference/kws/input.bin"));
            for (int i = 0; i < n; i++) {
                v[i] = q8.scale() * (rec[i] - q8.zeroPoint());
            }
        } else {
            float[] img = io.tinyml.core.data.Datasets.open(io.tinyml.core.testing.Assets.require("datasets/mnist10k")
                    + "[0:1]").values(0);
            for (int i = 0; i < n; i++) {
                v[i] = name.equals("tiny_digits") ? img[i] / 255f : img[i];
            }
        }
        ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(f / scale))));
        }
        return b.array();
    }

    static byte[] randomInput(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny_digits", "mnist8", "kws"})
    void hostAsanAndQemuM4AreByteIdenticalToTheInterpreter(String name, @TempDir Path dir) throws Exception {
        Toolchain.require("make");
        Toolchain.require("gcc");
        Model m = Int16Models.int16x8(name);
        assertEquals(DataType.INT16, m.graph().inputTensor(0).type());
        check(m, dir, List.of(realInput(name, m), randomInput(m.graph().inputTensor(0).byteSize(), 11)), name);
    }

    @Test
    void addSubAndSoftmaxChainIsByteIdentical(@TempDir Path dir) throws Exception {
        Toolchain.require("make");
        Toolchain.require("gcc");
        Model m = chain();
        List<byte[]> inputs = List.of(randomInput(128, 1), randomInput(128, 2), new byte[128]);
        check(m, dir, inputs, "add/sub/softmax");
        String kernels = Files.readString(dir.resolve("tinyml_kernels.h"));
        assertTrue(kernels.contains("tm_addsub_s16") && kernels.contains("tm_softmax_s16")
                && kernels.contains("tm_fc_s16"), "int16 kernels used");
    }

    /** x → FC → ADD(x, ·) → SUB(·, x) → SOFTMAX, int16 throughout. */
    static Model chain() {
        GraphBuilder b = new GraphBuilder();
        int x = q(b, "x", 0.0009f);
        Random r = new Random(5);
        byte[] w = new byte[64 * 64];
        r.nextBytes(w);
        float[] ws = new float[64];
        long[] bias = new long[64];
        for (int i = 0; i < 64; i++) {
            ws[i] = 0.002f + 0.0001f * i;
            bias[i] = r.nextInt(2_000_000) - 1_000_000;
        }
        int wt = b.addTensor(Tensor.ofInt8("w", Shape.of(64, 64), w).withQuant(QuantParams.perAxis(ws,
                new long[64], 0)));
        ByteBuffer bb = ByteBuffer.allocate(8 * 64).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : bias) {
            bb.putLong(v);
        }
        int bt = b.addTensor(Tensor.constant("b", DataType.INT64, Shape.of(64), bb.array()));
        int fc = q(b, "fc", 0.004f);
        b.addNode("fc", new Op.FullyConnected(io.tinyml.core.ir.Activation.RELU, false), List.of(x, wt, bt),
                List.of(fc));
        int add = q(b, "add", 0.0031f);
        b.addNode("add", new Op.Add(io.tinyml.core.ir.Activation.NONE), List.of(x, fc), List.of(add));
        int sub = q(b, "sub", 0.0027f);
        b.addNode("sub", new Op.Sub(io.tinyml.core.ir.Activation.NONE), List.of(add, x), List.of(sub));
        int y = b.addTensor(Tensor.activation("y", DataType.INT16, Shape.of(1, 64)).withQuant(
                QuantParams.perTensor(1f / 32768, 0)));
        b.addNode("softmax", new Op.Softmax(1.0f), List.of(sub), List.of(y));
        b.addOutput(y);
        b.addOutput(sub);
        return Model.of(b.build(), Provenance.builtInCode("Int16CodegenTest"));
    }

    private static int q(GraphBuilder b, String name, float scale) {
        Tensor t = Tensor.activation(name, DataType.INT16, Shape.of(1, 64)).withQuant(QuantParams.perTensor(scale, 0));
        return name.equals("x") ? b.addInput(t) : b.addTensor(t);
    }

    /** Generates the model, builds host + host-asan (+ qemu-m4 when installed) and compares every input's outputs. */
    static void check(Model m, Path dir, List<byte[]> inputs, String name) throws Exception {
        CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(dir, false);
        boolean qemu = Toolchain.has("arm-none-eabi-gcc") && Toolchain.has("qemu-system-arm");
        Toolchain.run(dir, List.of("make", "-s", "host", "host-asan"));
        if (qemu) {
            Toolchain.run(dir, List.of("make", "-s", "qemu-m4"));
        } else if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Toolchain.require("arm-none-eabi-gcc");
            Toolchain.require("qemu-system-arm");
        }
        Interpreter interp = Interpreter.create(m);
        for (int i = 0; i < inputs.size(); i++) {
            Files.write(dir.resolve("in.bin"), inputs.get(i));
            byte[][] want = interp.invoke(inputs.get(i));
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (byte[] o : want) {
                all.write(o);
            }
            byte[] expected = all.toByteArray();
            Toolchain.run(dir, List.of("build/host/demo", "in.bin", "host.bin"));
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("host.bin")), name + " host, input " + i);
            String asan = Toolchain.run(dir, List.of("build/host-asan/demo", "in.bin", "asan.bin"));
            assertEquals("", asan.trim(), "sanitizer output");
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("asan.bin")), name + " host-asan, input " + i);
            if (i == 0 && qemu) {
                Toolchain.run(dir, List.of("make", "-s", "run-qemu-m4", "IN=in.bin", "OUT=m4.bin"));
                assertArrayEquals(expected, Files.readAllBytes(dir.resolve("m4.bin")), name + " QEMU M4, input " + i);
            }
        }
    }
}
