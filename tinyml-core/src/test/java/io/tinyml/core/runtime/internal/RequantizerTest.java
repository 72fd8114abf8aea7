package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.FixedPoint;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RequantizerTest {
    @Test
    void agreesWithTheReferenceMultiplyByQuantizedMultiplier() {
        Random r = new Random(11);
        int[] edges = {0, 1, -1, 2, -2, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1,
                Integer.MIN_VALUE + 1, 1 << 30, -(1 << 30), (1 << 30) + 1, -(1 << 30) - 1, 12345, -12345};
        int channels = 64;
        int[] mult = new int[channels];
        int[] shift = new int[channels];
        for (int c = 0; c < channels; c++) {
            mult[c] = c == 0 ? Integer.MAX_VALUE : c == 1 ? 1 << 30 : c == 2 ? 0 : (1 << 30) + r.nextInt(1 << 30);
            shift[c] = c < 40 ? -r.nextInt(32) : r.nextInt(8);
        }
        shift[3] = 0;
        shift[4] = -31;
        Requantizer rq = new Requantizer(mult, shift);
        for (int c = 0; c < channels; c++) {
            for (int e : edges) {
                assertEquals(FixedPoint.multiplyByQuantizedMultiplier(e, mult[c], shift[c]), rq.scale(e, c),
                        "acc " + e + " channel " + c + " (m " + mult[c] + ", s " + shift[c] + ")");
            }
            for (int i = 0; i < 200_000; i++) {
                // small accumulators (typical), and full-range ones
                int a = i % 2 == 0 ? r.nextInt(1 << 20) - (1 << 19) : r.nextInt();
                assertEquals(FixedPoint.multiplyByQuantizedMultiplier(a, mult[c], shift[c]), rq.scale(a, c),
                        "acc " + a + " channel " + c + " (m " + mult[c] + ", s " + shift[c] + ")");
            }
        }
    }

    @Test
    void aMinimumMultiplierKeepsTheSaturatingReference() {
        int[] mult = {Integer.MIN_VALUE, 1 << 30};
        int[] shift = {0, -3};
        Requantizer rq = new Requantizer(mult, shift);
        for (int a : new int[] {Integer.MIN_VALUE, -5, 0, 7, Integer.MAX_VALUE}) {
            for (int c = 0; c < 2; c++) {
                assertEquals(FixedPoint.multiplyByQuantizedMultiplier(a, mult[c], shift[c]), rq.scale(a, c));
            }
        }
    }
}
