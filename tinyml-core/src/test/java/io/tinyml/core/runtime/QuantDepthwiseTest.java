package io.tinyml.core.runtime;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.Quant;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static io.tinyml.core.runtime.TestModels.single;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Integer depthwise convolutions against TFLite's reference loop (reference_integer_ops
 * depthwise_conv.h) written out here: int16x8 with a 64-bit accumulator, and int8 with weights that
 * are a graph input (repacked per run).
 */
class QuantDepthwiseTest {
    private static final int H = 6, W = 5, CIN = 3, MULT = 2, COUT = CIN * MULT, K = 3;

    @Test
    void int16DepthwiseMatchesTheReferenceLoop() throws Exception {
        Random r = new Random(21);
        for (Padding p : Padding.values()) {
            int oh = p.outputSize(H, K, 2, 1), ow = p.outputSize(W, K, 2, 1);
            byte[] w = randomBytes(r, K * K * COUT, -127, 127);
            float[] ws = {0.02f, 0.01f, 0.03f, 0.015f, 0.025f, 0.005f};
            QuantParams wq = QuantParams.perAxis(ws, new long[COUT], 3);
            int[] bias = new int[COUT];
            for (int c = 0; c < COUT; c++) {
                bias[c] = r.nextInt(20001) - 10000;
            }
            Model m = single(new Op.DepthwiseConv2D(2, 2, 1, 1, p, MULT, Activation.NONE),
                    q(DataType.INT16, "y", 0.05f, 0, 1, oh, ow, COUT), q(DataType.INT16, "x", 0.01f, 0, 1, H, W, CIN),
                    Tensor.ofInt8("w", Shape.of(1, K, K, COUT), w).withQuant(wq),
                    Tensor.ofInts("b", Shape.of(COUT), bias));
            short[] x = new short[H * W * CIN];
            ByteBuffer xb = ByteBuffer.allocate(2 * x.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < x.length; i++) {
                x[i] = (short) (r.nextInt(65536) - 32768);
                xb.putShort(x[i]);
            }
            ByteBuffer out = ByteBuffer.wrap(Interpreter.create(m).invoke(xb.array())[0]).order(ByteOrder.LITTLE_ENDIAN);
            long[] mult = Quant.channelMultipliers(0.01f, wq, 0.05f, COUT);
            int o = 0;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int oc = 0; oc < COUT; oc++, o++) {
                        long acc = 0;
                        for (int ky = 0; ky < K; ky++) {
                            for (int kx = 0; kx < K; kx++) {
                                int iy = oy * 2 - p.padBefore(H, K, 2, 1, oh) + ky;
                                int ix = ox * 2 - p.padBefore(W, K, 2, 1, ow) + kx;
                                if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                                    acc += (long) w[(ky * K + kx) * COUT + oc] * x[(iy * W + ix) * CIN + oc / MULT];
                                }
                            }
                        }
                        acc += bias[oc];
                        int v = FixedPoint.multiplyByQuantizedMultiplier(acc, FixedPoint.multiplier(mult[oc]),
                                FixedPoint.shift(mult[oc]));
                        assertEquals(Math.max(-32768, Math.min(32767, v)), out.getShort(2 * o), p + " element " + o);
                    }
                }
            }
        }
    }

    @Test
    void int8DepthwiseWithRunTimeWeightsMatchesTheReferenceLoop() throws Exception {
        Random r = new Random(22);
        int oh = Padding.SAME.outputSize(H, K, 1, 1), ow = Padding.SAME.outputSize(W, K, 1, 1);
        Tensor wIn = Tensor.activation("w", DataType.INT8, Shape.of(1, K, K, COUT)).withQuant(QuantParams.perTensor(0.02f, 0));
        Model m = single(new Op.DepthwiseConv2D(1, 1, 1, 1, Padding.SAME, MULT, Activation.RELU),
                q(DataType.INT8, "y", 0.1f, -5, 1, oh, ow, COUT), q(DataType.INT8, "x", 0.05f, 3, 1, H, W, CIN), wIn, null);
        Interpreter it = Interpreter.create(m);
        long packed = Quant.channelMultipliers(0.05f, QuantParams.perTensor(0.02f, 0), 0.1f, 1)[0];
        int lo = Math.max(-128, -5);
        for (int run = 0; run < 3; run++) {
            byte[] x = randomBytes(r, H * W * CIN, -128, 127);
            byte[] w = randomBytes(r, K * K * COUT, -127, 127);
            byte[] y = it.invoke(x, w)[0];
            int o = 0;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int oc = 0; oc < COUT; oc++, o++) {
                        int acc = accumulator(x, -3, w, 0, H, W, oy, ox, oc, 1, 1, 1, 1);
                        int v = FixedPoint.multiplyByQuantizedMultiplier(acc, FixedPoint.multiplier(packed),
                                FixedPoint.shift(packed)) - 5;
                        assertEquals(Math.max(lo, Math.min(127, v)), y[o], "run " + run + " element " + o);
                    }
                }
            }
        }
    }

    @Test
    void int8DepthwiseAcrossStridesDilationsAndBatchesMatchesTheReferenceLoop() throws Exception {
        // the row-wise kernel splits the input into strideW column phases and clips each tap's columns to
        // the image: strides 1-3 (3 does not divide the width), dilations 1-2, both paddings, 2 images
        Random r = new Random(23);
        int n = 2, h = 7, w = 11;
        float[] ws = {0.02f, 0.01f, 0.03f, 0.015f, 0.025f, 0.005f};
        QuantParams wq = QuantParams.perAxis(ws, new long[COUT], 3);
        byte[] wt = randomBytes(r, K * K * COUT, -127, 127);
        int[] bias = new int[COUT];
        for (int c = 0; c < COUT; c++) {
            bias[c] = r.nextInt(4001) - 2000;
        }
        byte[] x = randomBytes(r, n * h * w * CIN, -128, 127);
        long[] mult = Quant.channelMultipliers(0.05f, wq, 0.1f, COUT);
        for (int stride = 1; stride <= 3; stride++) {
            for (int dil = 1; dil <= 2; dil++) {
                for (Padding p : Padding.values()) {
                    int oh = p.outputSize(h, K, stride, dil), ow = p.outputSize(w, K, stride, dil);
                    int ph = p.padBefore(h, K, stride, dil, oh), pw = p.padBefore(w, K, stride, dil, ow);
                    Model m = single(new Op.DepthwiseConv2D(stride, stride, dil, dil, p, MULT, Activation.NONE),
                            q(DataType.INT8, "y", 0.1f, 4, n, oh, ow, COUT), q(DataType.INT8, "x", 0.05f, -7, n, h, w, CIN),
                            Tensor.ofInt8("w", Shape.of(1, K, K, COUT), wt).withQuant(wq),
                            Tensor.ofInts("b", Shape.of(COUT), bias));
                    byte[] y = Interpreter.create(m).invoke(x)[0];
                    int o = 0;
                    for (int b = 0; b < n; b++) {
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                for (int oc = 0; oc < COUT; oc++, o++) {
                                    int acc = accumulator(x, 7, wt, b, h, w, oy, ox, oc, stride, dil, ph, pw);
                                    int v = FixedPoint.multiplyByQuantizedMultiplier(acc + bias[oc],
                                            FixedPoint.multiplier(mult[oc]), FixedPoint.shift(mult[oc])) + 4;
                                    assertEquals(Math.max(-128, Math.min(127, v)), y[o],
                                            p + " stride " + stride + " dilation " + dil + " element " + o);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * TFLite's int8 depthwise accumulator of one output (3x3 filter, {@code CIN} channels times
     * {@code MULT}): the in-bounds taps' {@code w · (x + inOff)}.
     */
    private static int accumulator(byte[] x, int inOff, byte[] w, int b, int h, int width, int oy, int ox, int oc,
                                   int stride, int dil, int ph, int pw) {
        int acc = 0;
        for (int ky = 0; ky < K; ky++) {
            for (int kx = 0; kx < K; kx++) {
                int iy = oy * stride - ph + ky * dil, ix = ox * stride - pw + kx * dil;
                if (iy >= 0 && iy < h && ix >= 0 && ix < width) {
                    acc += w[(ky * K + kx) * COUT + oc] * (x[((b * h + iy) * width + ix) * CIN + oc / MULT] + inOff);
                }
            }
        }
        return acc;
    }

    private static Tensor q(DataType t, String name, float scale, int zp, int... dims) {
        return Tensor.activation(name, t, Shape.of(dims)).withQuant(QuantParams.perTensor(scale, zp));
    }

    private static byte[] randomBytes(Random r, int n, int lo, int hi) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (lo + r.nextInt(hi - lo + 1));
        }
        return b;
    }
}
