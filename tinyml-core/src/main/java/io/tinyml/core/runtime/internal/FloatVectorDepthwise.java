package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.Quant;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float32 depthwise convolution of depth multiplier 1 on the Vector API: vector lanes run over the
 * channels of one output pixel, whose input values and weights are contiguous (NHWC and
 * {@code [1, KH, KW, C]}), for layers of a whole number of vectors of channels. Per output pixel the taps
 * inside the image are listed once (all of them, from precomputed offsets, for a pixel away from the
 * border), and every channel vector sums them in filter-y, filter-x order.
 *
 * <p>Bit-identical to {@link DepthwiseRows} and the contract of {@code dw_f32.c}: per output the sum of
 * {@code x · w} over the in-bounds taps in order, starting at +0.0, one multiply then one add per tap,
 * each rounded to float32 (never fused), then plus the bias, then the clamp. Taps in the padding are
 * skipped, as there, so non-finite weights need no special case.
 *
 * <p>Loaded only once {@link VectorSupport#use()} returned true. One instance is one interpreter's
 * working memory; the weights are read only.
 */
final class FloatVectorDepthwise {
    /** The float shape of every float vector kernel ({@link VectorShape#FLOAT}: one shape per JVM). */
    private static final VectorSpecies<Float> S = VectorShape.FLOAT;
    private static final int L = S.length();

    private final ConvGeometry geo;
    private final int c;
    private final float[] w;
    private final float[] bias;
    /** The bias of a layer without one: a sum is never -0.0 (it starts at +0.0), so adding +0.0 leaves it unchanged. */
    private final float[] zeros;
    private final float lo;
    private final float hi;
    /** The current border pixel's in-bounds taps: input offsets from the image origin and weight offsets. */
    private final int[] tapIn;
    private final int[] tapW;
    /** Every tap of an interior pixel: input offsets from the pixel's first tap, and weight offsets. */
    private final int[] allIn;
    private final int[] allW;

    private FloatVectorDepthwise(ConvGeometry geo, float[] w, float[] bias, float lo, float hi) {
        this.geo = geo;
        this.c = geo.outC();
        this.w = w;
        this.bias = bias;
        this.zeros = new float[geo.outC()];
        this.lo = lo;
        this.hi = hi;
        this.tapIn = new int[geo.kH() * geo.kW()];
        this.tapW = new int[geo.kH() * geo.kW()];
        this.allIn = new int[geo.kH() * geo.kW()];
        this.allW = new int[geo.kH() * geo.kW()];
        for (int ky = 0, t = 0; ky < geo.kH(); ky++) {
            for (int kx = 0; kx < geo.kW(); kx++, t++) {
                allIn[t] = (ky * geo.dilationH() * geo.inW() + kx * geo.dilationW()) * c;
                allW[t] = t * c;
            }
        }
    }

    /**
     * Whether this form applies: a depth multiplier of 1 and a whole number of vectors of channels (a
     * layer of fewer channels keeps the row-wise {@link DepthwiseRows}, which vectorises across pixels).
     */
    static boolean applies(ConvGeometry geo) {
        return geo.outC() == geo.inC() && geo.outC() % L == 0;
    }

    /**
     * The kernel of a float32 depthwise convolution of depth multiplier 1.
     *
     * @param w the {@code [1, KH, KW, C]} weights; read at each run (they may be computed at run time)
     * @param bias the bias, or null; read at each run
     * @param act the fused activation (its clamp range and a fused TANH)
     */
    static Kernel kernel(ConvGeometry geo, float[] w, float[] bias, float[] x, float[] y, Activation act) {
        float[] r = Quant.floatRange(act);
        FloatVectorDepthwise dw = new FloatVectorDepthwise(geo, w, bias, r[0], r[1]);
        return () -> {
            dw.run(x, y);
            Quant.applyTanh(act, y);
        };
    }

    private void run(float[] x, float[] y) {
        int inH = geo.inH(), inW = geo.inW(), kH = geo.kH(), kW = geo.kW();
        int o = 0;
        for (int b = 0; b < geo.batches(); b++) {
            int image = b * inH * inW;
            for (int oy = 0; oy < geo.outH(); oy++) {
                int iy0 = oy * geo.strideH() - geo.padH();
                boolean rowInside = iy0 >= 0 && iy0 + geo.dilationH() * (kH - 1) < inH;
                for (int ox = 0; ox < geo.outW(); ox++) {
                    int ix0 = ox * geo.strideW() - geo.padW();
                    if (rowInside && ix0 >= 0 && ix0 + geo.dilationW() * (kW - 1) < inW) {
                        pixel(x, (image + iy0 * inW + ix0) * c, allIn, allW, allIn.length, y, o);
                        o += c;
                        continue;
                    }
                    int n = 0;
                    for (int ky = 0; ky < kH; ky++) {
                        int iy = iy0 + geo.dilationH() * ky;
                        if (iy < 0 || iy >= inH) {
                            continue;
                        }
                        for (int kx = 0; kx < kW; kx++) {
                            int ix = ix0 + geo.dilationW() * kx;
                            if (ix < 0 || ix >= inW) {
                                continue;
                            }
                            tapIn[n] = (image + iy * inW + ix) * c;
                            tapW[n] = (ky * kW + kx) * c;
                            n++;
                        }
                    }
                    pixel(x, 0, tapIn, tapW, n, y, o);
                    o += c;
                }
            }
        }
    }

    /**
     * Sums one output pixel over {@code n} taps, input values at {@code x[base + ti[t] ..]} and weights at
     * {@code w[tw[t] ..]}, and stores it at {@code y[o ..]}.
     */
    private void pixel(float[] x, int base, int[] ti, int[] tw, int n, float[] y, int o) {
        float[] wt = w;
        float[] b = bias != null ? bias : zeros;
        for (int j = 0; j < c; j += L) {
            FloatVector a = FloatVector.zero(S);
            for (int t = 0; t < n; t++) {
                a = a.add(FloatVector.fromArray(S, x, base + ti[t] + j).mul(FloatVector.fromArray(S, wt, tw[t] + j)));
            }
            a.add(FloatVector.fromArray(S, b, j)).min(hi).max(lo).intoArray(y, o + j);
        }
    }
}
