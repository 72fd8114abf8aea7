package io.tinyml.core.quant;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FixedPointTest {

    private static void assertMultiplier(double real, int multiplier, int shift) {
        long p = FixedPoint.quantizeMultiplier(real);
        assertEquals(multiplier, FixedPoint.multiplier(p), "multiplier of " + real);
        assertEquals(shift, FixedPoint.shift(p), "shift of " + real);
    }

    @Test
    void quantizeMultiplierOfKnownValues() {
        assertMultiplier(0.5, 1 << 30, 0);
        assertMultiplier(1.0, 1 << 30, 1);
        assertMultiplier(0.25, 1 << 30, -1);
        assertMultiplier(0.75, 0x60000000, 0);
        assertMultiplier(2.0, 1 << 30, 2);
        assertMultiplier(0.0, 0, 0);
        // just below 1: rounds up to 2^31 and is renormalized
        assertMultiplier(1.0 - 1e-12, 1 << 30, 1);
        // far too small: flushed to zero like TFLite
        assertMultiplier(1e-12, 0, 0);
        // 0.1 = 0.8 * 2^-3; round(0.8 * 2^31) = 1717986918
        assertMultiplier(0.1, 1717986918, -3);
    }

    @Test
    void roundHalfAwayMatchesStdRound() {
        assertEquals(1, FixedPoint.roundHalfAway(0.5));
        assertEquals(-1, FixedPoint.roundHalfAway(-0.5));
        assertEquals(3, FixedPoint.roundHalfAway(2.5));
        assertEquals(-3, FixedPoint.roundHalfAway(-2.5));
        assertEquals(0, FixedPoint.roundHalfAway(0.49999999999999994));
        assertEquals(0, FixedPoint.roundHalfAway(-0.49999999999999994));
        assertEquals(4503599627370497L, FixedPoint.roundHalfAway(4503599627370497.0));
    }

    @Test
    void roundingDivideByPotRoundsHalfAwayFromZero() {
        assertEquals(3, FixedPoint.roundingDivideByPOT(5, 1));
        assertEquals(-3, FixedPoint.roundingDivideByPOT(-5, 1));
        assertEquals(2, FixedPoint.roundingDivideByPOT(3, 1));
        assertEquals(-2, FixedPoint.roundingDivideByPOT(-3, 1));
        assertEquals(1, FixedPoint.roundingDivideByPOT(5, 2)); // 1.25
        assertEquals(-1, FixedPoint.roundingDivideByPOT(-5, 2));
        assertEquals(2, FixedPoint.roundingDivideByPOT(6, 2)); // 1.5
        assertEquals(-2, FixedPoint.roundingDivideByPOT(-6, 2));
        assertEquals(7, FixedPoint.roundingDivideByPOT(7, 0));
    }

    @Test
    void doublingHighMulSaturatesAndRounds() {
        assertEquals(Integer.MAX_VALUE,
                FixedPoint.saturatingRoundingDoublingHighMul(Integer.MIN_VALUE, Integer.MIN_VALUE));
        assertEquals(50, FixedPoint.saturatingRoundingDoublingHighMul(100, 1 << 30));
        // a * b / 2^31: 0.25 rounds to 0; +0.5 rounds up, -0.5 rounds to 0 (gemmlowp's nudge then truncation)
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(1, 1 << 29));
        assertEquals(1, FixedPoint.saturatingRoundingDoublingHighMul(1, 1 << 30));
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(-1, 1 << 30));
        assertEquals(-1, FixedPoint.saturatingRoundingDoublingHighMul(-3, 1 << 30)); // -1.5 -> -1
    }

    @Test
    void multiplyByQuantizedMultiplierMatchesRealScaling() {
        long p = FixedPoint.quantizeMultiplier(1.0);
        assertEquals(12345, FixedPoint.multiplyByQuantizedMultiplier(12345, FixedPoint.multiplier(p),
                FixedPoint.shift(p)));
        long half = FixedPoint.quantizeMultiplier(0.5);
        assertEquals(3, FixedPoint.multiplyByQuantizedMultiplier(5, FixedPoint.multiplier(half), FixedPoint.shift(half)));
        // -2.5: the high multiply rounds the negative half toward zero, as TFLite
        assertEquals(-2, FixedPoint.multiplyByQuantizedMultiplier(-5, FixedPoint.multiplier(half),
                FixedPoint.shift(half)));
        long quarter = FixedPoint.quantizeMultiplier(0.25);
        // 6 * 0.25 = 1.5: the rounding division by 2 rounds half away from zero
        assertEquals(2, FixedPoint.multiplyByQuantizedMultiplier(6, FixedPoint.multiplier(quarter),
                FixedPoint.shift(quarter)));
        assertEquals(-2, FixedPoint.multiplyByQuantizedMultiplier(-6, FixedPoint.multiplier(quarter),
                FixedPoint.shift(quarter)));
        Random r = new Random(7);
        for (int i = 0; i < 1000; i++) {
            double real = Math.exp(-12 * r.nextDouble());
            int x = r.nextInt(2_000_000) - 1_000_000;
            long q = FixedPoint.quantizeMultiplier(real);
            int got = FixedPoint.multiplyByQuantizedMultiplier(x, FixedPoint.multiplier(q), FixedPoint.shift(q));
            assertEquals(x * real, got, 1.0, "x=" + x + " real=" + real);
            long got64 = FixedPoint.multiplyByQuantizedMultiplier((long) x * 1000, FixedPoint.multiplier(q),
                    FixedPoint.shift(q));
            assertEquals(x * 1000.0 * real, got64, 1.0 + Math.abs(x * 1000.0 * real) * 1e-4, "64-bit x=" + x);
        }
    }

    @Test
    void multiplyByQuantizedMultiplier64UsesQ15Multiplier() {
        // 0.5 -> multiplier 2^30 -> reduced 2^14, total shift 15: (x * 2^14 + 2^14) >> 15
        long half = FixedPoint.quantizeMultiplier(0.5);
        assertEquals(3L, FixedPoint.multiplyByQuantizedMultiplier(5L, FixedPoint.multiplier(half), FixedPoint.shift(half)));
        // negative halves round up (toward +infinity) in the 64-bit form
        assertEquals(-2L, FixedPoint.multiplyByQuantizedMultiplier(-5L, FixedPoint.multiplier(half),
                FixedPoint.shift(half)));
    }
}
