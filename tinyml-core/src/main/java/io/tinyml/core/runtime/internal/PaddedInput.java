package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * An int8 NHWC input copied once per inference, as float32 values (exact), into a buffer with a border
 * wide enough for every tap of a convolution, the border holding the input zero point: a tap in the
 * padding then reads a value whose contribution {@code w · (zp + inputOffset)} is 0 once the kernel adds
 * {@code inputOffset · Σ w}, which is what TFLite's reference computes by skipping the tap. The
 * vector kernels read a pixel's tap at {@code pixelBase[m] + tapOffset[t] + c} without bounds logic.
 *
 * <p>Loaded only after {@link VectorSupport#use()}; one thread's working memory.
 */
final class PaddedInput {
    private static final VectorSpecies<Float> F = VectorShape.FLOAT;
    private static final VectorSpecies<Integer> I = VectorShape.INT;
    private static final VectorSpecies<Byte> B = VectorShape.BYTES;
    private static final int L = VectorShape.LANES;
    /** Values past the end of the buffer that a vector load of the last pixel may touch. */
    static final int SLACK = L;

    private final float[] buf;
    private final int[] pixelBase;
    private final int pixels;
    private final int[] tapOffset;
    private final int channels;
    private final int[] rowSrc;
    private final int[] rowDst;
    private final int rowLen;

    private PaddedInput(int size, int fill, int[] pixelBase, int[] tapOffset, int channels, int[] rowSrc,
                        int[] rowDst, int rowLen) {
        this.buf = new float[size + SLACK];
        Arrays.fill(buf, fill);
        // whole groups of four pixels: the kernels have no one-pixel tail, which would stay cold (and
        // interpreted or C1-compiled, boxing every vector) for thousands of inferences
        this.pixels = pixelBase.length;
        this.pixelBase = Arrays.copyOf(pixelBase, (pixels + 3) / 4 * 4);
        if (pixels > 0) {
            Arrays.fill(this.pixelBase, pixels, this.pixelBase.length, pixelBase[pixels - 1]);
        }
        this.tapOffset = tapOffset;
        this.channels = channels;
        this.rowSrc = rowSrc;
        this.rowDst = rowDst;
        this.rowLen = rowLen;
    }

    /**
     * The bordered input of a convolution (or a depthwise convolution with multiplier 1): one pixel
     * base per output pixel (batch, row, column order), one tap offset per filter tap (filter-y,
     * filter-x order), {@code geo.inC()} channels per tap.
     *
     * @param zeroPoint the input zero point (the border's value)
     */
    static PaddedInput of(ConvGeometry geo, int zeroPoint) {
        int inC = geo.inC();
        int top = Math.max(0, geo.padH()), left = Math.max(0, geo.padW());
        int bottom = Math.max(0, (geo.outH() - 1) * geo.strideH() + geo.dilationH() * (geo.kH() - 1) + 1
                - geo.padH() - geo.inH());
        int right = Math.max(0, (geo.outW() - 1) * geo.strideW() + geo.dilationW() * (geo.kW() - 1) + 1
                - geo.padW() - geo.inW());
        int padH = top + geo.inH() + bottom;
        int padW = left + geo.inW() + right;
        int[] tapOff = new int[geo.kH() * geo.kW()];
        for (int ky = 0; ky < geo.kH(); ky++) {
            for (int kx = 0; kx < geo.kW(); kx++) {
                tapOff[ky * geo.kW() + kx] = (ky * geo.dilationH() * padW + kx * geo.dilationW()) * inC;
            }
        }
        int[] pixelBase = new int[geo.batches() * geo.outH() * geo.outW()];
        int m = 0;
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                for (int ox = 0; ox < geo.outW(); ox++) {
                    pixelBase[m++] = ((b * padH + oy * geo.strideH() + top - geo.padH()) * padW
                            + ox * geo.strideW() + left - geo.padW()) * inC;
                }
            }
        }
        int rows = geo.batches() * geo.inH();
        int[] rowSrc = new int[rows];
        int[] rowDst = new int[rows];
        for (int b = 0; b < geo.batches(); b++) {
            for (int iy = 0; iy < geo.inH(); iy++) {
                int r = b * geo.inH() + iy;
                rowSrc[r] = r * geo.inW() * inC;
                rowDst[r] = ((b * padH + top + iy) * padW + left) * inC;
            }
        }
        return new PaddedInput(geo.batches() * padH * padW * inC, zeroPoint, pixelBase, tapOff, inC, rowSrc,
                rowDst, geo.inW() * inC);
    }

    /** The input of a fully-connected layer: {@code batches} rows of {@code len} values, one tap. */
    static PaddedInput rows(int batches, int len) {
        int[] base = new int[batches];
        for (int b = 0; b < batches; b++) {
            base[b] = b * len;
        }
        return new PaddedInput(batches * len, 0, base, new int[] {0}, len, base, base, len);
    }

    /** Copies the input rows into the buffer. */
    void load(byte[] x) {
        float[] d0 = buf;
        for (int r = 0; r < rowSrc.length; r++) {
            int s = rowSrc[r], d = rowDst[r];
            int i = 0;
            for (; i + L <= rowLen && s + i + L <= x.length; i += L) {
                IntVector v = (IntVector) ByteVector.fromArray(B, x, s + i).convertShape(VectorOperators.B2I, I, 0);
                ((FloatVector) v.convert(VectorOperators.I2F, 0)).intoArray(d0, d + i);
            }
            for (; i < rowLen; i++) {
                d0[d + i] = x[s + i];
            }
        }
    }

    /** @return the buffer (length includes {@link #SLACK}) */
    float[] buffer() {
        return buf;
    }

    /**
     * @return per output pixel, the buffer index of its first tap's channel 0, padded to a multiple of
     *         four entries with copies of the last pixel's (their sums are computed and ignored)
     */
    int[] pixelBase() {
        return pixelBase;
    }

    /** @return the number of output pixels (without the padding of {@link #pixelBase()}) */
    int pixels() {
        return pixels;
    }

    /** @return per filter tap, its offset from the pixel base */
    int[] tapOffset() {
        return tapOffset;
    }

    /** @return values per tap */
    int channels() {
        return channels;
    }
}
