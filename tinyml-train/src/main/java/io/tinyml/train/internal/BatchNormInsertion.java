package io.tinyml.train.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts batch normalization back behind the convolutions of a model whose batch norm was folded at
 * export (as PyTorch's ONNX exporter does), so that fine-tuning trains it with the geometry it was
 * trained with. Each inserted batch norm is the identity on the data it was measured on: running mean
 * and variance are the per-channel statistics of the convolution's output over the given samples,
 * scale {@code sqrt(var + eps)} and offset {@code mean}. {@code FoldBatchNorm} folds it again after
 * training. Stateless.
 */
public final class BatchNormInsertion {
    private static final float EPSILON = 1e-5f;

    private BatchNormInsertion() {
    }

    /**
     * Inserts batch norm after every float convolution and depthwise convolution without a fused
     * activation whose output is not a graph output.
     *
     * @param m the model
     * @param data mapped samples (statistics are taken over at most {@code samples} of them)
     * @param samples the most samples to measure
     * @return the model with batch norm nodes, or {@code m} when no convolution qualifies
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     */
    public static Model apply(Model m, TrainingData data, int samples) throws UnsupportedOperatorException {
        Graph g = m.graph();
        List<Integer> targets = new ArrayList<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.node(i);
            OpKind k = n.op().kind();
            if ((k == OpKind.CONV_2D || k == OpKind.DEPTHWISE_CONV_2D) && n.op().activation() == Activation.NONE
                    && !g.outputs().contains(n.output(0)) && g.tensor(n.output(0)).type() == DataType.FLOAT32) {
                targets.add(i);
            }
        }
        if (targets.isEmpty()) {
            return m;
        }
        Map<Integer, double[][]> stats = measure(m, targets, data, samples);
        GraphBuilder b = GraphBuilder.from(g);
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.node(i);
            double[][] s = stats.get(i);
            if (s == null) {
                nodes.add(n);
                continue;
            }
            Tensor out = g.tensor(n.output(0));
            int c = out.shape().dim(out.shape().rank() - 1);
            float[] gamma = new float[c];
            float[] beta = new float[c];
            float[] mean = new float[c];
            float[] var = new float[c];
            for (int k = 0; k < c; k++) {
                mean[k] = (float) s[0][k];
                var[k] = (float) Math.max(s[1][k], 0);
                gamma[k] = (float) Math.sqrt(var[k] + EPSILON);
                beta[k] = mean[k];
            }
            String base = n.name() + "/bn";
            int pre = b.addTensor(Tensor.activation(out.name() + "/pre_bn", DataType.FLOAT32, out.shape()));
            int tg = b.addTensor(Tensor.ofFloats(base + "/gamma", Shape.of(c), gamma));
            int tb = b.addTensor(Tensor.ofFloats(base + "/beta", Shape.of(c), beta));
            int tm = b.addTensor(Tensor.ofFloats(base + "/mean", Shape.of(c), mean));
            int tv = b.addTensor(Tensor.ofFloats(base + "/var", Shape.of(c), var));
            nodes.add(new Node(n.name(), n.op(), n.inputs(), List.of(pre)));
            nodes.add(new Node(base, new Op.BatchNormalization(EPSILON), List.of(pre, tg, tb, tm, tv), n.outputs()));
        }
        b.nodes().clear();
        b.nodes().addAll(nodes);
        return m.withGraph(b.build(), new AppliedPass("insert-batchnorm",
                Map.of("nodes", Integer.toString(targets.size()), "samples", Integer.toString(Math.min(samples,
                        data.size())))));
    }

    /** Per target node: {mean[c], variance[c]} of its output over the samples. */
    private static Map<Integer, double[][]> measure(Model m, List<Integer> targets, TrainingData data, int samples)
            throws UnsupportedOperatorException {
        Map<Integer, double[][]> sums = new HashMap<>();
        long[] counts = new long[m.graph().nodes().size()];
        Observations.run(m, data, samples, e -> {
            if (!targets.contains(e.index())) {
                return;
            }
            float[] v = e.outputReal(0);
            Shape s = e.outputTensor(0).shape();
            int c = s.dim(s.rank() - 1);
            double[][] acc = sums.computeIfAbsent(e.index(), k -> new double[2][c]);
            for (int i = 0; i < v.length; i++) {
                acc[0][i % c] += v[i];
                acc[1][i % c] += (double) v[i] * v[i];
            }
            counts[e.index()] += v.length / c;
        });
        for (Map.Entry<Integer, double[][]> e : sums.entrySet()) {
            double[][] a = e.getValue();
            long cnt = counts[e.getKey()];
            for (int k = 0; k < a[0].length; k++) {
                a[0][k] /= cnt;
                a[1][k] = a[1][k] / cnt - a[0][k] * a[0][k];
            }
        }
        return sums;
    }
}
