package io.tinyml.core.pass;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.List;

/**
 * Folds an inference BatchNormalization into the float convolution, depthwise convolution or
 * fully-connected layer that produces its input: with {@code s = gamma / sqrt(var + eps)}, weights
 * of output channel {@code c} become {@code w * s[c]} and the bias {@code (b - mean) * s + beta}.
 * Applies only when the producer has no fused activation, its output has no other reader and is
 * not a graph output, and all parameters are float32 constants. Thread-safe (stateless).
 */
public final class FoldBatchNorm implements Pass {
    private static final PassInfo INFO = new PassInfo("fold-batchnorm", 1, List.of());

    /** Creates the pass. */
    public FoldBatchNorm() {
    }

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Graph g = model.graph();
        GraphEdit edit = new GraphEdit(g);
        for (int n = 0; n < g.nodes().size(); n++) {
            Node bn = g.node(n);
            if (bn.op().kind() != OpKind.BATCH_NORMALIZATION) {
                continue;
            }
            int x = bn.input(0);
            int p = g.producer(x);
            if (p < 0 || edit.isRemoved(p) || g.consumers(x).size() != 1 || edit.isGraphOutput(x)) {
                continue;
            }
            Node prod = edit.node(p);
            OpKind k = prod.op().kind();
            if ((k != OpKind.CONV_2D && k != OpKind.DEPTHWISE_CONV_2D && k != OpKind.FULLY_CONNECTED)
                    || prod.op().activation() != Activation.NONE || !allFloatConstants(g, bn.inputs().subList(1, 5))
                    || !allFloatConstants(g, List.of(prod.input(1)))
                    || (prod.input(2) != Node.ABSENT && !allFloatConstants(g, List.of(prod.input(2))))) {
                continue;
            }
            float eps = ((io.tinyml.core.ir.Op.BatchNormalization) bn.op()).epsilon();
            float[] gamma = g.tensor(bn.input(1)).floats();
            float[] beta = g.tensor(bn.input(2)).floats();
            float[] mean = g.tensor(bn.input(3)).floats();
            float[] var = g.tensor(bn.input(4)).floats();
            Tensor w = g.tensor(prod.input(1));
            int channels = gamma.length;
            double[] s = new double[channels];
            for (int c = 0; c < channels; c++) {
                s[c] = gamma[c] / Math.sqrt((double) var[c] + eps);
            }
            float[] wv = w.floats();
            // channel axis: 0 for OHWI conv and [out,in] FC, last for 1HWO depthwise
            boolean channelLast = k == OpKind.DEPTHWISE_CONV_2D;
            int inner = wv.length / channels;
            for (int i = 0; i < wv.length; i++) {
                int c = channelLast ? i % channels : i / inner;
                wv[i] = (float) (wv[i] * s[c]);
            }
            float[] bias = prod.input(2) == Node.ABSENT ? new float[channels] : g.tensor(prod.input(2)).floats();
            float[] nb = new float[channels];
            for (int c = 0; c < channels; c++) {
                nb[c] = (float) ((bias[c] - mean[c]) * s[c] + beta[c]);
            }
            int newW = edit.addTensor(Tensor.ofFloats(w.name() + "_bnfold", w.shape(), wv));
            int newB = edit.addTensor(Tensor.ofFloats(g.tensor(x).name() + "_bias_bnfold", Shape.of(channels), nb));
            edit.replaceNode(p, new Node(prod.name(), prod.op(), List.of(prod.input(0), newW, newB), bn.outputs()));
            edit.removeNode(n);
        }
        return edit.changed() ? model.withGraph(edit.build(), PassPipeline.applied(INFO)) : model;
    }

    private static boolean allFloatConstants(Graph g, List<Integer> tensors) {
        for (int t : tensors) {
            if (t == Node.ABSENT || !g.tensor(t).isConstant() || g.tensor(t).type() != DataType.FLOAT32) {
                return false;
            }
        }
        return true;
    }
}
