package io.tinyml.core.runner;

import io.tinyml.core.ir.Shape;

import java.util.Arrays;

/**
 * Converts 4-D data between NHWC and NCHW and decides how two runners' shapes correspond; used by the
 * runners and by {@code eval.Verify}. Stateless and thread-safe.
 */
public final class ModelRunnerLayouts {
    private ModelRunnerLayouts() {
    }

    /** How values laid out in one shape map onto another. */
    public enum Mapping {
        /** Same order of elements (equal shapes, or equal up to dimensions of size 1). */
        SAME,
        /** The source is NHWC, the target NCHW. */
        NHWC_TO_NCHW,
        /** The source is NCHW, the target NHWC. */
        NCHW_TO_NHWC
    }

    /**
     * Returns the NCHW shape of an NHWC shape.
     *
     * @param nhwc a 4-D shape
     * @return {@code [N,C,H,W]}
     */
    public static Shape toNchw(Shape nhwc) {
        return Shape.of(nhwc.dim(0), nhwc.dim(3), nhwc.dim(1), nhwc.dim(2));
    }

    /**
     * Returns the NHWC shape of an NCHW shape.
     *
     * @param nchw a 4-D shape
     * @return {@code [N,H,W,C]}
     */
    public static Shape toNhwc(Shape nchw) {
        return Shape.of(nchw.dim(0), nchw.dim(2), nchw.dim(3), nchw.dim(1));
    }

    /**
     * Transposes NHWC data to NCHW.
     *
     * @param v the values
     * @param nhwc their shape
     * @return a new array in NCHW order
     */
    public static float[] nhwcToNchw(float[] v, Shape nhwc) {
        int n = nhwc.dim(0);
        int h = nhwc.dim(1);
        int w = nhwc.dim(2);
        int c = nhwc.dim(3);
        float[] out = new float[v.length];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        out[((b * c + k) * h + y) * w + x] = v[((b * h + y) * w + x) * c + k];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Transposes NCHW data to NHWC.
     *
     * @param v the values
     * @param nchw their shape
     * @return a new array in NHWC order
     */
    public static float[] nchwToNhwc(float[] v, Shape nchw) {
        int n = nchw.dim(0);
        int c = nchw.dim(1);
        int h = nchw.dim(2);
        int w = nchw.dim(3);
        float[] out = new float[v.length];
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        out[((b * h + y) * w + x) * c + k] = v[((b * c + k) * h + y) * w + x];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Decides how data of one spec maps onto another: equal shapes (or equal up to unit dimensions) map
     * unchanged unless the declared layouts say NHWC against NCHW; 4-D shapes that are each other's
     * NHWC/NCHW transposition are transposed.
     *
     * @param from the source spec
     * @param to the target spec
     * @param what what is mapped, for the message (e.g. "input 0")
     * @return the mapping
     * @throws IllegalArgumentException if the shapes cannot be matched
     */
    public static Mapping mapping(ModelRunner.TensorSpec from, ModelRunner.TensorSpec to, String what) {
        Shape a = from.shape();
        Shape b = to.shape();
        boolean four = a.rank() == 4 && b.rank() == 4;
        if (four && from.layout() == ModelRunner.Layout.NHWC && to.layout() == ModelRunner.Layout.NCHW
                && toNchw(a).equals(b)) {
            return Mapping.NHWC_TO_NCHW;
        }
        if (four && from.layout() == ModelRunner.Layout.NCHW && to.layout() == ModelRunner.Layout.NHWC
                && toNhwc(a).equals(b)) {
            return Mapping.NCHW_TO_NHWC;
        }
        if (a.equals(b) || (a.elementCount() == b.elementCount() && Arrays.equals(nonUnit(a), nonUnit(b)))) {
            return Mapping.SAME;
        }
        if (four && toNchw(a).equals(b)) {
            return Mapping.NHWC_TO_NCHW;
        }
        if (four && toNhwc(a).equals(b)) {
            return Mapping.NCHW_TO_NHWC;
        }
        throw new IllegalArgumentException("expected " + what + " shapes equal up to NCHW/NHWC layout, found "
                + a + " (" + from.name() + ") and " + b + " (" + to.name() + ")");
    }

    /**
     * Applies a mapping to data in the source shape.
     *
     * @param m the mapping
     * @param v the values
     * @param fromShape their shape
     * @return the values in the target's order (the same array for {@link Mapping#SAME})
     */
    public static float[] apply(Mapping m, float[] v, Shape fromShape) {
        return switch (m) {
            case SAME -> v;
            case NHWC_TO_NCHW -> nhwcToNchw(v, fromShape);
            case NCHW_TO_NHWC -> nchwToNhwc(v, fromShape);
        };
    }

    /**
     * Returns the mapping that undoes another.
     *
     * @param m the mapping
     * @return its inverse
     */
    public static Mapping inverse(Mapping m) {
        return switch (m) {
            case SAME -> Mapping.SAME;
            case NHWC_TO_NCHW -> Mapping.NCHW_TO_NHWC;
            case NCHW_TO_NHWC -> Mapping.NHWC_TO_NCHW;
        };
    }

    private static int[] nonUnit(Shape s) {
        return Arrays.stream(s.toArray()).filter(d -> d != 1).toArray();
    }
}
