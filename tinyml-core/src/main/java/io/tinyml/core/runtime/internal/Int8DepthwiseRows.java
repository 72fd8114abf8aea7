package io.tinyml.core.runtime.internal;

import java.util.Arrays;

/**
 * Int8 depthwise convolution (channel multiplier 1, horizontal stride and dilation 1) computed a
 * whole output row at a time: with NHWC, the products of one filter tap over an output row form one
 * contiguous run {@code t = ox·C + c} of the input row, so each tap is a single long unit-stride
 * loop the JIT vectorises, against the tap's weights repeated once per output column (laid out at
 * preparation). Taps that fall in the padding are skipped, as in TFLite's reference; integer sums do
 * not depend on their order, so the result is TFLite's to the bit.
 */
final class Int8DepthwiseRows {
    private final ConvGeometry geo;
    private final int rowLen;
    private final int[] w;
    private final int[] acc;

    /** @param packed the weights laid out by {@link #pack}; read only */
    Int8DepthwiseRows(ConvGeometry geo, int[] packed) {
        this.geo = geo;
        this.rowLen = geo.outW() * geo.outC();
        this.w = packed;
        this.acc = new int[rowLen];
    }

    /** Repeats each tap's {@code [1, KH, KW, C]} weights once per output column, as ints. */
    static int[] pack(ConvGeometry geo, byte[] weights) {
        int c = geo.outC();
        int rowLen = geo.outW() * c;
        int taps = geo.kH() * geo.kW();
        int[] w = new int[taps * rowLen];
        for (int tap = 0; tap < taps; tap++) {
            for (int t = 0; t < rowLen; t++) {
                w[tap * rowLen + t] = weights[tap * c + t % c];
            }
        }
        return w;
    }

    /** Whether this form applies to a depthwise geometry. */
    static boolean applies(ConvGeometry geo) {
        return geo.outC() == geo.inC() && geo.strideW() == 1 && geo.dilationW() == 1;
    }

    /**
     * Runs the convolution with requantization (parameters as in {@link Int8ConvGemm#run}).
     */
    void run(byte[] x, int inOff, int[] bias, int[] mult, int[] shift, int outOff, int lo, int hi, byte[] y) {
        int c = geo.outC(), inH = geo.inH(), inW = geo.inW(), outW = geo.outW(), kW = geo.kW();
        int o = 0;
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                Arrays.fill(acc, 0);
                int iy0 = oy * geo.strideH() - geo.padH();
                for (int ky = 0; ky < geo.kH(); ky++) {
                    int iy = iy0 + geo.dilationH() * ky;
                    if (iy < 0 || iy >= inH) {
                        continue;
                    }
                    int rowStart = (b * inH + iy) * inW * c;
                    for (int kx = 0; kx < kW; kx++) {
                        int shiftX = kx - geo.padW();
                        // output columns whose input column ox + shiftX lies inside the row
                        int ox0 = Math.max(0, -shiftX);
                        int ox1 = Math.min(outW, inW - shiftX);
                        int t0 = ox0 * c;
                        int t1 = ox1 * c;
                        int xBase = rowStart + shiftX * c;
                        int wBase = (ky * kW + kx) * rowLen;
                        for (int t = t0; t < t1; t++) {
                            acc[t] += (x[xBase + t] + inOff) * w[wBase + t];
                        }
                    }
                }
                for (int t = 0; t < rowLen; t++) {
                    int ch = t % c;
                    int a = bias != null ? acc[t] + bias[ch] : acc[t];
                    a = FixedPoint.multiplyByQuantizedMultiplier(a, mult[ch], shift[ch]) + outOff;
                    y[o++] = (byte) Math.max(lo, Math.min(hi, a));
                }
            }
        }
    }
}
