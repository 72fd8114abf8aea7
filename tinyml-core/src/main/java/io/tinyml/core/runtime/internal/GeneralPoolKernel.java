package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.Quant;

/**
 * Float32 {@link Op.Pool}: max or average pooling over k spatial axes of a channels-last tensor,
 * with dilations, explicit pads and the optional Indices output (row- or column-major). Each
 * axis's window taps are listed once when the kernel is prepared; a window's taps are then the
 * product of its per-axis lists.
 * Sums are accumulated in double and rounded once.
 */
final class GeneralPoolKernel {
    private GeneralPoolKernel() {
    }

    static Kernel create(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.Pool p = (Op.Pool) node.op();
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        if (in.type() != DataType.FLOAT32) {
            throw Quant.unsupported(node, in.type() + " input (N-d pooling runs on FLOAT32)");
        }
        int k = p.filter().size();
        int[] id = in.shape().toArray();
        int[] od = out.shape().toArray();
        int batches = id[0];
        int c = id[k + 1];
        // taps[a][o] = input positions of window o on axis a; padded[a][o] = taps on the padded input
        int[][][] taps = new int[k][][];
        int[][] padded = new int[k][];
        for (int a = 0; a < k; a++) {
            int len = id[a + 1];
            int lo = -p.before().get(a);
            int hi = len + p.after().get(a);
            taps[a] = new int[od[a + 1]][];
            padded[a] = new int[od[a + 1]];
            for (int o = 0; o < od[a + 1]; o++) {
                int start = o * p.strides().get(a) - p.before().get(a);
                int n = 0;
                int[] t = new int[p.filter().get(a)];
                for (int j = 0; j < p.filter().get(a); j++) {
                    int pos = start + j * p.dilations().get(a);
                    if (pos >= lo && pos < hi) {
                        padded[a][o]++;
                    }
                    if (pos >= 0 && pos < len) {
                        t[n++] = pos;
                    }
                }
                taps[a][o] = java.util.Arrays.copyOf(t, n);
            }
        }
        float[] x = (float[]) arrays[node.input(0)];
        float[] y = (float[]) arrays[node.output(0)];
        long[] indices = node.outputs().size() > 1 ? (long[]) arrays[node.output(1)] : null;
        int outSpatial = y.length / Math.max(1, batches * c);
        int inSpatial = x.length / Math.max(1, batches * c);
        int[] inStride = new int[k];
        int s = 1;
        for (int a = k - 1; a >= 0; a--) {
            inStride[a] = s;
            s *= id[a + 1];
        }
        // spatial stride of each axis in the Indices output's numbering
        int[] idxStride = inStride.clone();
        if (p.columnMajorIndices()) {
            int m = 1;
            for (int a = 0; a < k; a++) {
                idxStride[a] = m;
                m *= id[a + 1];
            }
        }
        boolean max = p.max();
        boolean countPadding = p.countPadding();
        return () -> {
            int[] o = new int[k];
            int[] j = new int[k];
            for (int b = 0; b < batches; b++) {
                java.util.Arrays.fill(o, 0);
                for (int op = 0; op < outSpatial; op++) {
                    int count = 1;
                    int divisor = 1;
                    for (int a = 0; a < k; a++) {
                        count *= taps[a][o[a]].length;
                        divisor *= countPadding ? padded[a][o[a]] : taps[a][o[a]].length;
                    }
                    for (int ch = 0; ch < c; ch++) {
                        double sum = 0;
                        float best = Float.NEGATIVE_INFINITY;
                        int bestAt = -1;
                        java.util.Arrays.fill(j, 0);
                        for (int t = 0; t < count; t++) {
                            int at = 0;
                            int numbered = 0;
                            for (int a = 0; a < k; a++) {
                                at += taps[a][o[a]][j[a]] * inStride[a];
                                numbered += taps[a][o[a]][j[a]] * idxStride[a];
                            }
                            float v = x[(b * inSpatial + at) * c + ch];
                            if (max) {
                                if (v > best || bestAt < 0) {
                                    best = v;
                                    bestAt = numbered;
                                }
                            } else {
                                sum += v;
                            }
                            for (int a = k - 1; a >= 0; a--) {
                                if (++j[a] < taps[a][o[a]].length) {
                                    break;
                                }
                                j[a] = 0;
                            }
                        }
                        int yi = (b * outSpatial + op) * c + ch;
                        if (max) {
                            y[yi] = best;
                            if (indices != null) {
                                indices[yi] = bestAt < 0 ? -1 : ((long) b * c + ch) * inSpatial + bestAt;
                            }
                        } else {
                            y[yi] = (float) (sum / divisor);
                        }
                    }
                    for (int a = k - 1; a >= 0; a--) {
                        if (++o[a] < od[a + 1]) {
                            break;
                        }
                        o[a] = 0;
                    }
                }
            }
        };
    }
}
