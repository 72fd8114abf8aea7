package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;

/**
 * An int8 convolution (one group) computed as a matrix product over blocks of output pixels, as
 * {@link FloatConvGemm} does for float: {@code acc[j][i] = Σ_k w[j][k] · col[k][i]} over im2col rows
 * holding {@code x + inputOffset}, and 0 at padded taps, which contribute nothing, as TFLite's
 * reference skips them. The sums run in double ({@link RowGemm}, which the JIT vectorises): every
 * product is below 2<sup>16</sup> in magnitude and every partial sum an integer below 2<sup>53</sup>,
 * so each is exact, and narrowing the exact sum to 32 bits gives TFLite's int32 accumulator to the
 * bit, wrap-around included. Requantization per output channel follows.
 */
final class Int8ConvGemm {
    private final ConvGeometry geo;
    private final Im2colRows cols;
    private final int k;
    private final double[] w;
    private final double[] acc;
    private final Requantizer rq;
    private final double[][] weightRows;
    private final double[] col;
    private final double[] accN;

    /**
     * @param packed the OHWI int8 weights widened to double ({@link PackedWeights#widenToDouble(byte[])}); read only
     * @param weightRows the same weights as {@link RowGemm#weightRows} when the product runs over the
     *                   output channels ({@link RowGemm#channelsInner}), else null; read only
     * @param rq the per-channel requantization
     */
    Int8ConvGemm(ConvGeometry geo, double[] packed, double[][] weightRows, Requantizer rq) {
        this.rq = rq;
        this.weightRows = weightRows;
        this.geo = geo;
        this.cols = new Im2colRows(geo);
        this.k = cols.k();
        this.w = packed;
        this.acc = new double[cols.block()];
        this.col = new double[k];
        this.accN = new double[geo.outC()];
    }

    /**
     * Runs the convolution with requantization.
     *
     * @param x the input
     * @param inOff the input offset (minus the input zero point)
     * @param bias the int32 bias, or null
     * @param outOff the output zero point
     * @param lo the activation minimum
     * @param hi the activation maximum
     * @param y the output
     */
    void run(byte[] x, int inOff, int[] bias, int outOff, int lo, int hi, byte[] y) {
        int pixelCount = geo.batches() * geo.outH() * geo.outW();
        int n = geo.outC();
        int block = cols.block();
        double[][] rows = cols.rows();
        cols.load(x, inOff);
        if (weightRows != null) {
            for (int m = 0; m < pixelCount; m++) {
                cols.column(m, col);
                RowGemm.dot(col, 0, weightRows, k, accN, n);
                for (int j = 0; j < n; j++) {
                    int a = (int) (long) accN[j];
                    a = rq.scale(bias != null ? a + bias[j] : a, j) + outOff;
                    y[m * n + j] = (byte) Math.max(lo, Math.min(hi, a));
                }
            }
            return;
        }
        for (int m0 = 0; m0 < pixelCount; m0 += block) {
            int mb = Math.min(block, pixelCount - m0);
            cols.fill(m0, mb);
            for (int j = 0; j < n; j++) {
                RowGemm.dot(w, j * k, rows, k, acc, mb);
                int b = bias != null ? bias[j] : 0;
                for (int i = 0; i < mb; i++) {
                    int a = rq.scale((int) (long) acc[i] + b, j) + outOff;
                    y[(m0 + i) * n + j] = (byte) Math.max(lo, Math.min(hi, a));
                }
            }
        }
    }
}
