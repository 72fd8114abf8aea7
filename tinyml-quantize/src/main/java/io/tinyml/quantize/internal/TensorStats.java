package io.tinyml.quantize.internal;

/**
 * Statistics of one float tensor over the calibration samples: extremes, moving-average extremes,
 * per-channel (last dimension) means and, on a second pass, a histogram of absolute values (exact zeros left out).
 * Not thread-safe.
 */
public final class TensorStats {
    /** Bins of the absolute-value histogram. */
    public static final int BINS = 2048;
    private static final double EMA_DECAY = 0.9;

    private final int channels;
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private double emaMin;
    private double emaMax;
    private boolean emaStarted;
    private final double[] channelSum;
    private long channelCount;
    private long[] histogram;
    private float histogramMax;

    /**
     * Creates empty statistics.
     *
     * @param channels the size of the tensor's last dimension
     */
    public TensorStats(int channels) {
        this.channels = Math.max(1, channels);
        this.channelSum = new double[this.channels];
    }

    /**
     * Records one sample's values (first pass).
     *
     * @param v the values, row-major
     */
    public void add(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            if (x < lo) {
                lo = x;
            }
            if (x > hi) {
                hi = x;
            }
            channelSum[i % channels] += x;
        }
        channelCount += v.length / channels;
        min = Math.min(min, lo);
        max = Math.max(max, hi);
        if (!emaStarted) {
            emaMin = lo;
            emaMax = hi;
            emaStarted = true;
        } else {
            emaMin = EMA_DECAY * emaMin + (1 - EMA_DECAY) * lo;
            emaMax = EMA_DECAY * emaMax + (1 - EMA_DECAY) * hi;
        }
    }

    /**
     * Records one sample's values into the absolute-value histogram (second pass, after all first-pass
     * samples).
     *
     * @param v the values
     */
    public void addToHistogram(float[] v) {
        if (histogram == null) {
            histogram = new long[BINS];
            histogramMax = Math.max(Math.abs(min), Math.abs(max));
        }
        if (histogramMax <= 0) {
            histogram[0] += v.length;
            return;
        }
        float w = histogramMax / BINS;
        for (float x : v) {
            if (x == 0) {
                continue; // exact zeros (ReLU) are exact at any threshold: they must not pull the choice
            }
            int b = (int) (Math.abs(x) / w);
            histogram[Math.min(BINS - 1, b)]++;
        }
    }

    /** @return the smallest value seen */
    public float min() {
        return min;
    }

    /** @return the largest value seen */
    public float max() {
        return max;
    }

    /** @return the moving average of per-sample minima */
    public float emaMin() {
        return (float) emaMin;
    }

    /** @return the moving average of per-sample maxima */
    public float emaMax() {
        return (float) emaMax;
    }

    /** @return whether any sample was recorded */
    public boolean isEmpty() {
        return !emaStarted;
    }

    /** @return whether the histogram pass ran */
    public boolean hasHistogram() {
        return histogram != null;
    }

    /** @return the histogram of absolute values over [0, histogramMax()] */
    public long[] histogram() {
        return histogram;
    }

    /** @return the upper edge of the histogram */
    public float histogramMax() {
        return histogramMax;
    }

    /**
     * Returns the mean of each channel (last dimension) over all samples and positions.
     *
     * @return one mean per channel
     */
    public double[] channelMeans() {
        double[] m = new double[channels];
        for (int c = 0; c < channels; c++) {
            m[c] = channelCount == 0 ? 0 : channelSum[c] / channelCount;
        }
        return m;
    }
}
