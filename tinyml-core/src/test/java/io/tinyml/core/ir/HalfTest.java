package io.tinyml.core.ir;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfTest {

    @Test
    void knownValues() {
        assertEquals((short) 0x3c00, Half.fromFloat(1f));
        assertEquals((short) 0xc000, Half.fromFloat(-2f));
        assertEquals((short) 0x7bff, Half.fromFloat(65504f));
        assertEquals((short) 0x7c00, Half.fromFloat(65520f), "rounds up to infinity");
        assertEquals((short) 0x0001, Half.fromFloat(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, Half.fromFloat(0x1p-26f));
        assertEquals(0.33325195f, Half.toFloat(Half.fromFloat(1f / 3)));
        assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
    }

    @Test
    void everyHalfRoundTripsExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, Half.fromFloat(f), "half 0x" + Integer.toHexString(h));
            }
        }
    }

    @Test
    void tiesGoToEven() {
        // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to even (1.0)
        assertEquals((short) 0x3c00, Half.fromFloat(1f + 0x1p-11f));
        // 1 + 3*2^-11 lies halfway between 1+2^-10 (odd) and 1+2^-9 (even)
        assertEquals((short) 0x3c02, Half.fromFloat(1f + 3 * 0x1p-11f));
    }
}
