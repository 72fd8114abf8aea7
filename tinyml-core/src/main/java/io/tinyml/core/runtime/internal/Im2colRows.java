package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;

/**
 * The im2col matrix of a convolution (one group), one block of output pixels at a time, as the
 * {@link RowGemm} rows: row {@code (ky, kx, c)} in filter-y, filter-x, input-channel order holds, for
 * every pixel of the block, the input value under that tap. The input is first copied into a
 * zero-bordered buffer of doubles (plus the input offset for int8), so a tap in the padding reads a 0
 * and every row fills without bounds checks.
 */
final class Im2colRows {
    private final ConvGeometry geo;
    private final int block;
    private final int k;
    private final int padW;
    private final int padH;
    private final double[] padded;
    private final double[][] rows;
    private final int[] base;
    /** Offset in the bordered buffer of each row's input value from its pixel's first value. */
    private final int[] tapOffsets;

    Im2colRows(ConvGeometry geo) {
        this.geo = geo;
        this.k = geo.kH() * geo.kW() * geo.inC();
        this.block = RowGemm.blockSize(k);
        int bottom = Math.max(0, (geo.outH() - 1) * geo.strideH() + geo.dilationH() * (geo.kH() - 1) + 1
                - geo.padH() - geo.inH());
        int right = Math.max(0, (geo.outW() - 1) * geo.strideW() + geo.dilationW() * (geo.kW() - 1) + 1
                - geo.padW() - geo.inW());
        this.padH = Math.max(0, geo.padH()) + geo.inH() + bottom;
        this.padW = Math.max(0, geo.padW()) + geo.inW() + right;
        this.padded = new double[geo.batches() * padH * padW * geo.inC()];
        this.rows = RowGemm.rows(k, block);
        this.base = new int[block];
        this.tapOffsets = new int[k];
        int row = 0;
        for (int ky = 0; ky < geo.kH(); ky++) {
            for (int kx = 0; kx < geo.kW(); kx++) {
                for (int c = 0; c < geo.inC(); c++) {
                    tapOffsets[row++] = (ky * geo.dilationH() * padW + kx * geo.dilationW()) * geo.inC() + c;
                }
            }
        }
    }

    /** @return output pixels per block */
    int block() {
        return block;
    }

    /** @return the rows ({@code k} arrays of {@link #block()} values) */
    double[][] rows() {
        return rows;
    }

    /** @return the number of rows, {@code KH·KW·C} */
    int k() {
        return k;
    }

    /** Copies a float32 input into the bordered buffer. */
    void load(float[] x) {
        int inW = geo.inW(), inC = geo.inC(), rowLen = inW * inC;
        for (int b = 0; b < geo.batches(); b++) {
            for (int y = 0; y < geo.inH(); y++) {
                int src = (b * geo.inH() + y) * rowLen;
                int dst = interior(b, y);
                for (int t = 0; t < rowLen; t++) {
                    padded[dst + t] = x[src + t];
                }
            }
        }
    }

    /** Copies an int8 input into the bordered buffer with the input offset added. */
    void load(byte[] x, int inOff) {
        int inW = geo.inW(), inC = geo.inC(), rowLen = inW * inC;
        for (int b = 0; b < geo.batches(); b++) {
            for (int y = 0; y < geo.inH(); y++) {
                int src = (b * geo.inH() + y) * rowLen;
                int dst = interior(b, y);
                for (int t = 0; t < rowLen; t++) {
                    padded[dst + t] = x[src + t] + inOff;
                }
            }
        }
    }

    /** Index in the bordered buffer of input row {@code y}, column 0, of image {@code b}. */
    private int interior(int b, int y) {
        return ((b * padH + y + Math.max(0, geo.padH())) * padW + Math.max(0, geo.padW())) * geo.inC();
    }

    /**
     * Fills one output pixel's im2col column (its {@code k} input values in row order) from the
     * loaded input: the form for layers with few pixels and many channels, where the product runs
     * over the output channels instead.
     *
     * @param m the output pixel (flattened over batch, row, column)
     * @param col receives {@code k} values
     */
    void column(int m, double[] col) {
        int perImage = geo.outH() * geo.outW();
        int b = m / perImage;
        int oy = (m % perImage) / geo.outW();
        int ox = m % geo.outW();
        int start = ((b * padH + oy * geo.strideH() + Math.max(0, geo.padH()) - geo.padH()) * padW
                + ox * geo.strideW() + Math.max(0, geo.padW()) - geo.padW()) * geo.inC();
        int[] offsets = tapOffsets;
        for (int kk = 0; kk < k; kk++) {
            col[kk] = padded[start + offsets[kk]];
        }
    }

    /**
     * Fills the rows for output pixels {@code m0 .. m0 + mb - 1} (flattened over batch, row, column)
     * of the loaded input.
     */
    void fill(int m0, int mb) {
        int perImage = geo.outH() * geo.outW();
        int inC = geo.inC();
        // a negative padding (VALID with stride leftovers never is) would shift the origin; TFLite's is >= 0
        int oy0 = Math.max(0, geo.padH()) - geo.padH();
        int ox0 = Math.max(0, geo.padW()) - geo.padW();
        for (int i = 0; i < mb; i++) {
            int m = m0 + i;
            int b = m / perImage;
            int oy = (m % perImage) / geo.outW();
            int ox = m % geo.outW();
            base[i] = ((b * padH + oy * geo.strideH() + oy0) * padW + ox * geo.strideW() + ox0) * inC;
        }
        int row = 0;
        for (int ky = 0; ky < geo.kH(); ky++) {
            for (int kx = 0; kx < geo.kW(); kx++) {
                int off = (ky * geo.dilationH() * padW + kx * geo.dilationW()) * inC;
                for (int c = 0; c < inC; c++, row++) {
                    double[] r = rows[row];
                    int o = off + c;
                    for (int i = 0; i < mb; i++) {
                        r[i] = padded[base[i] + o];
                    }
                }
            }
        }
    }
}
