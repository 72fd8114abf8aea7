package io.tinyml.quantize.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.quantize.CalibrationMethod;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Range choices on seeded synthetic activations: a Gaussian bulk with rare large outliers. */
class RangesTest {
    private static TensorStats gaussianWithOutliers() {
        Random r = new Random(1);
        TensorStats s = new TensorStats(1);
        float[][] samples = new float[100][1000];
        for (int k = 0; k < samples.length; k++) {
            float[] v = samples[k];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            if (k % 20 == 0) {
                v[0] = (k % 40 == 0 ? 40f : -35f); // 5 outliers in 1e5 values: below the 99.99th percentile
            }
        }
        for (float[] v : samples) {
            s.add(v);
        }
        for (float[] v : samples) {
            s.addToHistogram(v);
        }
        return s;
    }

    @Test
    void histogramMethodsClipOutliersAndMinMaxDoesNot() {
        TensorStats s = gaussianWithOutliers();
        float[] mm = Ranges.choose(s, CalibrationMethod.MINMAX, 8);
        assertEquals(s.min(), mm[0]);
        assertEquals(s.max(), mm[1]);
        assertTrue(s.max() > 30);
        // entropy searches thresholds from half the largest magnitude up (128 levels of a 256-bin histogram)
        float[] kl = Ranges.choose(s, CalibrationMethod.ENTROPY, 8);
        float maxAbs = Math.max(-s.min(), s.max());
        assertTrue(kl[1] >= maxAbs / 2 - 0.2f && kl[1] < s.max(), "entropy " + kl[1]);
        // mse keeps these 5 outliers: clipping them at 8 would cost ~5e3 squared units, their rounding ~8e2
        float[] mse = Ranges.choose(s, CalibrationMethod.MSE, 8);
        assertTrue(mse[1] > 30 && mse[1] <= s.max(), "mse " + mse[1]);
        for (CalibrationMethod m : new CalibrationMethod[] {CalibrationMethod.PERCENTILE}) {
            float[] r = Ranges.choose(s, m, 8);
            // the bulk (|x| < 4.5 for 1e5 Gaussian draws) is kept, the outliers (up to 40) are clipped
            assertTrue(r[1] > 2.5 && r[1] < 20, m + " " + r[1]);
            assertTrue(r[0] < -2.5 && r[0] > -20, m + " " + r[0]);
        }
        // EMA of per-sample extremes lies inside the global extremes
        float[] ema = Ranges.choose(s, CalibrationMethod.EMA, 8);
        assertTrue(ema[0] >= s.min() && ema[1] <= s.max());
    }

    @Test
    void oneSidedTensorsKeepZeroAsLowerBound() {
        TensorStats s = new TensorStats(1);
        float[] v = new float[1000];
        Random r = new Random(2);
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 2 == 0 ? 0f : (float) Math.abs(r.nextGaussian());
        }
        s.add(v);
        s.addToHistogram(v);
        for (CalibrationMethod m : CalibrationMethod.values()) {
            assertEquals(0f, Ranges.choose(s, m, 8)[0], m.name());
        }
    }

    @Test
    void activationParametersFollowTheSpecification() {
        QuantParams relu = QuantMath.activation(0f, 6f, DataType.INT8);
        assertEquals(6f / 255, relu.scale(), 1e-9f);
        assertEquals(-128, relu.zeroPoint());
        QuantParams sym = QuantMath.activation(-1f, 1f, DataType.INT8);
        assertEquals(0, sym.zeroPoint(), 1); // -0.5 rounds away from zero to -1 or 0 within one step
        QuantParams positive = QuantMath.activation(2f, 3f, DataType.INT8); // widened to hold 0
        assertEquals(3f / 255, positive.scale(), 1e-9f);
        QuantParams i16 = QuantMath.activation(-3f, 2f, DataType.INT16);
        assertEquals(3f / 32767, i16.scale(), 1e-9f);
        assertEquals(0, i16.zeroPoint());
        assertEquals(-2, QuantMath.round(-1.5));
        assertEquals(3, QuantMath.round(2.5));
    }
}
