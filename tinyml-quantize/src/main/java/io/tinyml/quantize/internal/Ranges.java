package io.tinyml.quantize.internal;

import io.tinyml.quantize.CalibrationMethod;

/**
 * Chooses a real range {@code [lo, hi]} for a tensor from its calibration statistics.
 *
 * <p>Histogram methods work on the histogram of absolute values and choose a clipping threshold
 * {@code T}; the range is then {@code [max(min, -T), min(max, T)]}, so a tensor that is never negative
 * (after a fused ReLU) keeps its lower bound at 0.
 * <ul>
 *   <li>percentile: {@code T} is the 99.99th percentile of {@code |x|};</li>
 *   <li>entropy: TensorRT's procedure on a 256-bin histogram with 128 target levels (so the threshold is
 *       at least half the largest magnitude seen): for each candidate
 *       threshold bin {@code i}, the reference
 *       distribution P (bins above {@code i} folded into bin {@code i-1}) is compared with Q, P merged
 *       into the target number of levels and expanded back over its non-empty bins; the {@code i}
 *       minimizing KL(P||Q) wins;</li>
 *   <li>mse: {@code T} minimizes the expected squared error, {@code Δ²/12} per value inside the
 *       range plus the squared clipping error of values beyond it, with {@code Δ = T / levels}.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class Ranges {
    private static final double PERCENTILE = 0.9999;
    /**
     * Bins of the histogram the KL search runs on (the 2048-bin histogram merged 8:1). With 2048 bins
     * the search clipped tiny_digits' early layers, whose histograms are spikes (a constant response
     * to the black background), to an eighth of their range: top-1 0.255 on validation data
     * (mnist10k[200:2200]) against 0.986 with 256 bins; ONNX Runtime's entropy calibrator is coarse too.
     */
    static final int ENTROPY_BINS = 256;
    /** Target levels of the KL search (TensorRT's 128). */
    static final int ENTROPY_LEVELS = 128;

    private Ranges() {
    }

    /**
     * Chooses a range.
     *
     * @param s the statistics (with a histogram for the histogram methods)
     * @param method the method
     * @param bits 8 or 16: the number of bits the tensor is quantized to
     * @return {@code {lo, hi}}
     */
    public static float[] choose(TensorStats s, CalibrationMethod method, int bits) {
        float lo = s.min();
        float hi = s.max();
        if (method == CalibrationMethod.MINMAX || !s.hasHistogram() && method != CalibrationMethod.EMA) {
            return new float[] {lo, hi};
        }
        if (method == CalibrationMethod.EMA) {
            return new float[] {Math.min(s.emaMin(), s.emaMax()), Math.max(s.emaMin(), s.emaMax())};
        }
        boolean oneSided = lo >= 0;
        // quantization levels available on the side the threshold bounds
        int levels = bits == 8 ? (oneSided ? 255 : 127) : (oneSided ? 65535 : 32767);
        double t = switch (method) {
            case PERCENTILE -> percentile(s);
            case ENTROPY -> entropy(s, ENTROPY_LEVELS);
            case MSE -> mse(s, levels);
            default -> s.histogramMax();
        };
        float tf = (float) t;
        return new float[] {Math.max(lo, -tf), Math.min(hi, tf)};
    }

    private static double binWidth(TensorStats s) {
        return (double) s.histogramMax() / TensorStats.BINS;
    }

    private static double percentile(TensorStats s) {
        long[] h = s.histogram();
        long total = 0;
        for (long c : h) {
            total += c;
        }
        double target = PERCENTILE * total;
        long acc = 0;
        for (int i = 0; i < h.length; i++) {
            acc += h[i];
            if (acc >= target) {
                return (i + 1) * binWidth(s);
            }
        }
        return s.histogramMax();
    }

    private static double entropy(TensorStats s, int levels) {
        long[] h0 = s.histogram();
        int r = TensorStats.BINS / ENTROPY_BINS;
        long[] h = new long[h0.length / r];
        for (int k = 0; k < h0.length; k++) {
            h[k / r] += h0[k];
        }
        int n = h.length;
        if (s.histogramMax() <= 0) {
            return 0;
        }
        double best = Double.POSITIVE_INFINITY;
        int bestI = n;
        double[] p = new double[n];
        double[] q = new double[n];
        for (int i = levels; i <= n; i++) {
            long outliers = 0;
            for (int k = i; k < n; k++) {
                outliers += h[k];
            }
            for (int k = 0; k < i; k++) {
                p[k] = h[k];
            }
            p[i - 1] += outliers;
            // merge h[0:i] into `levels` bins, then spread each merged count over its non-empty bins
            double perLevel = (double) i / levels;
            for (int j = 0; j < levels; j++) {
                int start = (int) Math.floor(j * perLevel);
                int end = j == levels - 1 ? i : (int) Math.floor((j + 1) * perLevel);
                double sum = 0;
                int nonEmpty = 0;
                for (int k = start; k < end; k++) {
                    sum += h[k];
                    if (h[k] != 0) {
                        nonEmpty++;
                    }
                }
                for (int k = start; k < end; k++) {
                    q[k] = h[k] == 0 || nonEmpty == 0 ? 0 : sum / nonEmpty;
                }
            }
            double kl = kl(p, q, i);
            if (kl < best) {
                best = kl;
                bestI = i;
            }
        }
        return (bestI + 0.5) * binWidth(s) * r;
    }

    private static double kl(double[] p, double[] q, int n) {
        double sp = 0;
        double sq = 0;
        for (int k = 0; k < n; k++) {
            sp += p[k];
            sq += q[k];
        }
        if (sp == 0 || sq == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double d = 0;
        for (int k = 0; k < n; k++) {
            if (p[k] > 0) {
                double pk = p[k] / sp;
                double qk = q[k] / sq;
                if (qk == 0) {
                    d += pk * 1e6; // P has mass where Q has none: heavily penalized, still comparable
                } else {
                    d += pk * Math.log(pk / qk);
                }
            }
        }
        return d;
    }

    private static double mse(TensorStats s, int levels) {
        long[] h = s.histogram();
        double w = binWidth(s);
        if (w <= 0) {
            return 0;
        }
        double best = Double.POSITIVE_INFINITY;
        double bestT = s.histogramMax();
        for (int i = Math.max(1, h.length / 64); i <= h.length; i++) {
            double t = i * w;
            double step = t / levels;
            double inRange = step * step / 12;
            double err = 0;
            for (int k = 0; k < h.length; k++) {
                if (h[k] == 0) {
                    continue;
                }
                double c = (k + 0.5) * w;
                err += c <= t ? h[k] * inRange : h[k] * ((c - t) * (c - t) + inRange);
            }
            if (err < best) {
                best = err;
                bestT = t;
            }
        }
        return bestT;
    }
}
