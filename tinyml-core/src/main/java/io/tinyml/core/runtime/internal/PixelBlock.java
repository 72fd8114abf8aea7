package io.tinyml.core.runtime.internal;

/**
 * The input coordinates of a block of consecutive output pixels of a 2-D window operator, resolved
 * once per block so that im2col can fill its matrix row by row (unit-stride writes).
 */
final class PixelBlock {
    private final ConvGeometry geo;
    private final int[] rowBase;
    private final int[] y0;
    private final int[] x0;

    PixelBlock(ConvGeometry geo, int size) {
        this.geo = geo;
        this.rowBase = new int[size];
        this.y0 = new int[size];
        this.x0 = new int[size];
    }

    /** Resolves output pixels {@code m0 .. m0 + count - 1} (flattened over batch, row, column). */
    void locate(int m0, int count) {
        int perImage = geo.outH() * geo.outW();
        for (int i = 0; i < count; i++) {
            int m = m0 + i;
            rowBase[i] = (m / perImage) * geo.inH();
            y0[i] = ((m % perImage) / geo.outW()) * geo.strideH() - geo.padH();
            x0[i] = (m % geo.outW()) * geo.strideW() - geo.padW();
        }
    }

    /**
     * Resolves one filter tap for the first {@code count} pixels of the located block: {@code idx[i]}
     * becomes the input index of channel 0 at tap offset {@code (dy, dx)} of pixel {@code i}, or -1
     * where the tap falls in the padding.
     *
     * @return whether every pixel's tap is inside the input
     */
    boolean tap(int count, int dy, int dx, int[] idx) {
        boolean inside = true;
        int inH = geo.inH(), inW = geo.inW(), inC = geo.inC();
        for (int i = 0; i < count; i++) {
            int iy = y0[i] + dy;
            int ix = x0[i] + dx;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
                idx[i] = -1;
                inside = false;
            } else {
                idx[i] = ((rowBase[i] + iy) * inW + ix) * inC;
            }
        }
        return inside;
    }

    /**
     * Returns the input index of channel {@code c} at tap offset {@code (dy, dx)} of pixel {@code i}
     * of the block, or -1 where the tap falls in the padding.
     */
    int inputIndex(int i, int dy, int dx, int c) {
        int iy = y0[i] + dy;
        int ix = x0[i] + dx;
        if (iy < 0 || iy >= geo.inH() || ix < 0 || ix >= geo.inW()) {
            return -1;
        }
        return ((rowBase[i] + iy) * geo.inW() + ix) * geo.inC() + c;
    }
}
