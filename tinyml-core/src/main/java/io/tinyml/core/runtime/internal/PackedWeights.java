package io.tinyml.core.runtime.internal;

/**
 * Re-lays out convolution and fully-connected weights once, at preparation, so that the kernels'
 * innermost loop runs over output channels with unit stride (an {@code axpy} the JIT vectorises):
 * a filter {@code [OC, KH, KW, IC/groups]} (OHWI) becomes, per group, a matrix {@code [K, perGroup]}
 * with {@code K = KH·KW·IC/groups} in the kernels' accumulation order (filter-y, filter-x, input
 * channel), and a fully-connected {@code [out, in]} matrix becomes {@code [in, out]}.
 */
final class PackedWeights {
    private PackedWeights() {
    }

    /**
     * Packs OHWI float weights as {@code [group][k][j]} for output channel {@code group·perGroup + j}.
     */
    static float[] convFloat(float[] w, int outC, int k, int perGroup) {
        return convFloat(w, outC, k, perGroup, new float[outC * k]);
    }

    /** Packs as {@link #convFloat(float[], int, int, int)} into an existing array (for weights computed at run time). */
    static float[] convFloat(float[] w, int outC, int k, int perGroup, float[] p) {
        for (int oc = 0; oc < outC; oc++) {
            int base = (oc / perGroup) * k * perGroup + oc % perGroup;
            for (int i = 0; i < k; i++) {
                p[base + i * perGroup] = w[oc * k + i];
            }
        }
        return p;
    }

    /** Packs OHWI int8 weights as ints with an offset added, in the layout of {@link #convFloat}. */
    static int[] convInt(byte[] w, int outC, int k, int perGroup, int offset) {
        return convInt(w, outC, k, perGroup, offset, new int[outC * k]);
    }

    /** Packs as {@link #convInt(byte[], int, int, int, int)} into an existing array. */
    static int[] convInt(byte[] w, int outC, int k, int perGroup, int offset, int[] p) {
        for (int oc = 0; oc < outC; oc++) {
            int base = (oc / perGroup) * k * perGroup + oc % perGroup;
            for (int i = 0; i < k; i++) {
                p[base + i * perGroup] = w[oc * k + i] + offset;
            }
        }
        return p;
    }

    /** Widens int8 weights to doubles (exact), keeping their layout. */
    static double[] widenToDouble(byte[] w) {
        double[] p = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            p[i] = w[i];
        }
        return p;
    }

    /** Widens int8 weights to ints with an offset added, keeping their layout. */
    static int[] widen(byte[] w, int offset) {
        int[] p = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            p[i] = w[i] + offset;
        }
        return p;
    }
}
