package io.tinyml.core.quant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GemmlowpFixedPointTest {
    private static double real(int raw, int integerBits) {
        return raw / Math.pow(2, 31 - integerBits);
    }

    private static int raw(double value, int integerBits) {
        return (int) Math.round(value * Math.pow(2, 31 - integerBits));
    }

    @Test
    void roundingShiftsRoundHalfAwayFromZeroAndSaturate() {
        assertEquals(3, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(5, -1));
        assertEquals(-3, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(-5, -1));
        assertEquals(2, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(3, -1));
        assertEquals(-2, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(-3, -1));
        assertEquals(1, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(5, -3)); // 0.625
        assertEquals(0, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(4, -4)); // 0.25
        assertEquals(1, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(8, -4)); // 0.5
        assertEquals(-1, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(-8, -4)); // -0.5
        // Left shifts saturate beyond (2^(31-e) - 1).
        assertEquals((1 << 29) - 4, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot((1 << 27) - 1, 2));
        assertEquals(Integer.MAX_VALUE, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(1 << 29, 2));
        assertEquals(Integer.MIN_VALUE, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(-(1 << 29), 2));
        assertEquals(-(1 << 31) + 4, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(-(1 << 29) + 1, 2));
        assertEquals(7, GemmlowpFixedPoint.saturatingRoundingMultiplyByPot(7, 0));
        assertEquals(1 << 19, GemmlowpFixedPoint.rescale(Integer.MAX_VALUE, 0, 12));
    }

    @Test
    void roundingHalfSumRoundsHalfAwayFromZero() {
        assertEquals(2, GemmlowpFixedPoint.roundingHalfSum(1, 2));
        assertEquals(-2, GemmlowpFixedPoint.roundingHalfSum(-1, -2));
        assertEquals(0, GemmlowpFixedPoint.roundingHalfSum(-1, 1));
        assertEquals(Integer.MAX_VALUE, GemmlowpFixedPoint.roundingHalfSum(Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(1 << 30, GemmlowpFixedPoint.roundingHalfSum(0, Integer.MAX_VALUE));
    }

    @Test
    void constants() {
        assertEquals(Integer.MAX_VALUE, GemmlowpFixedPoint.one(0));
        assertEquals(1 << 29, GemmlowpFixedPoint.one(2));
        assertEquals(1 << 28, GemmlowpFixedPoint.constantPot(0, -3));
        assertEquals(1 << 24, GemmlowpFixedPoint.constantPot(5, -2));
    }

    @Test
    void expOnNegativeValuesMatchesExp() {
        for (int bits : new int[] {0, 1, 4, 5, 6, 12}) {
            double lo = -Math.min(Math.pow(2, bits), 40);
            for (int i = 0; i <= 20000; i++) {
                double v = lo * i / 20000.0;
                int a = raw(v, bits);
                double got = real(GemmlowpFixedPoint.expOnNegativeValues(a, bits), 0);
                double want = Math.exp(real(a, bits));
                assertEquals(want, got, 5e-7, "exp(" + v + ") with " + bits + " integer bits");
            }
        }
        assertEquals(Integer.MAX_VALUE, GemmlowpFixedPoint.expOnNegativeValues(0, 5));
        // Below -32 the result is clamped to zero when there are more than five integer bits.
        assertEquals(0, GemmlowpFixedPoint.expOnNegativeValues(raw(-33, 7), 7));
    }

    @Test
    void expIsMonotoneOnQ5() {
        int previous = Integer.MIN_VALUE;
        for (int a = -(1 << 31) + 1; a <= 0; a += 4093) {
            int e = GemmlowpFixedPoint.expOnNegativeValues(a, 5);
            assertTrue(e >= previous, "exp non-decreasing at raw " + a);
            previous = e;
        }
    }

    @Test
    void reciprocalAndDivisionsMatchReals() {
        for (int i = 0; i < 10000; i++) {
            double x = i / 10000.0;
            int a = raw(x, 0);
            assertEquals(1 / (1 + x), real(GemmlowpFixedPoint.oneOverOnePlusXForXIn01(a), 0), 2e-8, "1/(1+" + x + ")");
            assertEquals((1 - x) / (1 + x), real(GemmlowpFixedPoint.oneMinusXOverOnePlusXForXIn01(a), 0), 2e-8);
        }
        // GetReciprocal of 1.0 in Q12.19: one bit over unit is 0 and the scale is ~1.
        long r = GemmlowpFixedPoint.reciprocal(1 << 19, 12);
        assertEquals(0, (int) (r >> 32));
        assertEquals(1.0, real((int) r, 0), 2e-8);
        // 3.0 in Q12.19: 3 = 1.5 * 2^1, reciprocal scale 1/1.5 with 1 bit over unit.
        r = GemmlowpFixedPoint.reciprocal(3 << 19, 12);
        assertEquals(1, (int) (r >> 32));
        assertEquals(1 / 1.5, real((int) r, 0), 2e-8);
    }

    @Test
    void logisticAndTanhMatchReals() {
        for (int bits : new int[] {3, 4}) {
            double range = Math.pow(2, bits);
            for (int i = -20000; i <= 20000; i++) {
                double v = range * i / 20001.0;
                int a = raw(v, bits);
                double x = real(a, bits);
                assertEquals(1 / (1 + Math.exp(-x)), real(GemmlowpFixedPoint.logistic(a, bits), 0), 1e-6, "logistic " + x);
                assertEquals(Math.tanh(x), real(GemmlowpFixedPoint.tanh(a, bits), 0), 1e-6, "tanh " + x);
            }
        }
        assertEquals(1 << 30, GemmlowpFixedPoint.logistic(0, 4));
        assertEquals(0, GemmlowpFixedPoint.tanh(0, 4));
        // Odd/complementary symmetry is exact by construction.
        int a = raw(1.3, 4);
        assertEquals(-GemmlowpFixedPoint.tanh(a, 4), GemmlowpFixedPoint.tanh(-a, 4));
        assertEquals(Integer.MAX_VALUE - GemmlowpFixedPoint.logistic(a, 4), GemmlowpFixedPoint.logistic(-a, 4));
    }

    @Test
    void inputRadiusAndSoftmaxScaling() {
        // 15 * 2^27 / 2^24 = 120.
        assertEquals(120, GemmlowpFixedPoint.calculateInputRadius(4, 24, 31));
        // 31 * 2^26 / 2^27 = 15.5 -> 15.
        assertEquals(15, GemmlowpFixedPoint.calculateInputRadius(5, 27, 31));
        long p = GemmlowpFixedPoint.preprocessSoftmaxScaling(1.0, 1.0, 5);
        assertEquals(1 << 30, FixedPoint.multiplier(p));
        assertEquals(27, FixedPoint.shift(p));
        // Capped at 2^31 - 1: shift 31, not clamped to 30 (double-rounding TFLite).
        p = GemmlowpFixedPoint.preprocessSoftmaxScaling(1.0, 64.0, 5);
        assertEquals(Integer.MAX_VALUE, FixedPoint.multiplier(p));
        assertEquals(31, FixedPoint.shift(p));
        assertEquals(0L, GemmlowpFixedPoint.preprocessSoftmaxScaling(1.0, 0x1p-27, 5));
        assertEquals(-5 * 2, GemmlowpFixedPoint.multiplyByQuantizedMultiplierGreaterThanOne(-5, 1 << 30, 2));
    }

    @Test
    void sixteenBitPrimitives() {
        assertEquals(8192, GemmlowpFixedPoint.saturatingRoundingDoublingHighMul16((short) 16384, (short) 16384));
        assertEquals(2, GemmlowpFixedPoint.saturatingRoundingDoublingHighMul16((short) 3, (short) 16384)); // 1.5
        // gemmlowp's nudge for negative products: -1.5 becomes -1 (truncation after 1 - 2^14).
        assertEquals(-1, GemmlowpFixedPoint.saturatingRoundingDoublingHighMul16((short) -3, (short) 16384));
        assertEquals(-2, GemmlowpFixedPoint.saturatingRoundingDoublingHighMul16((short) -5, (short) 16384)); // -2.5
        assertEquals(Short.MAX_VALUE,
                GemmlowpFixedPoint.saturatingRoundingDoublingHighMul16(Short.MIN_VALUE, Short.MIN_VALUE));
        assertEquals(1, GemmlowpFixedPoint.saturatingDoublingHighMul16((short) 3, (short) 16384));
        assertEquals(-1, GemmlowpFixedPoint.saturatingDoublingHighMul16((short) -3, (short) 16384));
        assertEquals(Short.MAX_VALUE, GemmlowpFixedPoint.saturatingDoublingHighMul16(Short.MIN_VALUE, Short.MIN_VALUE));
        assertEquals(3, GemmlowpFixedPoint.roundingDivideByPot16((short) 5, 1));
        assertEquals(-3, GemmlowpFixedPoint.roundingDivideByPot16((short) -5, 1));
        assertEquals(-2, GemmlowpFixedPoint.roundingDivideByPot16((short) -6, 2)); // -1.5
        assertEquals(Short.MAX_VALUE, GemmlowpFixedPoint.saturatingLeftShift16((short) 20000, 1));
        assertEquals(Short.MIN_VALUE, GemmlowpFixedPoint.saturatingLeftShift16((short) -20000, 1));
        assertEquals(-20000, GemmlowpFixedPoint.saturatingLeftShift16((short) -10000, 1));
        assertEquals(Short.MAX_VALUE, GemmlowpFixedPoint.downScaleInt32ToInt16Multiplier(Integer.MAX_VALUE - 10));
        assertEquals(16384, GemmlowpFixedPoint.downScaleInt32ToInt16Multiplier(1 << 30));
        assertEquals(16385, GemmlowpFixedPoint.downScaleInt32ToInt16Multiplier((1 << 30) + (1 << 15)));
        assertEquals(16384, GemmlowpFixedPoint.downScaleInt32ToInt16Multiplier((1 << 30) + (1 << 15) - 1));
    }
}
