package io.tinyml.core.runtime;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.tinyml.core.runtime.TestModels.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The interpreter's Vector API kernels (used when the JVM resolved {@code jdk.incubator.vector}, as the
 * build's tests do) give every output byte the scalar kernels give ({@code tinyml.vector=off}): on the
 * float asset models and on synthetic layers of awkward shapes (channel counts that are no multiple of
 * the vector lanes, SAME and VALID padding, strides, dilations, groups, a fully-connected batch) with
 * signed zeros, NaN and infinities among the inputs; and max pooling. On a JVM without the vector kernels both runs take
 * the scalar form and the test holds trivially.
 */
class VectorFormTest {
    private final Random rnd = new Random(12);

    /** Output bytes of {@code inputs} run by an interpreter prepared with or without the vector kernels. */
    private static byte[][] run(Model m, boolean vector, byte[]... inputs) throws Exception {
        String old = System.getProperty("tinyml.vector");
        if (vector) {
            System.clearProperty("tinyml.vector");
        } else {
            System.setProperty("tinyml.vector", "off");
        }
        try {
            return Interpreter.create(m).invoke(inputs);
        } finally {
            if (old == null) {
                System.clearProperty("tinyml.vector");
            } else {
                System.setProperty("tinyml.vector", old);
            }
        }
    }

    /**
     * Runs the vector form first: {@code VectorSupport} decides once per JVM, at its first use, whether the
     * module is there, and a JVM whose first kernel was prepared with {@code tinyml.vector=off} keeps the
     * scalar kernels for good.
     */
    private static void assertSameBytes(Model m, String what, byte[]... inputs) throws Exception {
        byte[][] vector = run(m, true, inputs);
        byte[][] scalar = run(m, false, inputs);
        for (int o = 0; o < scalar.length; o++) {
            assertSameFloats(scalar[o], vector[o], what + ": output " + o);
        }
    }

    /**
     * Asserts two float32 outputs bit-identical, where both are NaN excepted: Java leaves the sign and
     * payload of a NaN computed from two NaN operands unspecified (the JIT may commute an addition), so
     * those bits differ between any two compilations of the same scalar code too.
     */
    private static void assertSameFloats(byte[] expected, byte[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": bytes");
        ByteBuffer e = ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer a = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < expected.length / 4; i++) {
            int eb = e.getInt(4 * i);
            int ab = a.getInt(4 * i);
            if (eb != ab && !(Float.isNaN(Float.intBitsToFloat(eb)) && Float.isNaN(Float.intBitsToFloat(ab)))) {
                fail(what + ": element " + i + " differs: " + Float.intBitsToFloat(eb) + " (0x"
                        + Integer.toHexString(eb) + ") vs " + Float.intBitsToFloat(ab) + " (0x" + Integer.toHexString(ab) + ")");
            }
        }
    }

    private static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** Gaussian values with a few exact zeros, negative zeros, and optionally NaN and infinities. */
    private float[] values(int n, boolean special) {
        float[] v = TestModels.randomFloats(rnd, n);
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(40);
            if (r == 0) {
                v[i] = 0f;
            } else if (r == 1) {
                v[i] = -0f;
            } else if (special && r == 2) {
                v[i] = Float.NaN;
            } else if (special && r == 3) {
                v[i] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            }
        }
        return v;
    }

    private static Tensor act(String name, int... dims) {
        return Tensor.activation(name, DataType.FLOAT32, Shape.of(dims));
    }

    @ParameterizedTest
    @ValueSource(strings = {"onnx/mnist8/model.onnx", "pytorch/tiny_digits.onnx", "tflite/ic_resnet8_float.tflite"})
    void assetModelsGiveTheSameBytes(String name) throws Exception {
        Path p = Assets.require("models/" + name);
        Model m = name.endsWith(".onnx") ? OnnxReader.read(Files.readAllBytes(p), p.toString()) : ModelIO.read(p);
        int n = m.graph().inputTensor(0).shape().elementCount();
        for (int sample = 0; sample < 4; sample++) {
            float[] x = TestModels.randomFloats(rnd, n);
            for (int i = 0; i < n; i++) {
                x[i] *= sample * 40 + 1;
            }
            assertSameBytes(m, name + " sample " + sample, bytes(x));
        }
    }

    @Test
    void convolutionsOfAwkwardShapes() throws Exception {
        // {batches, h, w, inC, outC, kH, kW, stride, dilation, groups}
        int[][] shapes = {
            {1, 7, 9, 3, 5, 3, 3, 1, 1, 1}, {2, 8, 8, 1, 8, 5, 5, 1, 1, 1}, {1, 9, 7, 8, 16, 3, 3, 2, 1, 1},
            {1, 6, 6, 5, 17, 3, 2, 1, 2, 1}, {1, 5, 5, 16, 24, 1, 1, 1, 1, 1}, {1, 11, 10, 16, 40, 1, 1, 2, 1, 1},
            {2, 4, 4, 7, 33, 3, 3, 2, 2, 1}, {1, 3, 3, 4, 64, 3, 3, 1, 1, 1}, {1, 6, 5, 4, 6, 3, 3, 1, 1, 2},
            {1, 1, 1, 9, 10, 1, 1, 1, 1, 1}, {1, 13, 13, 2, 3, 5, 5, 3, 1, 1}, {1, 5, 7, 6, 32, 3, 3, 1, 1, 1},
            {2, 3, 5, 3, 128, 3, 3, 1, 1, 1},
        };
        Activation[] acts = {Activation.NONE, Activation.RELU, Activation.RELU6, Activation.TANH};
        int a = 0;
        for (int[] s : shapes) {
            int n = s[0], h = s[1], w = s[2], cin = s[3], cout = s[4], kh = s[5], kw = s[6], st = s[7], dil = s[8];
            int fIn = cin / s[9];
            for (Padding p : Padding.values()) {
                int oh = p.outputSize(h, kh, st, dil);
                int ow = p.outputSize(w, kw, st, dil);
                if (oh <= 0 || ow <= 0) {
                    continue;
                }
                for (boolean withBias : new boolean[] {true, false}) {
                    Activation act = acts[a++ % acts.length];
                    Model m = single(new Op.Conv2D(st, st, dil, dil, p, act), act("y", n, oh, ow, cout),
                            act("x", n, h, w, cin),
                            Tensor.ofFloats("w", Shape.of(cout, kh, kw, fIn), values(cout * kh * kw * fIn, false)),
                            withBias ? Tensor.ofFloats("b", Shape.of(cout), values(cout, false)) : null);
                    for (boolean special : new boolean[] {false, true}) {
                        assertSameBytes(m, java.util.Arrays.toString(s) + " " + p + " " + act + " bias " + withBias
                                + (special ? " NaN/inf input" : ""), bytes(values(n * h * w * cin, special)));
                    }
                }
            }
        }
    }

    @Test
    void convolutionWithNonFiniteWeightsKeepsTheScalarForm() throws Exception {
        float[] wt = values(10 * 3 * 3 * 4, false);
        wt[5] = Float.POSITIVE_INFINITY;
        Model m = single(new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.NONE), act("y", 1, 6, 6, 10),
                act("x", 1, 6, 6, 4), Tensor.ofFloats("w", Shape.of(10, 3, 3, 4), wt), null);
        assertSameBytes(m, "infinite weight", bytes(values(6 * 6 * 4, false)));
    }

    @Test
    void depthwiseOfAwkwardShapes() throws Exception {
        // {batches, h, w, inC, multiplier, k, stride, dilation}
        int[][] shapes = {
            {1, 14, 14, 8, 1, 3, 1, 1}, {1, 16, 16, 16, 1, 3, 2, 1}, {2, 7, 7, 32, 1, 3, 1, 1}, {1, 9, 8, 5, 1, 3, 2, 2},
            {1, 6, 7, 13, 1, 5, 1, 1}, {1, 5, 5, 1, 1, 3, 3, 1}, {1, 7, 7, 3, 2, 3, 2, 1}, {1, 8, 8, 20, 1, 2, 1, 2},
            {1, 6, 5, 48, 1, 3, 2, 1}, {1, 4, 4, 64, 1, 5, 1, 1},
        };
        for (int[] s : shapes) {
            int n = s[0], h = s[1], w = s[2], cin = s[3], mult = s[4], k = s[5], st = s[6], dil = s[7];
            int cout = cin * mult;
            for (Padding p : Padding.values()) {
                int oh = p.outputSize(h, k, st, dil);
                int ow = p.outputSize(w, k, st, dil);
                if (oh <= 0 || ow <= 0) {
                    continue;
                }
                for (boolean infinite : new boolean[] {false, true}) {
                    float[] wt = values(k * k * cout, false);
                    if (infinite) {
                        wt[rnd.nextInt(wt.length)] = Float.NEGATIVE_INFINITY;
                    }
                    Activation act = infinite ? Activation.RELU6 : Activation.NONE;
                    Model m = single(new Op.DepthwiseConv2D(st, st, dil, dil, p, mult, act), act("y", n, oh, ow, cout),
                            act("x", n, h, w, cin), Tensor.ofFloats("w", Shape.of(1, k, k, cout), wt),
                            infinite ? null : Tensor.ofFloats("b", Shape.of(cout), values(cout, false)));
                    for (boolean special : new boolean[] {false, true}) {
                        assertSameBytes(m, java.util.Arrays.toString(s) + " " + p + (infinite ? " infinite weight" : "")
                                + (special ? " NaN/inf input" : ""), bytes(values(n * h * w * cin, special)));
                    }
                }
            }
        }
    }

    @Test
    void fullyConnectedOfAwkwardShapes() throws Exception {
        // {batch, in, out}
        int[][] shapes = {{1, 256, 10}, {3, 7, 1}, {2, 32, 16}, {1, 1, 33}, {4, 65, 24}};
        for (int[] s : shapes) {
            int batch = s[0], in = s[1], out = s[2];
            for (boolean withBias : new boolean[] {true, false}) {
                Model m = single(new Op.FullyConnected(withBias ? Activation.RELU : Activation.NONE, false),
                        act("y", batch, out), act("x", batch, in),
                        Tensor.ofFloats("w", Shape.of(out, in), values(out * in, true)),
                        withBias ? Tensor.ofFloats("b", Shape.of(out), values(out, false)) : null);
                for (boolean special : new boolean[] {false, true}) {
                    assertSameBytes(m, java.util.Arrays.toString(s) + " bias " + withBias
                            + (special ? " NaN/inf input" : ""), bytes(values(batch * in, special)));
                }
            }
        }
    }

    @Test
    void maxPoolOfAwkwardShapes() throws Exception {
        // {batches, h, w, channels, filter, stride}
        int[][] shapes = {{1, 28, 28, 8, 2, 2}, {1, 14, 14, 16, 3, 3}, {2, 7, 9, 5, 3, 2}, {1, 6, 6, 20, 2, 1},
            {1, 5, 5, 32, 2, 2}};
        for (int[] s : shapes) {
            int n = s[0], h = s[1], w = s[2], c = s[3], f = s[4], st = s[5];
            for (Padding p : Padding.values()) {
                int oh = p.outputSize(h, f, st, 1);
                int ow = p.outputSize(w, f, st, 1);
                Activation act = p == Padding.SAME ? Activation.RELU6 : Activation.NONE;
                Model m = single(new Op.MaxPool2D(f, f, st, st, p, act), act("y", n, oh, ow, c), act("x", n, h, w, c));
                for (boolean special : new boolean[] {false, true}) {
                    assertSameBytes(m, java.util.Arrays.toString(s) + " " + p + (special ? " NaN/inf input" : ""),
                            bytes(values(n * h * w * c, special)));
                }
            }
        }
    }
}
