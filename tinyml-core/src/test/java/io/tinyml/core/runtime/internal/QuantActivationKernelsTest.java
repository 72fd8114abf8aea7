package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantActivationKernelsTest {

    /** A one-node graph, its arrays and its prepared kernel. */
    record Fixture(Graph graph, Object[] arrays, Kernel kernel) {
        Object in() {
            return arrays[graph.inputs().get(0)];
        }

        Object out() {
            return arrays[graph.outputs().get(0)];
        }
    }

    static Fixture fixture(Op op, DataType type, Shape inShape, Shape outShape, QuantParams qi, QuantParams qo)
            throws UnsupportedOperatorException {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", type, inShape).withQuant(qi));
        int y = b.addTensor(Tensor.activation("y", type, outShape).withQuant(qo));
        b.addNode("n0", op, List.of(x), List.of(y));
        b.addOutput(y);
        Graph g = b.build();
        Object[] arrays = new Object[g.tensors().size()];
        for (int i = 0; i < arrays.length; i++) {
            Tensor t = g.tensor(i);
            arrays[i] = TensorArrays.allocate(t.type(), t.shape().elementCount());
        }
        return new Fixture(g, arrays, QuantActivationKernels.create(g, g.node(0), arrays));
    }

    /** Runs an INT8 element-wise op over all 256 inputs and returns the 256 outputs, input -128 first. */
    static byte[] allInt8(Op op, QuantParams qi, QuantParams qo) throws UnsupportedOperatorException {
        Fixture f = fixture(op, DataType.INT8, Shape.of(1, 256), Shape.of(1, 256), qi, qo);
        byte[] x = (byte[]) f.in();
        for (int i = 0; i < 256; i++) {
            x[i] = (byte) (i - 128);
        }
        f.kernel().run();
        return ((byte[]) f.out()).clone();
    }

    static double deq(int q, QuantParams p) {
        return p.scale() * (q - p.zeroPoint());
    }

    static void assertMonotone(byte[] out, String what) {
        for (int i = 1; i < out.length; i++) {
            assertTrue(out[i] >= out[i - 1], what + ": output decreases at input " + (i - 128));
        }
    }

    // ------------------------------------------------------------------ SOFTMAX

    @Nested
    class Softmax {
        final QuantParams out8 = QuantParams.perTensor(1.0f / 256, -128);

        byte[] softmax(byte[] logits, int depth, float scale, int zp, float beta) throws UnsupportedOperatorException {
            Fixture f = fixture(new Op.Softmax(beta), DataType.INT8, Shape.of(logits.length / depth, depth),
                    Shape.of(logits.length / depth, depth), QuantParams.perTensor(scale, zp), out8);
            System.arraycopy(logits, 0, (byte[]) f.in(), 0, logits.length);
            f.kernel().run();
            return ((byte[]) f.out()).clone();
        }

        @Test
        void equalLogitsShareTheMassExactly() throws Exception {
            // 2 equal logits: 0.5 -> 128/256 -> -128 + 128 = 0.
            assertArrayEquals(new byte[] {0, 0}, softmax(new byte[] {5, 5}, 2, 0.1f, 3, 1f));
            // 4 equal: 0.25 -> 64 -> -64.
            assertArrayEquals(new byte[] {-64, -64, -64, -64}, softmax(new byte[] {-7, -7, -7, -7}, 4, 0.2f, 0, 1f));
            // 1 logit: 1.0 -> 256 -> saturates at 127.
            assertArrayEquals(new byte[] {127}, softmax(new byte[] {-100}, 1, 0.1f, 0, 1f));
            // 256 equal logits: 1/256 -> 1 -> -127.
            byte[] many = new byte[256];
            byte[] got = softmax(many, 256, 0.1f, 0, 1f);
            for (byte b : got) {
                assertEquals(-127, b);
            }
        }

        @Test
        void hardCaseByHand() throws Exception {
            // scale 1, beta 1: real multiplier 2^26 -> (2^30, shift 27), radius floor(31*2^26/2^27) = 15.
            QuantActivationSoftmax k = new QuantActivationSoftmax(new byte[2], new byte[2], 2, 1.0f, 1.0f);
            assertEquals(-15, k.diffMin());
            // Two logits one unit apart: e^0 / (e^0 + e^-1) = 0.7311 -> 187.2 -> 187 - 128 = 59;
            // e^-1 / (1 + e^-1) = 0.2689 -> 68.8 -> 69 - 128 = -59.
            assertArrayEquals(new byte[] {59, -59}, softmax(new byte[] {10, 9}, 2, 1.0f, 0, 1f));
            // A logit 16 below the max is beyond diffMin: exactly the minimum, the other takes all.
            assertArrayEquals(new byte[] {127, -128}, softmax(new byte[] {20, 4}, 2, 1.0f, 0, 1f));
        }

        /**
         * Outputs TFLite's own kernel tests record for its reference int8 softmax (activations_test.cc,
         * Softmax1DInt8 / Softmax4DInt8): beta 0.1, input quantized on [-10, 10] (scale 20/255), logits
         * {0, -6, 2, 4, 3, -2, 10, 1} quantized with round-half-away.
         */
        @Test
        void matchesTfliteRecordedOutputs() throws Exception {
            float scale = 20f / 255f;
            byte[] x = {0, -77, 26, 51, 38, -26, 127, 13};
            // One row of 8: dequantized 0.09766, 0.05469, 0.12109, 0.14453, 0.13281, 0.07813, 0.26563, 0.10938.
            byte[] y = softmax(x, 8, scale, 0, 0.1f);
            int[] steps = {25, 14, 31, 37, 34, 20, 68, 28};
            for (int i = 0; i < 8; i++) {
                assertEquals(steps[i] - 128, y[i], "element " + i);
            }
            // Two rows of 4: raw int8 outputs asserted by TFLite.
            assertArrayEquals(new byte[] {-68, -95, -54, -38, -70, -93, -12, -81}, softmax(x, 4, scale, 0, 0.1f));
            // The zero point does not matter, only differences do (TFLite's own zero point here is 0 or -1).
            byte[] shifted = {-1, -78, 25, 50, 37, -27, 126, 12};
            assertArrayEquals(new byte[] {-68, -95, -54, -38, -70, -93, -12, -81},
                    softmax(shifted, 4, scale, -1, 0.1f));
        }

        @Test
        void refusesWrongOutputParametersAndTypes() {
            UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                    () -> fixture(new Op.Softmax(1f), DataType.INT8, Shape.of(1, 10), Shape.of(1, 10),
                            QuantParams.perTensor(0.1f, 0), QuantParams.perTensor(1.0f / 256, 0)));
            assertTrue(e.getMessage().contains("SOFTMAX"));
            assertTrue(e.getMessage().contains("'n0'"));
            assertTrue(e.getMessage().contains("reference interpreter"));
            assertEquals("SOFTMAX", e.operator());
            assertThrows(UnsupportedOperatorException.class,
                    () -> fixture(new Op.Softmax(1f), DataType.INT16, Shape.of(1, 10), Shape.of(1, 10),
                            QuantParams.perTensor(0.001f, 0), QuantParams.perTensor(1.0f / 32768, 5)));
            assertThrows(UnsupportedOperatorException.class,
                    () -> fixture(new Op.Softmax(1f), DataType.INT16, Shape.of(1, 10), Shape.of(1, 10),
                            QuantParams.perTensor(0.001f, 0), QuantParams.perTensor(1.0f / 65536, 0)));
            assertThrows(UnsupportedOperatorException.class,
                    () -> fixture(new Op.Softmax(1f), DataType.INT16, Shape.of(1, 10), Shape.of(1, 10),
                            QuantParams.perTensor(0.001f, 3), QuantParams.perTensor(1.0f / 32768, 0)));
            assertThrows(UnsupportedOperatorException.class,
                    () -> fixture(new Op.Softmax(1f), DataType.INT8, Shape.of(1, 10), Shape.of(1, 10),
                            QuantParams.perTensor(1e-9f, 0), out8));
        }

        @Test
        void randomRowsAreWithinOneOutputStepOfFloat() throws Exception {
            Random r = new Random(42);
            float[] scales = {0.1f, 0.125f, 0.15f, 0.2f, 0.25f, 0.0625f, 0.5f};
            int[] depths = {10, 12, 2, 35};
            int rows = 0;
            for (float scale : scales) {
                for (int depth : depths) {
                    for (float beta : new float[] {1f, 0.5f, 2f}) {
                        int n = 40;
                        byte[] x = new byte[n * depth];
                        for (int i = 0; i < x.length; i++) {
                            // Mix of spread-out and clustered logits.
                            x[i] = (byte) (i % 3 == 0 ? r.nextInt(256) - 128 : 40 + r.nextInt(30));
                        }
                        int zp = r.nextInt(256) - 128;
                        byte[] y = softmax(x, depth, scale, zp, beta);
                        for (int row = 0; row < n; row++) {
                            checkRow(x, y, row * depth, depth, scale, beta, 1.0 / 256, -128, 256);
                            rows++;
                        }
                    }
                }
            }
            assertTrue(rows > 3000);
        }

        @Test
        void everyInt8ValueOfOneLogitAgainstFixedOthers() throws Exception {
            int depth = 10;
            byte[] x = new byte[256 * depth];
            for (int v = 0; v < 256; v++) {
                for (int c = 0; c < depth; c++) {
                    x[v * depth + c] = (byte) (c == 0 ? v - 128 : 8 * c - 40);
                }
            }
            for (float scale : new float[] {0.1f, 0.17f, 0.25f}) {
                byte[] y = softmax(x, depth, scale, -3, 1f);
                int previous = Integer.MIN_VALUE;
                for (int v = 0; v < 256; v++) {
                    checkRow(x, y, v * depth, depth, scale, 1f, 1.0 / 256, -128, 256);
                    // Monotone: the probability of logit 0 never falls as it grows...
                    assertTrue(y[v * depth] >= previous, "softmax output of a growing logit decreases at " + (v - 128));
                    previous = y[v * depth];
                    // ...and within a row, a larger logit never gets a smaller output.
                    for (int a = 0; a < depth; a++) {
                        for (int b = 0; b < depth; b++) {
                            if (x[v * depth + a] > x[v * depth + b]) {
                                assertTrue(y[v * depth + a] >= y[v * depth + b]);
                            }
                        }
                    }
                }
            }
        }

        @Test
        void int8ToInt16IsWithinTwoOutputStepsOfFloat() {
            Random r = new Random(7);
            for (float scale : new float[] {0.1f, 0.2f, 0.25f}) {
                for (int depth : new int[] {10, 12}) {
                    int n = 200;
                    byte[] x = new byte[n * depth];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (byte) (r.nextInt(100) - 20);
                    }
                    short[] y = new short[x.length];
                    new QuantActivationSoftmax(x, y, depth, scale, 1f).run();
                    int[] yi = new int[y.length];
                    for (int i = 0; i < y.length; i++) {
                        yi[i] = y[i];
                    }
                    for (int row = 0; row < n; row++) {
                        checkRow(x, yi, row * depth, depth, scale, 1f, 2.0 / 65536, -32768, 65536);
                    }
                }
            }
            // Two equal logits: exactly 0.5 -> 32768 - 32768 = 0.
            short[] y = new short[2];
            new QuantActivationSoftmax(new byte[] {3, 3}, y, 2, 0.1f, 1f).run();
            assertArrayEquals(new short[] {0, 0}, y);
        }

        @Test
        void int16ToInt16IsCloseToFloatAndMonotone() throws Exception {
            Random r = new Random(11);
            QuantParams qo = QuantParams.perTensor(1.0f / 32768, 0);
            double worst = 0;
            for (float scale : new float[] {1.0f / 4096, 0.001f, 0.0003f, 1.0f / 1024}) {
                for (int depth : new int[] {10, 12, 3}) {
                    int n = 300;
                    Fixture f = fixture(new Op.Softmax(1f), DataType.INT16, Shape.of(n, depth), Shape.of(n, depth),
                            QuantParams.perTensor(scale, 0), qo);
                    short[] x = (short[]) f.in();
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (short) (r.nextInt(65536) - 32768);
                        if (i % 4 == 0) {
                            x[i] = (short) (x[i] / 16); // some near-ties
                        }
                    }
                    f.kernel().run();
                    short[] y = (short[]) f.out();
                    for (int row = 0; row < n; row++) {
                        int base = row * depth;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int c = 0; c < depth; c++) {
                            max = Math.max(max, x[base + c]);
                        }
                        // The kernel's exp table covers [-10, 0]: farther differences count as exp(-10).
                        double sum = 0;
                        for (int c = 0; c < depth; c++) {
                            sum += Math.exp(Math.max(-10, scale * (x[base + c] - max)));
                        }
                        for (int c = 0; c < depth; c++) {
                            double want = Math.exp(Math.max(-10, scale * (x[base + c] - max))) / sum;
                            double err = Math.abs(want - y[base + c] / 32768.0);
                            worst = Math.max(worst, err);
                            for (int d = 0; d < depth; d++) {
                                if (x[base + c] > x[base + d]) {
                                    assertTrue(y[base + c] >= y[base + d], "int16 softmax order in row " + row);
                                }
                            }
                        }
                    }
                }
            }
            // TFLite Micro's own tests allow 7 steps for this kernel; the LUTs reach about 2^-12.
            assertTrue(worst <= 7.0 / 32768, "worst int16 softmax error " + worst * 32768 + " steps");
        }

        @Test
        void int16LookupTablesAndInterpolation() {
            short[] exp = io.tinyml.core.quant.Softmax16Params.populateLut(true, 10f / 65535, 32767, 2f / 65535, 0);
            assertEquals(io.tinyml.core.quant.Softmax16Params.LUT_SIZE, exp.length);
            assertEquals(32767, exp[512]); // exp(0) * 32768 saturates
            assertTrue(exp[0] >= 1 && exp[0] <= 2, "exp(-10) * 32768 = 1.49, biased: " + exp[0]);
            for (int i = 1; i < exp.length; i++) {
                assertTrue(exp[i] >= exp[i - 1]);
            }
            short[] recip = io.tinyml.core.quant.Softmax16Params.populateLut(false, 1f / 65535, -32768, 2f / 65535, 0);
            assertEquals(16384, recip[512]); // 1 / (1 + 1) = 0.5
            assertEquals(32767, recip[0]);
            // Lookup: the top 9 bits choose the entry, the low 7 interpolate towards the next.
            short[] ramp = new short[io.tinyml.core.quant.Softmax16Params.LUT_SIZE];
            for (int i = 0; i < ramp.length; i++) {
                ramp[i] = (short) (i * 64 - 16384);
            }
            assertEquals(ramp[256], QuantActivationSoftmax16.lookup((short) 0, ramp));
            assertEquals(ramp[256] + 32, QuantActivationSoftmax16.lookup((short) 64, ramp)); // (64 * 64 + 64) >> 7
            assertEquals(ramp[0], QuantActivationSoftmax16.lookup(Short.MIN_VALUE, ramp));
            assertEquals(ramp[511] + 64 * 127 / 128 + 1, QuantActivationSoftmax16.lookup(Short.MAX_VALUE, ramp));
        }

        private void checkRow(byte[] x, Object y, int base, int depth, float scale, float beta, double tolerance,
                              int zeroPoint, int steps) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < depth; c++) {
                max = Math.max(max, x[base + c]);
            }
            double sum = 0;
            double[] e = new double[depth];
            for (int c = 0; c < depth; c++) {
                e[c] = Math.exp((double) beta * scale * (x[base + c] - max));
                sum += e[c];
            }
            for (int c = 0; c < depth; c++) {
                int q = y instanceof byte[] b ? b[base + c] : ((int[]) y)[base + c];
                double got = (q - zeroPoint) / (double) steps;
                double want = e[c] / sum;
                // The top of the range saturates one step below 1.
                double clampedWant = Math.min(want, (steps - 1) / (double) steps);
                assertEquals(clampedWant, got, tolerance + 1e-12, "softmax element " + c + " of row at " + base
                        + " (scale " + scale + ", beta " + beta + ")");
            }
        }
    }

    // ------------------------------------------------------------------ LOGISTIC, TANH

    static final QuantParams[] INPUTS = {
        QuantParams.perTensor(0.1f, 0), QuantParams.perTensor(0.05f, -20), QuantParams.perTensor(0.25f, 30),
        QuantParams.perTensor(1.0f / 16, -128), QuantParams.perTensor(0.0123f, 7), QuantParams.perTensor(0.6f, 127),
        QuantParams.perTensor(0.03137f, -1),
    };

    @Nested
    class Logistic {
        final QuantParams out = QuantParams.perTensor(1.0f / 256, -128);

        @Test
        void allInt8InputsWithinOneStepAndMonotone() throws Exception {
            for (QuantParams qi : INPUTS) {
                byte[] y = allInt8(new Op.Logistic(), qi, out);
                for (int q = -128; q < 128; q++) {
                    double want = 1 / (1 + Math.exp(-deq(q, qi)));
                    assertEquals(Math.min(want, 255.0 / 256), deq(y[q + 128], out), 1.0 / 256 + 1e-12,
                            "logistic(" + q + ") with " + qi);
                }
                assertMonotone(y, "logistic " + qi);
            }
        }

        @Test
        void handCheckedPoints() throws Exception {
            QuantParams qi = QuantParams.perTensor(0.1f, 5);
            byte[] y = allInt8(new Op.Logistic(), qi, out);
            assertEquals(0, y[5 + 128]); // logistic(0) = 0.5 -> 128 - 128
            // scale 0.1 -> multiplier frexp(0.1 * 2^27): shift 24, radius floor(15 * 2^27 / 2^24) = 120.
            assertEquals(127, y[125 + 128]); // input - zp = 120 >= radius: saturated high
            assertEquals(-128, y[-115 + 128]); // input - zp = -120 <= -radius: saturated low
            // 119 * 0.1 = 11.9: 1 - 6.8e-6 -> 255.998 -> 256 -> clamped 127.
            assertEquals(127, y[124 + 128]);
            // logistic(1.0) = 0.731059 -> 187.15 -> 187 - 128 = 59; logistic(-1.0) -> 68.85 -> 69 - 128 = -59.
            assertEquals(59, y[15 + 128]);
            assertEquals(-59, y[-5 + 128]);
        }

        @Test
        void refusesAnOutputZeroPointOtherThanMinus128() {
            assertThrows(UnsupportedOperatorException.class,
                    () -> allInt8(new Op.Logistic(), INPUTS[0], QuantParams.perTensor(1.0f / 256, 0)));
        }

        @Test
        void int16IsRefusedRatherThanInexact() {
            QuantParams q = QuantParams.perTensor(1.0f / 32768, 0);
            UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                    () -> allInt16(new Op.Logistic(), QuantParams.perTensor(1.0f / 4096, 0), q));
            assertTrue(e.getMessage().contains("INT8 only"), e.getMessage());
        }
    }

    static short[] allInt16(Op op, QuantParams qi, QuantParams qo) throws UnsupportedOperatorException {
        Fixture f = fixture(op, DataType.INT16, Shape.of(65536), Shape.of(65536), qi, qo);
        short[] x = (short[]) f.in();
        for (int i = 0; i < 65536; i++) {
            x[i] = (short) (i - 32768);
        }
        f.kernel().run();
        return ((short[]) f.out()).clone();
    }

    @Nested
    class Tanh {
        final QuantParams out = QuantParams.perTensor(1.0f / 128, 0);

        @Test
        void allInt8InputsWithinOneStepAndMonotone() throws Exception {
            for (QuantParams qi : INPUTS) {
                byte[] y = allInt8(new Op.Tanh(), qi, out);
                for (int q = -128; q < 128; q++) {
                    double want = Math.tanh(deq(q, qi));
                    assertEquals(Math.min(want, 127.0 / 128), deq(y[q + 128], out), 1.0 / 128 + 1e-12,
                            "tanh(" + q + ") with " + qi);
                }
                assertMonotone(y, "tanh " + qi);
            }
        }

        @Test
        void handCheckedPoints() throws Exception {
            byte[] y = allInt8(new Op.Tanh(), QuantParams.perTensor(0.1f, -3), out);
            assertEquals(0, y[-3 + 128]);
            // tanh(0.5) = 0.462117 -> 59.15 -> 59; tanh(-0.5) -> -59.
            assertEquals(59, y[2 + 128]);
            assertEquals(-59, y[-8 + 128]);
            // Saturation: |input - zp| >= 120.
            assertEquals(127, y[117 + 128]);
            assertEquals(-128, y[-123 + 128]);
            // tanh(-11.9) = -1 + 9e-11 -> -128 via the computed path.
            assertEquals(-128, y[-122 + 128]);
        }

        @Test
        void int16IsRefusedRatherThanInexact() {
            QuantParams q = QuantParams.perTensor(1.0f / 32768, 0);
            assertThrows(UnsupportedOperatorException.class,
                    () -> allInt16(new Op.Tanh(), QuantParams.perTensor(1.0f / 4096, 0), q));
        }
    }

    // ------------------------------------------------------------------ HARD_SWISH

    @Nested
    class HardSwish {
        static double hardSwish(double x) {
            return x * Math.min(6, Math.max(0, x + 3)) / 6;
        }

        @Test
        void allInt8InputsWithinOneStep() throws Exception {
            for (QuantParams qi : INPUTS) {
                // Output range [-0.375, hardSwish(max input)] as a converter would calibrate it.
                double lo = -0.375;
                double hi = Math.max(hardSwish(deq(127, qi)), 0.1);
                float outScale = (float) ((hi - lo) / 255);
                int outZp = (int) Math.round(-128 - lo / outScale);
                QuantParams qo = QuantParams.perTensor(outScale, outZp);
                if (qi.scale() / 128 / outScale >= 1) {
                    // TFLite Micro refuses an output multiplier with a positive exponent.
                    assertThrows(UnsupportedOperatorException.class, () -> allInt8(new Op.HardSwish(), qi, qo));
                    continue;
                }
                byte[] y = allInt8(new Op.HardSwish(), qi, qo);
                for (int q = -128; q < 128; q++) {
                    double want = hardSwish(deq(q, qi));
                    double wantClamped = Math.max(deq(-128, qo), Math.min(deq(127, qo), want));
                    assertEquals(wantClamped, deq(y[q + 128], qo), outScale * 1.0 + 1e-9,
                            "hard_swish(" + q + ") with " + qi + " -> " + qo);
                }
                // Monotone where the function is (x >= -1.5).
                for (int q = -127; q < 128; q++) {
                    if (deq(q - 1, qi) >= -1.5) {
                        assertTrue(y[q + 128] >= y[q + 127], "hard_swish decreases at " + q + " with " + qi);
                    }
                }
            }
        }

        @Test
        void handCheckedPoints() throws Exception {
            QuantParams qi = QuantParams.perTensor(0.05f, -10);
            QuantParams qo = QuantParams.perTensor(0.025f, -113);
            byte[] y = allInt8(new Op.HardSwish(), qi, qo);
            assertEquals(-113, y[-10 + 128]); // hard_swish(0) = 0 -> output zero point
            // x = 3.0 (q = 50): hard_swish = 3.0 -> 120 steps -> 7.
            assertEquals(7, y[50 + 128]);
            // x = -3.0 (q = -70) and below: 0.
            assertEquals(-113, y[-70 + 128]);
            assertEquals(-113, y[-128 + 128]);
            // x = -1.5 (q = -40): -0.375 -> -15 steps -> -128.
            assertEquals(-128, y[-40 + 128]);
        }

        @Test
        void refusesAnInputScaleTooLargeForTheOutput() {
            assertThrows(UnsupportedOperatorException.class, () -> allInt8(new Op.HardSwish(),
                    QuantParams.perTensor(1f, 0), QuantParams.perTensor(1f / 256, 0)));
        }
    }

    // ------------------------------------------------------------------ LEAKY_RELU

    @Nested
    class LeakyRelu {
        @Test
        void allInt8InputsWithinOneStepAndMonotone() throws Exception {
            for (QuantParams qi : INPUTS) {
                for (float alpha : new float[] {0.1f, 0.2f, 0.01f, 0.3f, -0.25f, 1.5f}) {
                    double lo = alpha * deq(-128, qi);
                    double hi = Math.max(deq(127, qi), 0.01);
                    lo = Math.min(lo, -0.01);
                    float outScale = (float) ((hi - lo) / 255);
                    int outZp = (int) Math.round(-128 - lo / outScale);
                    QuantParams qo = QuantParams.perTensor(outScale, outZp);
                    byte[] y = allInt8(new Op.LeakyRelu(alpha), qi, qo);
                    for (int q = -128; q < 128; q++) {
                        double x = deq(q, qi);
                        double want = x > 0 ? x : alpha * x;
                        double clamped = Math.max(deq(-128, qo), Math.min(deq(127, qo), want));
                        assertEquals(clamped, deq(y[q + 128], qo), outScale + 1e-9,
                                "leaky_relu(" + q + ") alpha " + alpha + " with " + qi);
                    }
                    if (alpha >= 0) {
                        assertMonotone(y, "leaky_relu " + alpha);
                    }
                }
            }
        }

        @Test
        void identityParametersKeepNonNegativeInputsAndRoundNegativeOnes() throws Exception {
            QuantParams q = QuantParams.perTensor(0.1f, -20);
            byte[] y = allInt8(new Op.LeakyRelu(0.5f), q, q);
            for (int v = -20; v < 128; v++) {
                assertEquals(v, y[v + 128]);
            }
            // alpha 0.5 is (2^30, shift 0): SaturatingRoundingDoublingHighMul rounds halves up, also for
            // negative products. (-21 + 20) * 0.5 = -0.5 -> 0 -> -20.
            assertEquals(-20, y[-21 + 128]);
            // -2 * 0.5 = -1 -> -21; -3 * 0.5 = -1.5 -> -1 -> -21; -4 * 0.5 = -2 -> -22.
            assertEquals(-21, y[-22 + 128]);
            assertEquals(-21, y[-23 + 128]);
            assertEquals(-22, y[-24 + 128]);
        }

        @Test
        void int16() throws Exception {
            QuantParams qi = QuantParams.perTensor(1e-3f, 0);
            QuantParams qo = QuantParams.perTensor(1e-3f, 0);
            short[] y = allInt16(new Op.LeakyRelu(0.25f), qi, qo);
            assertEquals(1000, y[1000 + 32768]);
            assertEquals(-250, y[-1000 + 32768]);
            assertEquals(-8192, y[0]);
            assertEquals(32767, y[65535]);
        }
    }

    // ------------------------------------------------------------------ MEAN

    @Nested
    class Mean {
        Fixture mean(DataType type, Shape in, Shape out, List<Integer> axes, boolean keep, QuantParams qi,
                     QuantParams qo) throws UnsupportedOperatorException {
            return fixture(new Op.Mean(axes, keep), type, in, out, qi, qo);
        }

        @Test
        void sameParametersTruncateTowardZero() throws Exception {
            QuantParams q = QuantParams.perTensor(0.1f, 3);
            Fixture f = mean(DataType.INT8, Shape.of(1, 2, 2, 1), Shape.of(1, 1, 1, 1), List.of(1, 2), true, q, q);
            byte[] x = (byte[]) f.in();
            x[0] = 1;
            x[1] = 2;
            x[2] = 3;
            x[3] = 4; // 10 / 4 = 2.5 -> 2
            f.kernel().run();
            assertEquals(2, ((byte[]) f.out())[0]);
            x[0] = -1;
            x[1] = -2;
            x[2] = -3;
            x[3] = -4; // -10 / 4 = -2.5 -> -2 (C division)
            f.kernel().run();
            assertEquals(-2, ((byte[]) f.out())[0]);
        }

        @Test
        void requantizingPathFoldsTheCountIntoTheMultiplier() throws Exception {
            QuantParams qi = QuantParams.perTensor(0.1f, 3);
            QuantParams qo = QuantParams.perTensor(0.05f, -7);
            Fixture f = mean(DataType.INT8, Shape.of(1, 2, 2, 1), Shape.of(1, 1), List.of(1, 2), false, qi, qo);
            byte[] x = (byte[]) f.in();
            x[0] = 4;
            x[1] = 5;
            x[2] = 6;
            x[3] = 6; // (1 + 2 + 3 + 3) * 0.1 / 4 = 0.225 -> 4.5 steps -> 5 (half away) -> -2
            f.kernel().run();
            assertEquals(-2, ((byte[]) f.out())[0]);
        }

        @Test
        void randomTensorsOverVariousAxesWithinOneStep() throws Exception {
            Random r = new Random(3);
            int[] dims = {2, 5, 3, 7};
            List<List<Integer>> axesSets = List.of(List.of(1, 2), List.of(3), List.of(0, 2), List.of(1), List.of(0, 3),
                    List.of(2, 1));
            for (List<Integer> axes : axesSets) {
                for (boolean same : new boolean[] {true, false}) {
                    QuantParams qi = QuantParams.perTensor(0.07f, r.nextInt(41) - 20);
                    QuantParams qo = same ? qi : QuantParams.perTensor(0.03f + r.nextFloat() * 0.05f, r.nextInt(41) - 20);
                    int[] outDims = dims.clone();
                    int outCount = 1;
                    for (int d = 0; d < 4; d++) {
                        if (axes.contains(d)) {
                            outDims[d] = 1;
                        }
                        outCount *= outDims[d];
                    }
                    Fixture f = mean(DataType.INT8, Shape.of(dims), Shape.of(outDims), axes.stream().sorted().toList(),
                            true, qi, qo);
                    byte[] x = (byte[]) f.in();
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (byte) (r.nextInt(256) - 128);
                    }
                    f.kernel().run();
                    byte[] y = (byte[]) f.out();
                    double[] sum = new double[outCount];
                    int[] cnt = new int[outCount];
                    int i = 0;
                    for (int a = 0; a < dims[0]; a++) {
                        for (int b = 0; b < dims[1]; b++) {
                            for (int c = 0; c < dims[2]; c++) {
                                for (int d = 0; d < dims[3]; d++, i++) {
                                    int[] idx = {a, b, c, d};
                                    int o = 0;
                                    for (int k = 0; k < 4; k++) {
                                        o = o * outDims[k] + (axes.contains(k) ? 0 : idx[k]);
                                    }
                                    sum[o] += deq(x[i], qi);
                                    cnt[o]++;
                                }
                            }
                        }
                    }
                    for (int o = 0; o < outCount; o++) {
                        double want = sum[o] / cnt[o];
                        double clamped = Math.max(deq(-128, qo), Math.min(deq(127, qo), want));
                        assertEquals(clamped, deq(y[o], qo), qo.scale() + 1e-9, "mean over " + axes + " same=" + same
                                + " at " + o);
                    }
                }
            }
        }

        @Test
        void refusesMoreAxesThanTfliteMicroHandles() {
            QuantParams q = QuantParams.perTensor(0.1f, 0);
            UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> mean(DataType.INT8,
                    Shape.of(2, 3, 4), Shape.of(1, 1, 1), List.of(0, 1, 2), true, q, q));
            assertTrue(e.getMessage().contains("MEAN") && e.getMessage().contains("'n0'"), e.getMessage());
        }

        @Test
        void int16Mean() throws Exception {
            QuantParams qi = QuantParams.perTensor(1e-3f, 0);
            QuantParams qo = QuantParams.perTensor(5e-4f, 0);
            Fixture f = mean(DataType.INT16, Shape.of(2, 3), Shape.of(2), List.of(1), false, qi, qo);
            short[] x = (short[]) f.in();
            short[] v = {1000, 2000, 3000, -100, -200, -301};
            System.arraycopy(v, 0, x, 0, v.length);
            f.kernel().run();
            // 2.0 -> 4000; -0.2003333 -> -400.67 -> -401.
            assertArrayEquals(new short[] {4000, -401}, (short[]) f.out());
        }
    }

    @Test
    void refusesFloatInputsAndMissingQuantization() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(4)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(4)));
        b.addNode("t", new Op.Tanh(), List.of(x), List.of(y));
        b.addOutput(y);
        Graph g = b.build();
        Object[] arrays = {new float[4], new float[4]};
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> QuantActivationKernels.create(g, g.node(0), arrays));
        assertTrue(e.getMessage().contains("'t'") && e.getMessage().contains("TANH")
                && e.getMessage().contains("reference interpreter"), e.getMessage());
        Node n = g.node(0);
        assertEquals("TANH", assertThrows(UnsupportedOperatorException.class,
                () -> QuantActivationKernels.create(g, n, arrays)).operator());
    }

    @Test
    void refusesOperatorsItDoesNotHandle() {
        assertThrows(UnsupportedOperatorException.class, () -> fixture(new Op.Relu(), DataType.INT8, Shape.of(4),
                Shape.of(4), QuantParams.perTensor(0.1f, 0), QuantParams.perTensor(0.1f, 0)));
    }
}
