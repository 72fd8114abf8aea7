package io.tinyml.core.runtime;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.tinyml.core.runtime.TestModels.randomFloats;
import static io.tinyml.core.runtime.TestModels.single;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Float32 kernels against float64 references computed here. */
class FloatKernelTest {
    private final Random rnd = new Random(42);

    private static void assertClose(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-5 * Math.max(1.0, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }

    private static Tensor act(String name, int... dims) {
        return Tensor.activation(name, DataType.FLOAT32, Shape.of(dims));
    }

    /** float64 grouped, dilated convolution with TFLite padding. */
    private static double[] refConv(float[] x, int n, int h, int w, int cin, float[] wt, int cout, int kh, int kw,
                                    float[] bias, int sh, int sw, int dh, int dw, Padding p, int oh, int ow,
                                    boolean depthwise) {
        return refConv(x, n, h, w, cin, wt, cout, kh, kw, bias, sh, sw, dh, dw, p, oh, ow, depthwise, false);
    }

    /**
     * The same convolution in float64, or, with {@code float32}, under the documented float contract: each
     * output the sequential float32 sum of its in-bounds products (filter-y, filter-x, channel) from +0,
     * then plus the bias, every operation rounded to float32 (a double operation on two floats rounded to
     * float equals the float operation), never fused.
     */
    private static double[] refConv(float[] x, int n, int h, int w, int cin, float[] wt, int cout, int kh, int kw,
                                    float[] bias, int sh, int sw, int dh, int dw, Padding p, int oh, int ow,
                                    boolean depthwise, boolean float32) {
        int ph = p.padBefore(h, kh, sh, dh, oh);
        int pw = p.padBefore(w, kw, sw, dw, ow);
        double[] y = new double[n * oh * ow * cout];
        int fin = depthwise ? 1 : wt.length / (cout * kh * kw);
        int perGroup = depthwise ? cout / cin : cout / (cin / fin);
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int oc = 0; oc < cout; oc++) {
                        double acc = 0;
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = oy * sh - ph + ky * dh;
                                int ix = ox * sw - pw + kx * dw;
                                if (iy < 0 || ix < 0 || iy >= h || ix >= w) {
                                    continue;
                                }
                                if (depthwise) {
                                    int ic = oc / perGroup;
                                    acc = add(acc, (double) x[((b * h + iy) * w + ix) * cin + ic]
                                            * wt[(ky * kw + kx) * cout + oc], float32);
                                } else {
                                    for (int ic = 0; ic < fin; ic++) {
                                        int c = (oc / perGroup) * fin + ic;
                                        acc = add(acc, (double) x[((b * h + iy) * w + ix) * cin + c]
                                                * wt[((oc * kh + ky) * kw + kx) * fin + ic], float32);
                                    }
                                }
                            }
                        }
                        y[((b * oh + oy) * ow + ox) * cout + oc] = bias == null ? acc : add(acc, bias[oc], float32);
                    }
                }
            }
        }
        return y;
    }

    /** {@code acc + product} in float64, or in float32 (the exact double product rounded, then the sum rounded). */
    private static double add(double acc, double product, boolean float32) {
        return float32 ? (float) (acc + (float) product) : acc + product;
    }

    private static void assertBitExact(double[] ref, float[] y, String what) {
        assertEquals(ref.length, y.length, what + " length");
        for (int i = 0; i < ref.length; i++) {
            float r = (float) ref[i];
            assertEquals(Float.floatToRawIntBits(r), Float.floatToRawIntBits(y[i]),
                    what + " element " + i + ": " + r + " vs " + y[i]);
        }
    }

    @Test
    void groupedDilatedStridedConvMatchesFloat64() throws Exception {
        int n = 2, h = 9, w = 8, cin = 4, cout = 6, kh = 3, kw = 2, groups = 2;
        float[] x = randomFloats(rnd, n * h * w * cin);
        float[] wt = randomFloats(rnd, cout * kh * kw * cin / groups);
        float[] bias = randomFloats(rnd, cout);
        for (Padding p : Padding.values()) {
            int oh = p.outputSize(h, kh, 2, 2);
            int ow = p.outputSize(w, kw, 1, 2);
            Model m = single(new Op.Conv2D(2, 1, 2, 2, p, Activation.NONE), act("y", n, oh, ow, cout),
                    act("x", n, h, w, cin), Tensor.ofFloats("w", Shape.of(cout, kh, kw, cin / groups), wt),
                    Tensor.ofFloats("b", Shape.of(cout), bias));
            float[] y = Interpreter.create(m).invokeFloat(x)[0];
            assertClose(refConv(x, n, h, w, cin, wt, cout, kh, kw, bias, 2, 1, 2, 2, p, oh, ow, false), y);
            assertBitExact(refConv(x, n, h, w, cin, wt, cout, kh, kw, bias, 2, 1, 2, 2, p, oh, ow, false, true), y,
                    "grouped " + p);
        }
    }

    @Test
    void convIsBitExactWithTheSequentialSumAcrossBlocksAndWithNonFiniteWeights() throws Exception {
        // 2 x 20 x 20 output pixels span several blocks of the product over pixels; 2 x 3 x 3 pixels and 24
        // output channels take the product over channels; an infinite weight takes the tap-skipping path;
        // one output channel with a bias (a pruned layer) once indexed the bias by pixel
        int[][] shapes = {{2, 20, 20, 3, 5}, {2, 3, 3, 5, 24}, {1, 6, 6, 2, 1}};
        int k = 3;
        for (int[] shape : shapes) {
            int n = shape[0], h = shape[1], w = shape[2], cin = shape[3], cout = shape[4];
            float[] x = randomFloats(rnd, n * h * w * cin);
            float[] bias = randomFloats(rnd, cout);
            for (boolean infinite : new boolean[] {false, true}) {
                float[] wt = randomFloats(rnd, cout * k * k * cin);
                if (infinite) {
                    wt[7] = Float.POSITIVE_INFINITY;
                }
                for (Padding p : Padding.values()) {
                    int oh = p.outputSize(h, k, 1, 1);
                    int ow = p.outputSize(w, k, 1, 1);
                    Model m = single(new Op.Conv2D(1, 1, 1, 1, p, Activation.NONE), act("y", n, oh, ow, cout),
                            act("x", n, h, w, cin), Tensor.ofFloats("w", Shape.of(cout, k, k, cin), wt),
                            Tensor.ofFloats("b", Shape.of(cout), bias));
                    float[] y = Interpreter.create(m).invokeFloat(x)[0];
                    assertBitExact(refConv(x, n, h, w, cin, wt, cout, k, k, bias, 1, 1, 1, 1, p, oh, ow, false, true),
                            y, h + "x" + w + " " + p + (infinite ? " infinite weight" : ""));
                }
            }
        }
    }

    @Test
    void deepConvStaysWithinTheFloat32SummationBound() throws Exception {
        int h = 6, w = 6, cin = 256, cout = 8, k = 3;
        float[] x = randomFloats(rnd, h * w * cin);
        float[] wt = randomFloats(rnd, cout * k * k * cin);
        Model m = single(new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.NONE), act("y", 1, h, w, cout),
                act("x", 1, h, w, cin), Tensor.ofFloats("w", Shape.of(cout, k, k, cin), wt), null);
        float[] y = Interpreter.create(m).invokeFloat(x)[0];
        double[] ref = refConv(x, 1, h, w, cin, wt, cout, k, k, null, 1, 1, 1, 1, Padding.SAME, h, w, false);
        float[] absWt = wt.clone();
        float[] absX = x.clone();
        for (int i = 0; i < absWt.length; i++) {
            absWt[i] = Math.abs(absWt[i]);
        }
        for (int i = 0; i < absX.length; i++) {
            absX[i] = Math.abs(absX[i]);
        }
        double[] magnitude = refConv(absX, 1, h, w, cin, absWt, cout, k, k, null, 1, 1, 1, 1, Padding.SAME, h, w, false);
        int terms = k * k * cin;
        for (int i = 0; i < ref.length; i++) {
            // recursive float32 summation of up to 2304 products: |error| <= (terms + 1)·u·Σ|x·w| (Higham, u = 2^-24)
            assertEquals(ref[i], y[i], (terms + 1) * 0x1p-24 * magnitude[i], "element " + i);
        }
    }

    @Test
    void depthwiseWithMultiplierAndRelu6() throws Exception {
        int h = 7, w = 7, cin = 3, mult = 2, cout = cin * mult, k = 3;
        float[] x = randomFloats(rnd, h * w * cin);
        float[] wt = randomFloats(rnd, k * k * cout);
        int oh = Padding.SAME.outputSize(h, k, 2, 1);
        Model m = single(new Op.DepthwiseConv2D(2, 2, 1, 1, Padding.SAME, mult, Activation.RELU6),
                act("y", 1, oh, oh, cout), act("x", 1, h, w, cin), Tensor.ofFloats("w", Shape.of(1, k, k, cout), wt),
                null);
        float[] y = Interpreter.create(m).invokeFloat(x)[0];
        double[] ref = refConv(x, 1, h, w, cin, wt, cout, k, k, null, 2, 2, 1, 1, Padding.SAME, oh, oh, true);
        for (int i = 0; i < ref.length; i++) {
            ref[i] = Math.max(0, Math.min(6, ref[i]));
        }
        assertClose(ref, y);
    }

    @Test
    void depthwiseIsBitExactWithTheSequentialSum() throws Exception {
        // the float contract: the sequential float32 sum over the in-bounds taps, then the bias; the row-wise
        // form skips the padded columns, so an infinite weight gives no NaN
        int n = 2, h = 9, w = 8, cin = 3, mult = 2, cout = cin * mult, k = 3;
        float[] x = randomFloats(rnd, n * h * w * cin);
        float[] bias = randomFloats(rnd, cout);
        for (boolean infinite : new boolean[] {false, true}) {
            float[] wt = randomFloats(rnd, k * k * cout);
            if (infinite) {
                wt[4] = Float.NEGATIVE_INFINITY;
            }
            for (int stride : new int[] {1, 2, 3}) {
                for (int dil : new int[] {1, 2}) {
                    for (Padding p : Padding.values()) {
                        int oh = p.outputSize(h, k, stride, dil);
                        int ow = p.outputSize(w, k, stride, dil);
                        int ph = p.padBefore(h, k, stride, dil, oh);
                        int pw = p.padBefore(w, k, stride, dil, ow);
                        Model m = single(new Op.DepthwiseConv2D(stride, stride, dil, dil, p, mult, Activation.NONE),
                                act("y", n, oh, ow, cout), act("x", n, h, w, cin),
                                Tensor.ofFloats("w", Shape.of(1, k, k, cout), wt), Tensor.ofFloats("b", Shape.of(cout), bias));
                        float[] y = Interpreter.create(m).invokeFloat(x)[0];
                        int o = 0;
                        for (int b = 0; b < n; b++) {
                            for (int oy = 0; oy < oh; oy++) {
                                for (int ox = 0; ox < ow; ox++) {
                                    for (int oc = 0; oc < cout; oc++, o++) {
                                        float acc = 0;
                                        for (int ky = 0; ky < k; ky++) {
                                            int iy = oy * stride - ph + ky * dil;
                                            for (int kx = 0; kx < k; kx++) {
                                                int ix = ox * stride - pw + kx * dil;
                                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                                    acc += x[((b * h + iy) * w + ix) * cin + oc / mult]
                                                            * wt[(ky * k + kx) * cout + oc];
                                                }
                                            }
                                        }
                                        float ref = acc + bias[oc];
                                        assertEquals(Float.floatToRawIntBits(ref), Float.floatToRawIntBits(y[o]),
                                                p + " stride " + stride + " dilation " + dil + (infinite ? " infinite" : "")
                                                        + " element " + o + ": " + ref + " vs " + y[o]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void fullyConnectedFlattensLeadingDimensions() throws Exception {
        int batch = 3, in = 10, out = 4;
        float[] x = randomFloats(rnd, batch * in);
        float[] wt = randomFloats(rnd, out * in);
        float[] bias = randomFloats(rnd, out);
        Model m = single(new Op.FullyConnected(Activation.RELU, false), act("y", batch, out), act("x", batch, in),
                Tensor.ofFloats("w", Shape.of(out, in), wt), Tensor.ofFloats("b", Shape.of(out), bias));
        float[] y = Interpreter.create(m).invokeFloat(x)[0];
        double[] ref = new double[batch * out];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < out; o++) {
                double acc = bias[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) x[b * in + i] * wt[o * in + i];
                }
                ref[b * out + o] = Math.max(0, acc);
            }
        }
        assertClose(ref, y);
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < out; o++) {
                // the float contract: sequential float32 sum from +0, then the bias
                float acc = 0;
                for (int i = 0; i < in; i++) {
                    acc += x[b * in + i] * wt[o * in + i];
                }
                float r = Math.max(0f, acc + bias[o]);
                assertEquals(Float.floatToRawIntBits(r), Float.floatToRawIntBits(y[b * out + o]), "float sum " + o);
            }
        }
    }

    @Test
    void hybridFullyConnectedDequantizesPerChannelWeights() throws Exception {
        int in = 5, out = 3;
        byte[] q = TestModels.randomInt8(rnd, out * in);
        float[] scales = {0.01f, 0.02f, 0.5f};
        Tensor w = Tensor.ofInt8("w", Shape.of(out, in), q).withQuant(QuantParams.perAxis(scales, new long[3], 0));
        float[] x = randomFloats(rnd, in);
        Model m = single(new Op.FullyConnected(Activation.NONE, false), act("y", 1, out), act("x", 1, in), w, null);
        float[] y = Interpreter.create(m).invokeFloat(x)[0];
        double[] ref = new double[out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                ref[o] += (double) x[i] * (float) ((double) scales[o] * q[o * in + i]);
            }
        }
        assertClose(ref, y);
    }

    @Test
    void broadcastingAddSubMul() throws Exception {
        float[] a = randomFloats(rnd, 2 * 3 * 4);
        float[] b = randomFloats(rnd, 3 * 1);
        for (Op op : List.of(new Op.Add(Activation.NONE), new Op.Sub(Activation.RELU), new Op.Mul(Activation.NONE))) {
            Model m = single(op, act("y", 2, 3, 4), act("a", 2, 3, 4), act("b", 3, 1));
            float[] y = Interpreter.create(m).invokeFloat(a, b)[0];
            double[] ref = new double[24];
            for (int i = 0; i < 24; i++) {
                double p = a[i];
                double q = b[(i / 4) % 3];
                ref[i] = switch (op.kind()) {
                    case ADD -> p + q;
                    case SUB -> Math.max(0, p - q);
                    default -> p * q;
                };
            }
            assertClose(ref, y);
        }
    }

    @Test
    void averagePoolDoesNotCountPaddingAndMaxPoolTakesMax() throws Exception {
        int h = 5, w = 5, c = 2;
        float[] x = randomFloats(rnd, h * w * c);
        int oh = Padding.SAME.outputSize(h, 3, 2, 1);
        Model avg = single(new Op.AveragePool2D(3, 3, 2, 2, Padding.SAME, Activation.NONE), act("y", 1, oh, oh, c),
                act("x", 1, h, w, c));
        Model max = single(new Op.MaxPool2D(3, 3, 2, 2, Padding.SAME, Activation.NONE), act("y", 1, oh, oh, c),
                act("x", 1, h, w, c));
        float[] ya = Interpreter.create(avg).invokeFloat(x)[0];
        float[] ym = Interpreter.create(max).invokeFloat(x)[0];
        double[] ra = new double[oh * oh * c];
        double[] rm = new double[oh * oh * c];
        int pad = Padding.SAME.padBefore(h, 3, 2, 1, oh);
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < oh; ox++) {
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0;
                    double mx = Double.NEGATIVE_INFINITY;
                    int cnt = 0;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy * 2 - pad + ky;
                            int ix = ox * 2 - pad + kx;
                            if (iy >= 0 && ix >= 0 && iy < h && ix < w) {
                                double v = x[(iy * w + ix) * c + ch];
                                sum += v;
                                mx = Math.max(mx, v);
                                cnt++;
                            }
                        }
                    }
                    ra[(oy * oh + ox) * c + ch] = sum / cnt;
                    rm[(oy * oh + ox) * c + ch] = mx;
                }
            }
        }
        assertClose(ra, ya);
        assertClose(rm, ym);
    }

    @Test
    void meanOverSpatialAxes() throws Exception {
        float[] x = randomFloats(rnd, 2 * 3 * 4 * 5);
        Model m = single(new Op.Mean(List.of(1, 2), true), act("y", 2, 1, 1, 5), act("x", 2, 3, 4, 5));
        float[] y = Interpreter.create(m).invokeFloat(x)[0];
        double[] ref = new double[10];
        for (int i = 0; i < x.length; i++) {
            ref[(i / 60) * 5 + i % 5] += x[i] / 12.0;
        }
        assertClose(ref, y);
    }

    @Test
    void softmaxWithBeta() throws Exception {
        float[] x = randomFloats(rnd, 2 * 6);
        Model m = single(new Op.Softmax(0.5f), act("y", 2, 6), act("x", 2, 6));
        float[] y = Interpreter.create(m).invokeFloat(x)[0];
        double[] ref = new double[12];
        for (int r = 0; r < 2; r++) {
            double sum = 0;
            for (int i = 0; i < 6; i++) {
                sum += Math.exp(0.5 * x[r * 6 + i]);
            }
            for (int i = 0; i < 6; i++) {
                ref[r * 6 + i] = Math.exp(0.5 * x[r * 6 + i]) / sum;
            }
        }
        assertClose(ref, y);
    }

    @Test
    void unaryActivations() throws Exception {
        float[] x = randomFloats(rnd, 50);
        x[0] = 4f;
        x[1] = -4f;
        x[2] = 7f;
        List<Op> ops = List.of(new Op.Relu(), new Op.Relu6(), new Op.Clip(-0.5f, 0.25f), new Op.LeakyRelu(0.1f),
                new Op.Logistic(), new Op.Tanh(), new Op.HardSwish());
        for (Op op : ops) {
            Model m = single(op, act("y", 50), act("x", 50));
            float[] y = Interpreter.create(m).invokeFloat(x)[0];
            double[] ref = new double[50];
            for (int i = 0; i < 50; i++) {
                double v = x[i];
                ref[i] = switch (op.kind()) {
                    case RELU -> Math.max(0, v);
                    case RELU6 -> Math.min(6, Math.max(0, v));
                    case CLIP -> Math.min(0.25, Math.max(-0.5, v));
                    case LEAKY_RELU -> v >= 0 ? v : 0.1f * v;
                    case LOGISTIC -> 1 / (1 + Math.exp(-v));
                    case TANH -> Math.tanh(v);
                    default -> v * Math.min(6, Math.max(0, v + 3)) / 6;
                };
            }
            assertClose(ref, y);
        }
    }

    @Test
    void batchNormalization() throws Exception {
        float[] x = randomFloats(rnd, 4 * 3);
        float[] scale = {1f, 2f, 0.5f};
        float[] bias = {0.1f, -0.2f, 0.3f};
        float[] mean = {0.5f, -1f, 0f};
        float[] var = {1f, 4f, 0.25f};
        Model m = single(new Op.BatchNormalization(1e-3f), act("y", 4, 3), act("x", 4, 3),
                Tensor.ofFloats("s", Shape.of(3), scale), Tensor.ofFloats("b", Shape.of(3), bias),
                Tensor.ofFloats("m", Shape.of(3), mean), Tensor.ofFloats("v", Shape.of(3), var));
        float[] y = Interpreter.create(m).invokeFloat(x)[0];
        double[] ref = new double[12];
        for (int i = 0; i < 12; i++) {
            int c = i % 3;
            ref[i] = scale[c] * (x[i] - mean[c]) / Math.sqrt(var[c] + (double) 1e-3f) + bias[c];
        }
        assertClose(ref, y);
    }

    @Test
    void layoutKernels() throws Exception {
        float[] x = randomFloats(rnd, 2 * 3 * 4);
        Model t = single(new Op.Transpose(List.of(2, 0, 1)), act("y", 4, 2, 3), act("x", 2, 3, 4));
        float[] yt = Interpreter.create(t).invokeFloat(x)[0];
        double[] rt = new double[24];
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 4; c++) {
                    rt[(c * 2 + a) * 3 + b] = x[(a * 3 + b) * 4 + c];
                }
            }
        }
        assertClose(rt, yt);

        Model p = single(new Op.Pad(List.of(0, 1, 0), List.of(1, 0, 2), 1.5f), act("y", 3, 4, 6), act("x", 2, 3, 4));
        float[] yp = Interpreter.create(p).invokeFloat(x)[0];
        double[] rp = new double[3 * 4 * 6];
        java.util.Arrays.fill(rp, 1.5);
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 4; c++) {
                    rp[(a * 4 + b + 1) * 6 + c] = x[(a * 3 + b) * 4 + c];
                }
            }
        }
        assertClose(rp, yp);

        float[] z = randomFloats(rnd, 2 * 1 * 4);
        Model c = single(new Op.Concatenation(1, Activation.NONE), act("y", 2, 4, 4), act("x", 2, 3, 4),
                act("z", 2, 1, 4));
        float[] yc = Interpreter.create(c).invokeFloat(x, z)[0];
        double[] rc = new double[32];
        for (int a = 0; a < 2; a++) {
            for (int i = 0; i < 12; i++) {
                rc[a * 16 + i] = x[a * 12 + i];
            }
            for (int i = 0; i < 4; i++) {
                rc[a * 16 + 12 + i] = z[a * 4 + i];
            }
        }
        assertClose(rc, yc);

        Model r = single(new Op.Reshape(), act("y", 6, 4), act("x", 2, 3, 4));
        float[] yr = Interpreter.create(r).invokeFloat(x)[0];
        double[] rr = new double[24];
        for (int i = 0; i < 24; i++) {
            rr[i] = x[i];
        }
        assertClose(rr, yr);
    }
}
