package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.FixedPoint;

/**
 * Per-channel requantization of int32 accumulators to int8 with its constants resolved once:
 * {@code clamp(MultiplyByQuantizedMultiplier(acc, m[c], s[c]) + outOff, lo, hi)} computed exactly as
 * {@link FixedPoint#multiplyByQuantizedMultiplier(int, int, int)} does, in fewer operations:
 * <ul>
 * <li>gemmlowp's {@code SaturatingRoundingDoublingHighMul(a, m)} divides {@code a·m + nudge} by
 * 2<sup>31</sup> rounding toward zero; for a negative dividend that is
 * {@code (a·m + 1 − 2^30 + 2^31 − 1) >> 31}, so both signs reduce to {@code (a·m + 2^30) >> 31}
 * (the saturating case needs {@code m = −2^31}, which no multiplier takes; such a channel keeps
 * the reference function);</li>
 * <li>{@code RoundingDivideByPOT(x, r)} for {@code r > 0} is {@code (x + 2^(r−1) − [x < 0]) >> r}:
 * with {@code x = q·2^r + rem}, both add one to {@code q} exactly when {@code rem} exceeds the
 * threshold {@code 2^(r−1) − [x ≥ 0]}.</li>
 * </ul>
 * Immutable after construction; thread-safe.
 */
final class Requantizer {
    private final int[] mult;
    private final int[] leftMul;
    private final int[] right;
    private final long[] half;
    private final int[] sign;
    private final int[] shift;
    private final boolean reference;

    Requantizer(int[] mult, int[] shift) {
        int n = mult.length;
        this.mult = mult;
        this.shift = shift;
        this.leftMul = new int[n];
        this.right = new int[n];
        this.half = new long[n];
        this.sign = new int[n];
        boolean ref = false;
        for (int c = 0; c < n; c++) {
            int left = shift[c] > 0 ? shift[c] : 0;
            int r = shift[c] > 0 ? 0 : -shift[c];
            leftMul[c] = 1 << left;
            right[c] = r;
            half[c] = r > 0 ? 1L << (r - 1) : 0;
            sign[c] = r > 0 ? 1 : 0;
            ref |= mult[c] == Integer.MIN_VALUE || r > 31;
        }
        this.reference = ref;
    }

    /** Returns {@code MultiplyByQuantizedMultiplier(acc, m[c], s[c])}. */
    int scale(int acc, int c) {
        if (reference) {
            return FixedPoint.multiplyByQuantizedMultiplier(acc, mult[c], shift[c]);
        }
        long ab = (long) (acc * leftMul[c]) * mult[c];
        int h = (int) ((ab + (1L << 30)) >> 31);
        return (int) (((long) h + half[c] - ((h >>> 31) & sign[c])) >> right[c]);
    }
}
