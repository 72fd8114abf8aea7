package io.tinyml.train.internal;

import io.tinyml.core.ir.Shape;

/**
 * Converts weights between the IR's layouts and PyTorch's. The IR stores convolution filters as
 * {@code OHWI} ({@code [Cout, KH, KW, Cin/groups]}) and depthwise filters as {@code 1HWO}; PyTorch
 * wants {@code OIHW} and {@code [C*M, 1, KH, KW]} (output channel {@code c*M+m} reads input channel
 * {@code c} in both). Fully-connected weights are {@code [out, in]} in both. Stateless.
 */
public final class WeightLayouts {
    private WeightLayouts() {
    }

    /**
     * Permutes an {@code OHWI} convolution filter into {@code OIHW}.
     *
     * @param ohwi the values
     * @param s the IR shape {@code [O, H, W, I]}
     * @return the values in {@code OIHW} order
     */
    public static float[] ohwiToOihw(float[] ohwi, Shape s) {
        int o = s.dim(0);
        int h = s.dim(1);
        int w = s.dim(2);
        int in = s.dim(3);
        float[] out = new float[ohwi.length];
        for (int a = 0; a < o; a++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < in; c++) {
                        out[((a * in + c) * h + y) * w + x] = ohwi[((a * h + y) * w + x) * in + c];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Permutes an {@code OIHW} filter back into {@code OHWI}.
     *
     * @param oihw the values
     * @param s the IR shape {@code [O, H, W, I]}
     * @return the values in {@code OHWI} order
     */
    public static float[] oihwToOhwi(float[] oihw, Shape s) {
        int o = s.dim(0);
        int h = s.dim(1);
        int w = s.dim(2);
        int in = s.dim(3);
        float[] out = new float[oihw.length];
        for (int a = 0; a < o; a++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < in; c++) {
                        out[((a * h + y) * w + x) * in + c] = oihw[((a * in + c) * h + y) * w + x];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Permutes a {@code 1HWO} depthwise filter into PyTorch's {@code [O, 1, H, W]}.
     *
     * @param hwo the values
     * @param s the IR shape {@code [1, H, W, O]}
     * @return the values in {@code O1HW} order
     */
    public static float[] hwoToOhw(float[] hwo, Shape s) {
        int hw = s.dim(1) * s.dim(2);
        int o = s.dim(3);
        float[] out = new float[hwo.length];
        for (int p = 0; p < hw; p++) {
            for (int c = 0; c < o; c++) {
                out[c * hw + p] = hwo[p * o + c];
            }
        }
        return out;
    }

    /**
     * Permutes PyTorch's {@code [O, 1, H, W]} depthwise filter back into {@code 1HWO}.
     *
     * @param ohw the values
     * @param s the IR shape {@code [1, H, W, O]}
     * @return the values in {@code 1HWO} order
     */
    public static float[] ohwToHwo(float[] ohw, Shape s) {
        int hw = s.dim(1) * s.dim(2);
        int o = s.dim(3);
        float[] out = new float[ohw.length];
        for (int p = 0; p < hw; p++) {
            for (int c = 0; c < o; c++) {
                out[p * o + c] = ohw[c * hw + p];
            }
        }
        return out;
    }
}
