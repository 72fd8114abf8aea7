package io.tinyml.prune.internal;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import java.util.List;
import java.util.Random;

/**
 * Training-free recovery after channel removal: each convolution or fully-connected layer whose
 * input lost channels gets new weights and bias that best reproduce, in the least-squares sense,
 * its pre-activation outputs in the original model, given its inputs in the pruned model. The
 * ridge-regularised normal equations are accumulated and solved (Cholesky) in double precision,
 * layer by layer in execution order so later layers see the already refitted earlier ones.
 */
public final class LeastSquaresRefit {
    private static final int ROW_BUDGET = 12_000;
    private static final double RIDGE = 1e-4;

    private LeastSquaresRefit() {
    }

    /**
     * Refits the consumers of pruned channels.
     *
     * @param original the model before pruning
     * @param pruned the pruned model (same tensor and node indices)
     * @param layers node indices to refit, in execution order, each with the original output rows it
     *     keeps (ascending)
     * @param calibration model inputs (real values), one array per sample
     * @param listener progress, one unit per refitted layer
     * @return the refitted graph
     * @throws io.tinyml.core.UnsupportedOperatorException if the interpreter cannot run the model
     */
    public static Graph refit(Model original, Graph pruned, java.util.LinkedHashMap<Integer, int[]> layers,
                              List<float[]> calibration, ProgressListener listener)
            throws io.tinyml.core.UnsupportedOperatorException {
        return run(original, pruned, layers, calibration, listener, false);
    }

    /**
     * Re-estimates the output statistics of the consumers of pruned channels, the batch-normalization
     * recovery of a model whose batch normalization is folded into its convolutions: each output
     * channel's pre-activation mean and standard deviation in the pruned model are measured on the
     * calibration data and the channel's weights and bias rescaled and shifted so that they equal the
     * original model's (what re-estimating a batch normalization's running mean and variance, then
     * folding it again, does). Layers in execution order, as {@link #refit}.
     *
     * @param original the model before pruning
     * @param pruned the pruned model (same tensor and node indices)
     * @param layers node indices, in execution order, each with the original output rows it keeps
     * @param calibration model inputs (real values), one array per sample
     * @param listener progress, one unit per layer
     * @return the corrected graph
     * @throws io.tinyml.core.UnsupportedOperatorException if the interpreter cannot run the model
     */
    public static Graph restoreStatistics(Model original, Graph pruned, java.util.LinkedHashMap<Integer, int[]> layers,
                                          List<float[]> calibration, ProgressListener listener)
            throws io.tinyml.core.UnsupportedOperatorException {
        return run(original, pruned, layers, calibration, listener, true);
    }

    private static Graph run(Model original, Graph pruned, java.util.LinkedHashMap<Integer, int[]> layers,
                             List<float[]> calibration, ProgressListener listener, boolean statistics)
            throws io.tinyml.core.UnsupportedOperatorException {
        Graph current = pruned;
        int done = 0;
        for (java.util.Map.Entry<Integer, int[]> e : layers.entrySet()) {
            current = refitOne(original, current, e.getKey(), e.getValue(), calibration, statistics);
            listener.progress(statistics ? "statistics re-estimation" : "least-squares refit", ++done, layers.size());
        }
        return current;
    }

    private static Graph refitOne(Model original, Graph cur, int node, int[] outIndex, List<float[]> calibration,
                                  boolean statistics)
            throws io.tinyml.core.UnsupportedOperatorException {
        Graph og = original.graph();
        Node on = og.node(node);
        Node pn = cur.node(node);
        int xIn = on.input(0);
        float[] ow = og.tensor(on.input(1)).floats();
        float[] ob = on.input(2) == Node.ABSENT ? null : og.tensor(on.input(2)).floats();
        int outKept = outIndex.length;
        Geometry geo = Geometry.of(og, on);
        Geometry pgeo = Geometry.of(cur, pn);
        int d = pgeo.patch() + 1;
        double[] ata = new double[d * d];
        double[] atb = new double[d * outKept];
        int perSample = Math.max(1, ROW_BUDGET / Math.max(1, calibration.size()));
        Random rnd = new Random(1234 + node);
        Capture oc = new Capture(og.producer(xIn), og.node(og.producer(xIn)).outputs().indexOf(xIn));
        Capture pc = new Capture(oc.node, oc.output);
        Interpreter oiw = Interpreter.create(original, oc);
        Interpreter piw = Interpreter.create(Model.of(cur, original.provenance()), pc);
        float[] xo = new float[geo.patch()];
        float[] xp = new float[d];
        double[] y = new double[outKept];
        float[] pw = cur.tensor(pn.input(1)).floats();
        float[] pb = pn.input(2) == Node.ABSENT ? new float[outKept] : cur.tensor(pn.input(2)).floats();
        double[] mom = new double[5 * outKept]; // count, sum and square sum original, then pruned
        for (float[] sample : calibration) {
            oiw.invokeFloat(sample);
            piw.invokeFloat(sample);
            int positions = geo.positions();
            int take = Math.min(perSample, positions);
            for (int r = 0; r < take; r++) {
                int pos = take == positions ? r : rnd.nextInt(positions);
                geo.patch(oc.values, pos, xo);
                pgeo.patch(pc.values, pos, xp);
                xp[d - 1] = 1;
                for (int o = 0; o < outKept; o++) {
                    int row = outIndex[o];
                    double s = ob == null ? 0 : ob[row];
                    int base = row * geo.patch();
                    for (int i = 0; i < xo.length; i++) {
                        s += (double) ow[base + i] * xo[i];
                    }
                    y[o] = s;
                }
                if (statistics) {
                    moments(mom, y, pw, pb, xp, d - 1);
                    continue;
                }
                for (int i = 0; i < d; i++) {
                    double xi = xp[i];
                    if (xi == 0) {
                        continue;
                    }
                    for (int j = 0; j <= i; j++) {
                        ata[i * d + j] += xi * xp[j];
                    }
                    for (int o = 0; o < outKept; o++) {
                        atb[i * outKept + o] += xi * y[o];
                    }
                }
            }
        }
        float[] nw = new float[outKept * (d - 1)];
        float[] nb = new float[outKept];
        if (statistics) {
            rescale(mom, pw, pb, nw, nb, d - 1);
        } else {
            double[] sol = solve(ata, atb, d, outKept);
            for (int o = 0; o < outKept; o++) {
                for (int i = 0; i < d - 1; i++) {
                    nw[o * (d - 1) + i] = (float) sol[i * outKept + o];
                }
                nb[o] = (float) sol[(d - 1) * outKept + o];
            }
        }
        GraphBuilder b = GraphBuilder.from(cur);
        Tensor w = cur.tensor(pn.input(1));
        b.setTensor(pn.input(1), Tensor.ofFloats(w.name(), w.shape(), nw));
        if (pn.input(2) != Node.ABSENT) {
            Tensor bias = cur.tensor(pn.input(2));
            b.setTensor(pn.input(2), Tensor.ofFloats(bias.name(), bias.shape(), nb));
            return b.build();
        }
        int bt = b.addTensor(Tensor.ofFloats(w.name() + "_refit_bias", Shape.of(outKept), nb));
        b.nodes().set(node, new Node(pn.name(), pn.op(), List.of(pn.input(0), pn.input(1), bt), pn.outputs()));
        return b.build();
    }

    /** Accumulates the pre-activation moments of one patch: original outputs y, pruned w . x + b. */
    private static void moments(double[] mom, double[] y, float[] w, float[] b, float[] x, int patch) {
        int m = y.length;
        for (int o = 0; o < m; o++) {
            double p = b[o];
            for (int i = 0; i < patch; i++) {
                p += (double) w[o * patch + i] * x[i];
            }
            mom[o] += 1;
            mom[m + o] += y[o];
            mom[2 * m + o] += y[o] * y[o];
            mom[3 * m + o] += p;
            mom[4 * m + o] += p * p;
        }
    }

    /** Weights and bias whose outputs have the original mean and standard deviation per channel. */
    private static void rescale(double[] mom, float[] w, float[] b, float[] nw, float[] nb, int patch) {
        int m = nb.length;
        for (int o = 0; o < m; o++) {
            double n = Math.max(1, mom[o]);
            double mo = mom[m + o] / n;
            double mp = mom[3 * m + o] / n;
            double so = Math.sqrt(Math.max(0, mom[2 * m + o] / n - mo * mo));
            double sp = Math.sqrt(Math.max(0, mom[4 * m + o] / n - mp * mp));
            double a = sp > 1e-12 && so > 1e-12 ? so / sp : 1;
            for (int i = 0; i < patch; i++) {
                nw[o * patch + i] = (float) (a * w[o * patch + i]);
            }
            nb[o] = (float) (a * (b[o] - mp) + mo);
        }
    }

    /** Solves (A + ridge) X = B for symmetric positive A stored in the lower triangle. */
    static double[] solve(double[] a, double[] b, int d, int m) {
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += a[i * d + i];
        }
        double lambda = RIDGE * Math.max(trace / d, 1e-12);
        double[] l = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * d + j] + (i == j ? lambda : 0);
                for (int k = 0; k < j; k++) {
                    s -= l[i * d + k] * l[j * d + k];
                }
                if (i == j) {
                    l[i * d + i] = Math.sqrt(Math.max(s, 1e-300));
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        double[] x = b.clone();
        for (int o = 0; o < m; o++) {
            for (int i = 0; i < d; i++) {
                double s = x[i * m + o];
                for (int k = 0; k < i; k++) {
                    s -= l[i * d + k] * x[k * m + o];
                }
                x[i * m + o] = s / l[i * d + i];
            }
            for (int i = d - 1; i >= 0; i--) {
                double s = x[i * m + o];
                for (int k = i + 1; k < d; k++) {
                    s -= l[k * d + i] * x[k * m + o];
                }
                x[i * m + o] = s / l[i * d + i];
            }
        }
        return x;
    }

    /** Copies one output of one node during a run. */
    private static final class Capture implements io.tinyml.core.runtime.NodeObserver {
        final int node;
        final int output;
        float[] values;

        Capture(int node, int output) {
            this.node = node;
            this.output = output;
        }

        @Override
        public void afterNode(io.tinyml.core.runtime.NodeEvent e) {
            if (e.index() == node) {
                values = e.outputReal(output);
            }
        }
    }

    /** Patch extraction of a conv (im2col row in weight order kh, kw, c) or a fully-connected input. */
    private record Geometry(boolean fc, int h, int w, int c, int kh, int kw, int sh, int sw, int dh, int dw,
                            int oh, int ow, int padTop, int padLeft) {
        static Geometry of(Graph g, Node n) {
            Shape ws = g.tensor(n.input(1)).shape();
            if (n.op().kind() == OpKind.FULLY_CONNECTED) {
                return new Geometry(true, 1, 1, ws.dim(1), 1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
            }
            Op.Conv2D op = (Op.Conv2D) n.op();
            Shape x = g.tensor(n.input(0)).shape();
            Shape y = g.tensor(n.output(0)).shape();
            Padding p = op.padding();
            int ptop = p.padBefore(x.dim(1), ws.dim(1), op.strideH(), op.dilationH(), y.dim(1));
            int pleft = p.padBefore(x.dim(2), ws.dim(2), op.strideW(), op.dilationW(), y.dim(2));
            return new Geometry(false, x.dim(1), x.dim(2), x.dim(3), ws.dim(1), ws.dim(2), op.strideH(),
                    op.strideW(), op.dilationH(), op.dilationW(), y.dim(1), y.dim(2), ptop, pleft);
        }

        int patch() {
            return kh * kw * c;
        }

        int positions() {
            return oh * ow;
        }

        void patch(float[] x, int pos, float[] dst) {
            if (fc) {
                System.arraycopy(x, 0, dst, 0, c);
                return;
            }
            int oy = pos / ow;
            int ox = pos % ow;
            int k = 0;
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * sh - padTop + ky * dh;
                for (int kx = 0; kx < kw; kx++) {
                    int ix = ox * sw - padLeft + kx * dw;
                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                    for (int ch = 0; ch < c; ch++) {
                        dst[k++] = inside ? x[(iy * w + ix) * c + ch] : 0f;
                    }
                }
            }
        }
    }
}
