package io.tinyml.core.io.savedmodel.internal;

import io.tinyml.core.ir.Shape;

/**
 * What a TensorFlow tensor reference resolves to during import: an IR tensor, a constant known at
 * import time, or a variable handle. Not API.
 */
sealed interface TfValue {

    /**
     * A tensor of the IR graph being built.
     *
     * @param tensor its index in the builder
     */
    record Act(int tensor) implements TfValue {
    }

    /**
     * A constant: float values, or integer values (int32 and int64 both held as int).
     *
     * @param shape the shape
     * @param floats the values when float, else null
     * @param ints the values when integer, else null
     */
    record Const(Shape shape, float[] floats, int[] ints) implements TfValue {
        static Const ofFloats(Shape shape, float[] v) {
            return new Const(shape, v, null);
        }

        static Const ofInts(Shape shape, int[] v) {
            return new Const(shape, null, v);
        }

        boolean isFloat() {
            return floats != null;
        }

        /** @return the values as floats, converting integers */
        float[] asFloats() {
            if (floats != null) {
                return floats;
            }
            float[] f = new float[ints.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = ints[i];
            }
            return f;
        }

        /** @return the values as ints, truncating floats */
        int[] asInts() {
            if (ints != null) {
                return ints;
            }
            int[] v = new int[floats.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (int) floats[i];
            }
            return v;
        }
    }

    /**
     * A resource variable of the top-level graph.
     *
     * @param node the VarHandleOp node's name
     */
    record Resource(String node) implements TfValue {
    }
}
