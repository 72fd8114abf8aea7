package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;

/**
 * The im2col matrix of a convolution (one group), one block of output pixels at a time, as the
 * {@link RowGemm} rows: row {@code (ky, kx, c)} in filter-y, filter-x, input-channel order holds, for
 * every pixel of the block, the input value under that tap. The input is first copied into a
 * zero-bordered buffer (float32 for a float input; int with the input offset added for int8), so a tap
 * in the padding reads a 0 and every row fills without bounds checks. One instance holds one of the two
 * kinds ({@link #forFloat} or {@link #forInt}).
 */
final class Im2colRows {
    private final ConvGeometry geo;
    private final int block;
    private final int k;
    private final int padW;
    private final int padH;
    private final float[] paddedF;
    private final float[][] rowsF;
    private final int[] paddedI;
    private final int[][] rowsI;
    private final int[] base;
    /** Offset in the bordered buffer of each row's input value from its pixel's first value. */
    private final int[] tapOffsets;

    /** Rows of float32 values. */
    static Im2colRows forFloat(ConvGeometry geo) {
        return new Im2colRows(geo, false);
    }

    /** Rows of int values (int8 input plus its offset). */
    static Im2colRows forInt(ConvGeometry geo) {
        return new Im2colRows(geo, true);
    }

    private Im2colRows(ConvGeometry geo, boolean ints) {
        this.geo = geo;
        this.k = geo.kH() * geo.kW() * geo.inC();
        this.block = RowGemm.blockSize(k, geo.batches() * geo.outH() * geo.outW());
        int bottom = Math.max(0, (geo.outH() - 1) * geo.strideH() + geo.dilationH() * (geo.kH() - 1) + 1
                - geo.padH() - geo.inH());
        int right = Math.max(0, (geo.outW() - 1) * geo.strideW() + geo.dilationW() * (geo.kW() - 1) + 1
                - geo.padW() - geo.inW());
        this.padH = Math.max(0, geo.padH()) + geo.inH() + bottom;
        this.padW = Math.max(0, geo.padW()) + geo.inW() + right;
        int size = geo.batches() * padH * padW * geo.inC();
        this.paddedF = ints ? null : new float[size];
        this.rowsF = ints ? null : new float[k][block];
        this.paddedI = ints ? new int[size] : null;
        this.rowsI = ints ? new int[k][block] : null;
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

    /** @return the float rows ({@code k} arrays of {@link #block()} values) */
    float[][] floatRows() {
        return rowsF;
    }

    /** @return the int rows ({@code k} arrays of {@link #block()} values) */
    int[][] intRows() {
        return rowsI;
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
                System.arraycopy(x, src, paddedF, dst, rowLen);
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
                    paddedI[dst + t] = x[src + t] + inOff;
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
    void column(int m, float[] col) {
        int start = columnStart(m);
        int[] offsets = tapOffsets;
        for (int kk = 0; kk < k; kk++) {
            col[kk] = paddedF[start + offsets[kk]];
        }
    }

    /** The int form of {@link #column(int, float[])}. */
    void column(int m, int[] col) {
        int start = columnStart(m);
        int[] offsets = tapOffsets;
        for (int kk = 0; kk < k; kk++) {
            col[kk] = paddedI[start + offsets[kk]];
        }
    }

    private int columnStart(int m) {
        int perImage = geo.outH() * geo.outW();
        int b = m / perImage;
        int oy = (m % perImage) / geo.outW();
        int ox = m % geo.outW();
        int start = ((b * padH + oy * geo.strideH() + Math.max(0, geo.padH()) - geo.padH()) * padW
                + ox * geo.strideW() + Math.max(0, geo.padW()) - geo.padW()) * geo.inC();
        return start;
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
        int[] bs = base;
        for (int row = 0; row < k; row++) {
            int o = tapOffsets[row];
            if (rowsF != null) {
                float[] r = rowsF[row];
                float[] src = paddedF;
                for (int i = 0; i < mb; i++) {
                    r[i] = src[bs[i] + o];
                }
            } else {
                int[] r = rowsI[row];
                int[] src = paddedI;
                for (int i = 0; i < mb; i++) {
                    r[i] = src[bs[i] + o];
                }
            }
        }
    }
}
