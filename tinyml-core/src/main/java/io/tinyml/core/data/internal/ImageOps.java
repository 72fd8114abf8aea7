package io.tinyml.core.data.internal;

/**
 * Pixel operations on HWC float images: bilinear resizing and grey/RGB conversion. Stateless and
 * thread-safe.
 */
public final class ImageOps {
    private ImageOps() {
    }

    /**
     * Resizes an HWC image bilinearly with half-pixel centres, as TensorFlow's
     * {@code tf.image.resize(method="bilinear")} and TFLite's {@code RESIZE_BILINEAR} with
     * {@code half_pixel_centers=true}: output pixel {@code (y, x)} samples the input at
     * {@code ((y + 0.5) * inH / outH - 0.5, (x + 0.5) * inW / outW - 0.5)}, clamped to the edges.
     *
     * @param in the input, {@code inH * inW * c} values
     * @param inH the input height
     * @param inW the input width
     * @param c the channel count
     * @param outH the output height
     * @param outW the output width
     * @return the output, {@code outH * outW * c} values
     */
    public static float[] resizeBilinear(float[] in, int inH, int inW, int c, int outH, int outW) {
        if (inH == outH && inW == outW) {
            return in.clone();
        }
        float[] out = new float[outH * outW * c];
        double sy = (double) inH / outH;
        double sx = (double) inW / outW;
        for (int y = 0; y < outH; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) Math.floor(fy), inH - 1);
            int y1 = Math.min(y0 + 1, inH - 1);
            double dy = Math.min(fy - y0, 1);
            for (int x = 0; x < outW; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) Math.floor(fx), inW - 1);
                int x1 = Math.min(x0 + 1, inW - 1);
                double dx = Math.min(fx - x0, 1);
                for (int k = 0; k < c; k++) {
                    double top = in[(y0 * inW + x0) * c + k] * (1 - dx) + in[(y0 * inW + x1) * c + k] * dx;
                    double bottom = in[(y1 * inW + x0) * c + k] * (1 - dx) + in[(y1 * inW + x1) * c + k] * dx;
                    out[(y * outW + x) * c + k] = (float) (top * (1 - dy) + bottom * dy);
                }
            }
        }
        return out;
    }

    /**
     * Converts between 1 (grey) and 3 (RGB) channels: RGB to grey by luma
     * {@code 0.299 R + 0.587 G + 0.114 B}; grey to RGB by replication.
     *
     * @param in the HWC input
     * @param pixels {@code height * width}
     * @param from the input channel count, 1 or 3
     * @param to the output channel count, 1 or 3
     * @return the converted values (a copy when the counts are equal)
     * @throws IllegalArgumentException if a channel count is not 1 or 3
     */
    public static float[] convertChannels(float[] in, int pixels, int from, int to) {
        if ((from != 1 && from != 3) || (to != 1 && to != 3)) {
            throw new IllegalArgumentException("expected 1 or 3 channels, found " + from + " to " + to);
        }
        if (from == to) {
            return in.clone();
        }
        float[] out = new float[pixels * to];
        if (from == 3) {
            for (int p = 0; p < pixels; p++) {
                out[p] = (float) (0.299 * in[3 * p] + 0.587 * in[3 * p + 1] + 0.114 * in[3 * p + 2]);
            }
        } else {
            for (int p = 0; p < pixels; p++) {
                out[3 * p] = in[p];
                out[3 * p + 1] = in[p];
                out[3 * p + 2] = in[p];
            }
        }
        return out;
    }
}
