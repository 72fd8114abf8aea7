package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.FixedPoint;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link Requantizer} with the output stage: eight int32 sums of consecutive
 * output channels at a time become int8 values
 * {@code clamp(MultiplyByQuantizedMultiplier(acc + add[c], m[c], s[c]) + outOff, lo, hi)}, bit for bit
 * what the scalar kernels compute:
 * <ul>
 * <li>the left shift {@code l} is an int shift, which wraps as the reference's multiplication by
 * {@code 2^l} (for {@code l ≤ 30});</li>
 * <li>in 64-bit lanes, {@code h = (a·m + 2^30) >> 31} is gemmlowp's rounding doubling high product, as
 * {@link Requantizer#scale} computes it (it fits an int for every multiplier but {@code −2^31});</li>
 * <li>the rounding right shift by {@code r ≥ 0}, {@code (h + 2^(r−1) − [h < 0]) >> r} for {@code r > 0}
 * and {@code h} for {@code r = 0}, is in both cases {@code (2h + 2^r + (h >> 63)) >> (r + 1)}: for
 * {@code r > 0} the doubled numerator {@code 2X − [h < 0]} (with {@code X = h + 2^(r−1)}) has the same
 * floor quotient as {@code 2X − 2[h < 0]}, since no multiple of {@code 2^r} lies in
 * {@code (X − 1, X − 1/2]}; for {@code r = 0}, {@code (2h + 1 − [h < 0]) >> 1 = h}.</li>
 * </ul>
 *
 * <p>Only for parameters the fast form covers ({@link #covers}): no multiplier {@code −2^31}, shifts in
 * {@code [−31, 30]}. All conversions keep 256-bit int and 512-bit long shapes, which C2 compiles to
 * single instructions on AVX2/AVX-512 machines (no boxing). Loaded only after
 * {@link VectorSupport#use()}; immutable apart from its scratch arrays, so one instance serves one
 * thread.
 */
final class VectorRequantizer {
    private static final VectorSpecies<Integer> INT = IntVector.SPECIES_256;
    private static final VectorSpecies<Long> LONG = LongVector.SPECIES_512;
    private static final VectorSpecies<Byte> BYTE = ByteVector.SPECIES_64;
    /** Lanes per step. */
    static final int LANES = 8;

    private final int channels;
    private final int[] add;
    private final int[] left;
    private final long[] mult;
    private final long[] pow;
    private final long[] right1;
    /** Whether every channel has a multiplier above 2^30 and no left shift: the one-shift form of {@link #pixelsStrided} applies. */
    private final boolean direct;
    /** Per channel, for the one-shift form: the rounding term {@code 2^30 + 2^(30+r)} ({@code 2^30} for r = 0). */
    private final long[] round;
    /** Per channel, for the one-shift form: {@code 2^31} (0 for r = 0), subtracted from negative products. */
    private final long[] negative;
    /** Per channel, for the one-shift form: {@code 31 + r}. */
    private final long[] total;
    private final int outOff;
    private final int lo;
    private final int hi;
    /** One pixel's sums and outputs, padded to whole groups, for {@link #pixel}. */
    private final int[] rowIn;
    private final byte[] rowOut;

    /**
     * @param add per channel, added to the sum before scaling (the bias, plus any folded input-offset
     *            term), wrapping as int32; null for none
     * @param mult the per-channel multipliers
     * @param shift the per-channel shifts (positive: left)
     * @param outOff the output zero point
     * @param lo the activation minimum
     * @param hi the activation maximum
     */
    VectorRequantizer(int[] add, int[] mult, int[] shift, int outOff, int lo, int hi) {
        int n = mult.length;
        int padded = (n + LANES - 1) / LANES * LANES;
        this.channels = n;
        this.add = new int[padded];
        this.left = new int[padded];
        this.mult = new long[padded];
        this.pow = new long[padded];
        this.right1 = new long[padded];
        this.round = new long[padded];
        this.negative = new long[padded];
        this.total = new long[padded];
        java.util.Arrays.fill(total, 31);
        boolean d = true;
        for (int c = 0; c < n; c++) {
            d &= mult[c] > (1 << 30) && shift[c] <= 0;
            int r = shift[c] > 0 ? 0 : -shift[c];
            this.add[c] = add != null ? add[c] : 0;
            this.left[c] = shift[c] > 0 ? shift[c] : 0;
            this.mult[c] = mult[c];
            this.pow[c] = 1L << r;
            this.right1[c] = r + 1;
            this.round[c] = r == 0 ? 1L << 30 : (1L << 30) + (1L << (30 + r));
            this.negative[c] = r == 0 ? 0 : 1L << 31;
            this.total[c] = 31 + r;
        }
        this.direct = d;
        this.rowIn = new int[padded];
        this.rowOut = new byte[padded];
        this.outOff = outOff;
        this.lo = lo;
        this.hi = hi;
    }

    /** @return the number of channels */
    int channels() {
        return channels;
    }

    /** Whether the vector form reproduces {@link FixedPoint#multiplyByQuantizedMultiplier} for these parameters. */
    static boolean covers(int[] mult, int[] shift) {
        for (int c = 0; c < mult.length; c++) {
            if (mult[c] == Integer.MIN_VALUE || shift[c] < -31 || shift[c] > 30) {
                return false;
            }
        }
        return true;
    }

    /**
     * Requantizes one pixel: {@code acc[a + c]} for every channel {@code c} into {@code y[yOff + c]}
     * (through scratch arrays padded to whole groups of {@link #LANES}).
     */
    void pixel(int[] acc, int a, byte[] y, int yOff) {
        System.arraycopy(acc, a, rowIn, 0, channels);
        pixelsStrided(rowIn, rowIn.length, rowOut, 1);
        System.arraycopy(rowOut, 0, y, yOff, channels);
    }

    /**
     * Requantizes {@code pixels} whole pixels at once, when the channel count is a multiple of
     * {@link #LANES}: {@code acc[i]} into {@code y[i]} for {@code i < pixels · channels} (one loop without
     * per-pixel tails).
     */
    void pixels(int[] acc, byte[] y, int pixels) {
        pixelsStrided(acc, channels, y, pixels);
    }

    /**
     * Requantizes {@code pixels} pixels whose sums lie {@code stride} apart ({@code stride ≥ channels}):
     * {@code acc[p · stride + c]} into {@code y[p · channels + c]}, for a channel count that is a multiple
     * of {@link #LANES} (or one pixel, whose last group may run past the channels inside {@code acc} and
     * {@code y}). One group of channels at a time over all pixels: the group's constants are the same for
     * every pixel, so the JIT keeps them in registers (1.8x faster than pixel by pixel); they are loaded
     * inside the loop all the same, since a vector held across a loop was boxed on the heap in some
     * compilations (an on-stack replacement of the loop).
     *
     * <p>Both forms of the arithmetic are written out here rather than in helper methods: the JIT inlines
     * a bounded depth of calls (15), and the Vector API spends about half of it, so every level of our own
     * between a compiled root and the vector operations risks their slow, allocating Java form (measured:
     * 660 KB per person_detect inference in a JMH fork). This method is too large for the JIT to inline
     * into its callers and is compiled on its own.
     *
     * <p>The one-shift form ({@link #direct}): with {@code q = a·m}, the reference computes
     * {@code h = (q + 2^30) >> 31} and then, for {@code r ≥ 1}, {@code floor((h + 2^(r−1) − [h < 0]) / 2^r)};
     * as {@code h + k = floor((q + 2^30 + k·2^31) / 2^31)} for an integer {@code k}, and nested floor
     * divisions by powers of two compose, that is {@code (q + 2^30 + 2^(30+r) − [h < 0]·2^31) >> (31 + r)};
     * for {@code r = 0} it is {@code h}. Since {@code m > 2^30}, {@code h < 0} exactly when {@code a < 0}
     * ({@code a ≤ −1} gives {@code q + 2^30 ≤ 2^30 − m < 0}), so the sign of {@code a} selects the term.
     * Checked against {@link FixedPoint#multiplyByQuantizedMultiplier} by {@code VectorRequantizerTest}.
     */
    void pixelsStrided(int[] acc, int stride, byte[] y, int pixels) {
        int n = channels;
        if (direct) {
            for (int c = 0; c < n; c += LANES) {
                for (int p = 0, s = c, d = c; p < pixels; p++, s += stride, d += n) {
                    IntVector a = IntVector.fromArray(INT, acc, s).add(IntVector.fromArray(INT, add, c));
                    LongVector q = (LongVector) a.convertShape(VectorOperators.I2L, LONG, 0);
                    LongVector r = q.mul(LongVector.fromArray(LONG, mult, c)).add(LongVector.fromArray(LONG, round, c))
                            .sub(q.lanewise(VectorOperators.ASHR, 63).and(LongVector.fromArray(LONG, negative, c)))
                            .lanewise(VectorOperators.ASHR, LongVector.fromArray(LONG, total, c));
                    IntVector o = ((IntVector) r.convertShape(VectorOperators.L2I, INT, 0)).add(outOff).max(lo).min(hi);
                    ((ByteVector) o.convertShape(VectorOperators.I2B, BYTE, 0)).intoArray(y, d);
                }
            }
            return;
        }
        for (int c = 0; c < n; c += LANES) {
            for (int p = 0, s = c, d = c; p < pixels; p++, s += stride, d += n) {
                IntVector a = IntVector.fromArray(INT, acc, s).add(IntVector.fromArray(INT, add, c))
                        .lanewise(VectorOperators.LSHL, IntVector.fromArray(INT, left, c));
                LongVector q = (LongVector) a.convertShape(VectorOperators.I2L, LONG, 0);
                LongVector h = q.mul(LongVector.fromArray(LONG, mult, c)).add(1L << 30).lanewise(VectorOperators.ASHR, 31);
                LongVector r = h.add(h).add(LongVector.fromArray(LONG, pow, c)).add(h.lanewise(VectorOperators.ASHR, 63))
                        .lanewise(VectorOperators.ASHR, LongVector.fromArray(LONG, right1, c));
                IntVector o = ((IntVector) r.convertShape(VectorOperators.L2I, INT, 0)).add(outOff).max(lo).min(hi);
                ((ByteVector) o.convertShape(VectorOperators.I2B, BYTE, 0)).intoArray(y, d);
            }
        }
    }
}
