package io.tinyml.prune;

import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weight sparsity by zeroing: unstructured magnitude pruning (per layer or one global threshold) or
 * N:M (at most N non-zeros in every M consecutive weights along the input-channel axis, the
 * layout sparse tensor cores and sparse kernels use). Applies to the float weights of convolutions,
 * depthwise convolutions and fully-connected layers. Immutable and thread-safe.
 *
 * <pre>{@code
 * SparsityResult r = Pruner.of(model).unstructured(0.8).apply();
 * SparsityResult s = Pruner.of(model).nOfM(2, 4).apply();
 * }</pre>
 */
public final class SparsityPruning {
    private final Model model;
    private final double sparsity;
    private final boolean global;
    private final int n;
    private final int m;

    private SparsityPruning(Model model, double sparsity, boolean global, int n, int m) {
        this.model = model;
        this.sparsity = sparsity;
        this.global = global;
        this.n = n;
        this.m = m;
    }

    static SparsityPruning unstructured(Model model, double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("expected a sparsity in [0, 1), found " + sparsity);
        }
        return new SparsityPruning(model, sparsity, false, 0, 0);
    }

    static SparsityPruning nOfM(Model model, int n, int m) {
        if (m < 2 || n < 1 || n >= m) {
            throw new IllegalArgumentException("expected N:M with 1 <= N < M and M >= 2, found " + n + ":" + m);
        }
        return new SparsityPruning(model, 0, false, n, m);
    }

    /**
     * Uses one magnitude threshold over all weighted layers instead of the same sparsity in each
     * (unstructured only).
     *
     * @param g whether the threshold is global
     * @return the new configuration
     */
    public SparsityPruning global(boolean g) {
        return new SparsityPruning(model, sparsity, g, n, m);
    }

    /**
     * Zeroes the weights.
     *
     * @return the sparse model and its per-layer sparsity
     * @throws IllegalArgumentException if the model has no float weighted layer
     */
    public SparsityResult apply() {
        Graph g = model.graph();
        List<Node> layers = new ArrayList<>();
        for (Node node : g.nodes()) {
            OpKind k = node.op().kind();
            if ((k == OpKind.CONV_2D || k == OpKind.DEPTHWISE_CONV_2D || k == OpKind.FULLY_CONNECTED)
                    && g.tensor(node.input(1)).isConstant() && g.tensor(node.input(1)).type() == DataType.FLOAT32) {
                layers.add(node);
            }
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("expected a model with a float convolution or fully-connected layer,"
                    + " found none");
        }
        double globalThreshold = global && n == 0 ? threshold(layers.stream()
                .map(x -> g.tensor(x.input(1)).floats()).toList()) : Double.NaN;
        GraphBuilder b = GraphBuilder.from(g);
        Map<String, Double> per = new LinkedHashMap<>();
        long zeros = 0;
        long total = 0;
        for (Node node : layers) {
            Tensor w = g.tensor(node.input(1));
            float[] v = w.floats();
            if (n > 0) {
                nOfM(v, w.shape().dim(w.shape().rank() - 1));
            } else {
                double t = global ? globalThreshold : threshold(List.of(v));
                zeroBelow(v, t, global ? -1 : Math.round(sparsity * v.length));
            }
            long z = 0;
            for (float x : v) {
                z += x == 0f ? 1 : 0;
            }
            per.put(node.name(), (double) z / v.length);
            zeros += z;
            total += v.length;
            b.setTensor(node.input(1), Tensor.ofFloats(w.name(), w.shape(), v));
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put(n > 0 ? "n:m" : "sparsity", n > 0 ? n + ":" + m : Double.toString(sparsity));
        params.put("global", Boolean.toString(global));
        Model out = model.withGraph(b.build(), new AppliedPass(n > 0 ? "prune-n-m" : "prune-unstructured", params));
        return new SparsityResult(out, per, (double) zeros / total);
    }

    /** The magnitude below which the requested fraction of the given weights lies. */
    private double threshold(List<float[]> all) {
        int count = all.stream().mapToInt(a -> a.length).sum();
        double[] mags = new double[count];
        int i = 0;
        for (float[] a : all) {
            for (float x : a) {
                mags[i++] = Math.abs(x);
            }
        }
        Arrays.sort(mags);
        int k = (int) Math.round(sparsity * count);
        return k == 0 ? -1 : mags[k - 1];
    }

    /** Zeroes values with magnitude at most t; with a count, stops at exactly that many (ties in order). */
    private static void zeroBelow(float[] v, double t, long count) {
        long left = count < 0 ? Long.MAX_VALUE : count;
        for (int i = 0; i < v.length && left > 0; i++) {
            if (Math.abs(v[i]) < t) {
                v[i] = 0f;
                left--;
            }
        }
        for (int i = 0; i < v.length && left > 0; i++) {
            if (v[i] != 0f && Math.abs(v[i]) == t) {
                v[i] = 0f;
                left--;
            }
        }
    }

    /** In each run of M consecutive weights along the last axis, keeps the N largest magnitudes. */
    private void nOfM(float[] v, int inner) {
        Integer[] idx = new Integer[m];
        for (int row = 0; row < v.length / inner; row++) {
            for (int start = 0; start < inner; start += m) {
                int len = Math.min(m, inner - start);
                int base = row * inner + start;
                for (int j = 0; j < len; j++) {
                    idx[j] = base + j;
                }
                Integer[] group = Arrays.copyOf(idx, len);
                Arrays.sort(group, (a, c) -> Float.compare(Math.abs(v[c]), Math.abs(v[a])));
                for (int j = n; j < len; j++) {
                    v[group[j]] = 0f;
                }
            }
        }
    }
}
