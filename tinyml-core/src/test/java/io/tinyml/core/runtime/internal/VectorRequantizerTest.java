package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.FixedPoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link VectorRequantizer} against the reference {@link FixedPoint#multiplyByQuantizedMultiplier} and the
 * output stage, byte for byte: in its one-shift form (every multiplier above 2^30, no left shift) and its
 * general form (a multiplier of exactly 2^30, left shifts), over full-range and small sums, through all
 * three entry points (whole pixels, strided pixels, one pixel with a partial last group).
 */
class VectorRequantizerTest {
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void agreesWithTheReferenceOutputStage(boolean oneShift) {
        assumeTrue(VectorSupport.enabled(), "expected a JVM with jdk.incubator.vector and 256-bit vectors");
        Random r = new Random(oneShift ? 5 : 6);
        int channels = 24;
        int[] mult = new int[channels];
        int[] shift = new int[channels];
        int[] add = new int[channels];
        for (int c = 0; c < channels; c++) {
            mult[c] = c == 0 ? Integer.MAX_VALUE : c == 1 ? (1 << 30) + 1 : (1 << 30) + 1 + r.nextInt((1 << 30) - 1);
            shift[c] = c == 2 ? 0 : c == 3 ? -31 : -r.nextInt(16);
            add[c] = r.nextInt(4001) - 2000;
        }
        if (!oneShift) {
            mult[4] = 1 << 30;
            shift[5] = 3;
            shift[6] = 30;
        }
        int outOff = -5;
        int lo = -128;
        int hi = 100;
        int pixels = 500;
        int stride = 32;
        int[] acc = new int[pixels * stride];
        for (int i = 0; i < acc.length; i++) {
            acc[i] = switch (i % 4) {
                case 0 -> r.nextInt();
                case 1 -> r.nextInt(1 << 22) - (1 << 21);
                default -> r.nextInt(1 << 14) - (1 << 13);
            };
        }
        acc[0] = Integer.MIN_VALUE;
        acc[1] = Integer.MAX_VALUE;

        VectorRequantizer rq = new VectorRequantizer(add, mult, shift, outOff, lo, hi);
        byte[] strided = new byte[pixels * channels];
        rq.pixelsStrided(acc, stride, strided, pixels);
        for (int p = 0; p < pixels; p++) {
            for (int c = 0; c < channels; c++) {
                assertEquals(expected(acc[p * stride + c], add[c], mult[c], shift[c], outOff, lo, hi),
                        strided[p * channels + c], "strided, pixel " + p + " channel " + c);
            }
        }

        int[] dense = new int[pixels * channels];
        for (int p = 0; p < pixels; p++) {
            System.arraycopy(acc, p * stride, dense, p * channels, channels);
        }
        byte[] whole = new byte[pixels * channels];
        rq.pixels(dense, whole, pixels);
        assertEquals(java.util.Arrays.toString(strided), java.util.Arrays.toString(whole), "whole pixels");

        // 20 channels: two full groups and a partial one per pixel
        int n = 20;
        VectorRequantizer part = new VectorRequantizer(java.util.Arrays.copyOf(add, n), java.util.Arrays.copyOf(mult, n),
                java.util.Arrays.copyOf(shift, n), outOff, lo, hi);
        byte[] y = new byte[pixels * n];
        for (int p = 0; p < pixels; p++) {
            part.pixel(acc, p * stride, y, p * n);
            for (int c = 0; c < n; c++) {
                assertEquals(expected(acc[p * stride + c], add[c], mult[c], shift[c], outOff, lo, hi), y[p * n + c],
                        "one pixel, pixel " + p + " channel " + c);
            }
        }
    }

    private static byte expected(int acc, int add, int mult, int shift, int outOff, int lo, int hi) {
        int v = FixedPoint.multiplyByQuantizedMultiplier(acc + add, mult, shift) + outOff;
        return (byte) Math.max(lo, Math.min(hi, v));
    }
}
