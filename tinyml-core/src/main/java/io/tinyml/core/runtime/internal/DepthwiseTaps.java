package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;
import java.util.Arrays;

/**
 * The accumulation core of int16 depthwise convolutions (float32 and int8 ones use {@link DepthwiseRows}):
 * every input pixel is copied once per inference into its own array of doubles, one value per output
 * channel (input channel {@code oc / multiplier}), and every filter tap has its own array of
 * weights per output channel. An output pixel then sums, tap by tap in filter-y, filter-x order and
 * skipping taps in the padding as TFLite's reference does, {@code acc[oc] += x[oc] · w[oc]} over
 * arrays read at the same index, a loop the JIT vectorises.
 *
 * <p>Exactness: int16-by-int8 products are exact in double, and their sums, far below 2<sup>53</sup>,
 * are exact: TFLite's int64 accumulator.
 */
final class DepthwiseTaps {
    private final ConvGeometry geo;
    private final int outC;
    private final int mult;
    private final double[][] w;
    private final double[][] pixels;
    private final double[] acc;

    /** @param taps the weights by tap ({@link #pack}); read only */
    DepthwiseTaps(ConvGeometry geo, double[][] taps) {
        this.geo = geo;
        this.outC = geo.outC();
        this.mult = geo.outC() / geo.inC();
        this.w = taps;
        this.pixels = new double[geo.batches() * geo.inH() * geo.inW()][outC];
        this.acc = new double[outC];
    }

    /** Splits {@code [1, KH, KW, OC]} int8 weights (as doubles) into one array per tap. */
    static double[][] pack(ConvGeometry geo, double[] weights) {
        int taps = geo.kH() * geo.kW();
        int c = geo.outC();
        double[][] t = new double[taps][];
        for (int i = 0; i < taps; i++) {
            t[i] = Arrays.copyOfRange(weights, i * c, (i + 1) * c);
        }
        return t;
    }

    /** Rewrites packed weights in place from {@code [1, KH, KW, OC]} int8 weights computed at run time. */
    static void repack(byte[] weights, double[][] taps) {
        for (int t = 0; t < taps.length; t++) {
            double[] d = taps[t];
            for (int c = 0; c < d.length; c++) {
                d[c] = weights[t * d.length + c];
            }
        }
    }

    /** Loads an int16 input (zero point 0). */
    void load(short[] x) {
        int inC = geo.inC();
        for (int p = 0; p < pixels.length; p++) {
            double[] d = pixels[p];
            for (int ic = 0, t = 0, base = p * inC; ic < inC; ic++) {
                double v = x[base + ic];
                for (int m = 0; m < mult; m++) {
                    d[t++] = v;
                }
            }
        }
    }

    /**
     * Sums the output pixel {@code (b, oy, ox)} of the loaded input into {@link #acc()}.
     */
    void pixel(int b, int oy, int ox) {
        double[] a = acc;
        Arrays.fill(a, 0.0);
        int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), inW = geo.inW();
        int iy0 = oy * geo.strideH() - geo.padH();
        int ix0 = ox * geo.strideW() - geo.padW();
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
                double[] xv = pixels[(b * inH + iy) * inW + ix];
                double[] wv = w[ky * kW + kx];
                for (int c = 0; c < outC; c++) {
                    a[c] = Math.fma(xv[c], wv[c], a[c]);
                }
            }
        }
    }

    /** @return the sums of the last {@link #pixel} call, by output channel */
    double[] acc() {
        return acc;
    }
}
