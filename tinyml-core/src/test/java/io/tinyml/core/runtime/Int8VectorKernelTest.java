package io.tinyml.core.runtime;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.tinyml.core.runtime.TestModels.single;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Vector API forms of the int8 convolution, depthwise and fully-connected kernels (chosen at
 * preparation unless {@code tinyml.vector=off}) against the scalar forms, byte for byte: every node's
 * output of the int8 asset models, and synthetic layers with awkward shapes (channel counts that are
 * not multiples of the vector lanes, padding, strides, dilations, batches, per-tensor and per-channel
 * weights, nonzero input zero points, multipliers with left shifts and with 31-bit right shifts, and
 * weights too large for the float32 form, which must fall back). The scalar forms are checked
 * against TFLite's reference loops and TFLM recordings by the other quant kernel tests.
 */
class Int8VectorKernelTest {
    private static final String PROPERTY = "tinyml.vector";

    /**
     * The vector forms are decided once per JVM when {@code VectorSupport} initialises: it must not do so
     * while a test has {@code tinyml.vector=off} set, or every comparison here would be scalar against
     * scalar. Preparing one kernel with the property unset first initialises it as enabled (when the
     * JVM has the module), which the check then confirms.
     */
    @BeforeAll
    static void vectorFormsAreEnabledWhenTheModuleIsPresent() throws Exception {
        assumeTrue(!"off".equals(System.getProperty(PROPERTY)), "the run has tinyml.vector=off: only scalar forms");
        Model m = single(new Op.FullyConnected(Activation.NONE, false), act("y", 1f, 0, 1, 2), act("x", 1f, 0, 1, 2),
                Tensor.ofInt8("w", Shape.of(2, 2), new byte[4]).withQuant(QuantParams.perTensor(1f, 0)), null);
        Interpreter.create(m);
        Class<?> support = Class.forName("io.tinyml.core.runtime.internal.VectorSupport");
        Method enabled = support.getDeclaredMethod("enabled");
        enabled.setAccessible(true);
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assumeTrue(module, "the JVM runs without --add-modules jdk.incubator.vector: only the scalar forms exist");
        assertTrue((Boolean) enabled.invoke(null), "expected the vector kernels to be enabled in this JVM"
                + " (was VectorSupport initialised while tinyml.vector=off?)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tflite/kws_dscnn_int8.tflite", "tflite/person_detect/person_detect.tflite"})
    void assetModelsMatchTheScalarKernelsNodeByNode(String name) throws Exception {
        Model m = ModelIO.read(Assets.require("models/" + name));
        Random r = new Random(5);
        for (int run = 0; run < 3; run++) {
            byte[] x = new byte[m.graph().inputTensor(0).byteSize()];
            r.nextBytes(x);
            List<byte[]> vector = nodeOutputs(m, x, true);
            List<byte[]> scalar = nodeOutputs(m, x, false);
            assertEquals(scalar.size(), vector.size());
            for (int n = 0; n < scalar.size(); n++) {
                assertArrayEquals(scalar.get(n), vector.get(n), name + " run " + run + " node " + n);
            }
        }
    }

    @Test
    void convolutionsMatchTheScalarKernels() throws Exception {
        Random r = new Random(31);
        int[][] shapes = {
            // batches, h, w, inC, outC, kH, kW, stride, dilation
            {1, 7, 6, 1, 8, 3, 3, 2, 1},
            {1, 9, 5, 1, 64, 10, 4, 2, 1},
            {2, 6, 7, 3, 13, 3, 3, 1, 1},
            {1, 5, 5, 13, 37, 1, 1, 1, 1},
            {1, 8, 9, 16, 70, 3, 2, 2, 2},
            {1, 3, 3, 70, 33, 1, 1, 1, 1},
            {2, 4, 3, 32, 32, 2, 2, 1, 1},
            {1, 1, 1, 40, 5, 1, 1, 1, 1},
        };
        for (int[] s : shapes) {
            for (Padding p : Padding.values()) {
                for (boolean perChannel : new boolean[] {false, true}) {
                    int oh = p.outputSize(s[1], s[5], s[7], s[8]), ow = p.outputSize(s[2], s[6], s[7], s[8]);
                    if (oh <= 0 || ow <= 0) {
                        continue;
                    }
                    byte[] w = bytes(r, s[4] * s[5] * s[6] * s[3], -127, 127);
                    Model m = single(new Op.Conv2D(s[7], s[7], s[8], s[8], p, Activation.RELU),
                            act("y", 0.5f + r.nextFloat(), r.nextInt(50) - 25, s[0], oh, ow, s[4]),
                            act("x", 0.05f, r.nextInt(256) - 128, s[0], s[1], s[2], s[3]),
                            Tensor.ofInt8("w", Shape.of(s[4], s[5], s[6], s[3]), w).withQuant(weightQuant(r, s[4], perChannel, 0)),
                            bias(r, s[4]));
                    compare(m, r, java.util.Arrays.toString(s) + " " + p + (perChannel ? " per-channel" : " per-tensor"));
                }
            }
        }
    }

    @Test
    void depthwiseConvolutionsMatchTheScalarKernels() throws Exception {
        Random r = new Random(32);
        int[][] shapes = {
            // batches, h, w, inC, multiplier, k, stride, dilation
            {1, 9, 9, 1, 8, 3, 2, 1},
            {1, 6, 5, 1, 3, 3, 1, 1},
            {2, 7, 6, 13, 1, 3, 1, 1},
            {1, 8, 7, 64, 1, 3, 2, 1},
            {1, 9, 8, 20, 1, 3, 1, 2},
            {1, 5, 6, 3, 2, 3, 2, 1},
            {1, 3, 3, 37, 1, 5, 1, 1},
        };
        for (int[] s : shapes) {
            for (Padding p : Padding.values()) {
                int outC = s[3] * s[4];
                int oh = p.outputSize(s[1], s[5], s[6], s[7]), ow = p.outputSize(s[2], s[5], s[6], s[7]);
                if (oh <= 0 || ow <= 0) {
                    continue;
                }
                byte[] w = bytes(r, s[5] * s[5] * outC, -127, 127);
                Model m = single(new Op.DepthwiseConv2D(s[6], s[6], s[7], s[7], p, s[4], Activation.RELU6),
                        act("y", 0.02f + r.nextFloat() / 10, r.nextInt(256) - 128, s[0], oh, ow, outC),
                        act("x", 0.05f, r.nextInt(256) - 128, s[0], s[1], s[2], s[3]),
                        Tensor.ofInt8("w", Shape.of(1, s[5], s[5], outC), w).withQuant(weightQuant(r, outC, true, 3)),
                        bias(r, outC));
                compare(m, r, java.util.Arrays.toString(s) + " " + p);
            }
        }
    }

    @Test
    void fullyConnectedLayersMatchTheScalarKernels() throws Exception {
        Random r = new Random(33);
        int[][] shapes = {{1, 64, 12}, {3, 37, 9}, {2, 300, 70}, {1, 8, 1}};
        for (int[] s : shapes) {
            for (boolean perChannel : new boolean[] {false, true}) {
                byte[] w = bytes(r, s[2] * s[1], -127, 127);
                Model m = single(new Op.FullyConnected(Activation.NONE, false),
                        act("y", 2f + r.nextFloat(), r.nextInt(20) - 10, s[0], s[2]),
                        act("x", 0.05f, r.nextInt(256) - 128, s[0], s[1]),
                        Tensor.ofInt8("w", Shape.of(s[2], s[1]), w).withQuant(weightQuant(r, s[2], perChannel, 0)),
                        bias(r, s[2]));
                compare(m, r, java.util.Arrays.toString(s) + (perChannel ? " per-channel" : " per-tensor"));
            }
        }
    }

    @Test
    void extremeMultipliersAndLargeWeightsMatchTheScalarKernels() throws Exception {
        Random r = new Random(34);
        // output scale far below input·weight scale: left shifts; near it: shift 0; far above: right shifts up
        // to 31 and beyond (beyond, the layer keeps its scalar kernel)
        for (float outScale : new float[] {1e-6f, 3e-5f, 1e-3f, 0.9f, 40f, 3e4f, 1e5f, 6e5f}) {
            int inC = 24, outC = 19;
            byte[] w = bytes(r, outC * 9 * inC, -127, 127);
            Model m = single(new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.NONE),
                    act("y", outScale, 7, 1, 5, 6, outC), act("x", 0.05f, -3, 1, 5, 6, inC),
                    Tensor.ofInt8("w", Shape.of(outC, 3, 3, inC), w).withQuant(weightQuant(r, outC, true, 0)),
                    bias(r, outC));
            compare(m, r, "output scale " + outScale);
        }
        // |w| = 127 on 600 inputs: 128 · Σ|w| exceeds 2^22, the float form must not be used (or be exact)
        byte[] big = new byte[8 * 600];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i % 3 == 0 ? -127 : 127);
        }
        Model m = single(new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.NONE),
                act("y", 50f, 0, 1, 2, 3, 8), act("x", 0.05f, 0, 1, 2, 3, 600),
                Tensor.ofInt8("w", Shape.of(8, 1, 1, 600), big).withQuant(QuantParams.perTensor(0.01f, 0)), bias(r, 8));
        compare(m, r, "large weights");
    }

    /** Runs {@code m} on random inputs with the scalar and the vector kernels and compares every output byte. */
    private static void compare(Model m, Random r, String what) throws Exception {
        Interpreter vector = create(m, true);
        Interpreter scalar = create(m, false);
        for (int run = 0; run < 3; run++) {
            byte[] x = new byte[m.graph().inputTensor(0).byteSize()];
            r.nextBytes(x);
            if (run == 2) {
                // the extremes of the int8 range
                for (int i = 0; i < x.length; i++) {
                    x[i] = (byte) (i % 2 == 0 ? -128 : 127);
                }
            }
            assertArrayEquals(scalar.invoke(x)[0], vector.invoke(x)[0], what + " run " + run);
        }
    }

    private static List<byte[]> nodeOutputs(Model m, byte[] x, boolean vector) throws Exception {
        List<byte[]> outs = new ArrayList<>();
        String old = System.getProperty(PROPERTY);
        try {
            setVector(vector);
            Interpreter.create(m, e -> outs.add(e.outputBytes(0))).invoke(x);
        } finally {
            restore(old);
        }
        return outs;
    }

    private static Interpreter create(Model m, boolean vector) throws Exception {
        String old = System.getProperty(PROPERTY);
        try {
            setVector(vector);
            return Interpreter.create(m);
        } finally {
            restore(old);
        }
    }

    private static void setVector(boolean on) {
        if (on) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, "off");
        }
    }

    private static void restore(String old) {
        if (old == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, old);
        }
    }

    private static QuantParams weightQuant(Random r, int channels, boolean perChannel, int axis) {
        if (!perChannel) {
            return QuantParams.perTensor(0.005f + r.nextFloat() / 50, 0);
        }
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            s[c] = 0.001f + r.nextFloat() / 30;
        }
        return QuantParams.perAxis(s, new long[channels], axis);
    }

    private static Tensor bias(Random r, int n) {
        int[] b = new int[n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextInt(40001) - 20000;
        }
        return Tensor.ofInts("b", Shape.of(n), b);
    }

    private static Tensor act(String name, float scale, int zp, int... dims) {
        return Tensor.activation(name, DataType.INT8, Shape.of(dims)).withQuant(QuantParams.perTensor(scale, zp));
    }

    private static byte[] bytes(Random r, int n, int lo, int hi) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (lo + r.nextInt(hi - lo + 1));
        }
        return b;
    }
}
