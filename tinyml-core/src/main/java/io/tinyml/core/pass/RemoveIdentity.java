package io.tinyml.core.pass;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Removes nodes that compute nothing: a Reshape to the same shape (which is how readers express
 * Identity and inference-time Dropout), an identity Transpose, a Pad of zeros, a Concatenation of
 * one input, a Clip without bounds, a Quantize to the same type and parameters. Readers of the
 * removed node's output read its input instead; when that output is a graph output, the producer
 * of the input writes it directly (if it has no other reader). Thread-safe (stateless).
 */
public final class RemoveIdentity implements Pass {
    private static final PassInfo INFO = new PassInfo("remove-identity", 0, List.of());

    /** Creates the pass. */
    public RemoveIdentity() {
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
            Node node = edit.node(n);
            if (!isIdentity(g, node)) {
                continue;
            }
            int x = node.input(0);
            int y = node.output(0);
            if (!edit.isGraphOutput(y)) {
                edit.replaceUses(y, x);
                edit.removeNode(n);
                continue;
            }
            int p = g.producer(x);
            if (p >= 0 && !edit.isRemoved(p) && g.consumers(x).size() == 1 && !edit.isGraphOutput(x)) {
                Node prod = edit.node(p);
                List<Integer> outs = new ArrayList<>(prod.outputs());
                outs.replaceAll(i -> i == x ? y : i);
                edit.replaceNode(p, new Node(prod.name(), prod.op(), prod.inputs(), outs));
                edit.removeNode(n);
            }
        }
        return edit.changed() ? model.withGraph(edit.build(), PassPipeline.applied(INFO)) : model;
    }

    private static boolean isIdentity(Graph g, Node node) {
        if (node.inputs().isEmpty() || node.input(0) == Node.ABSENT) {
            return false;
        }
        Tensor x = g.tensor(node.input(0));
        Tensor y = g.tensor(node.output(0));
        if (x.type() != y.type() || !x.shape().equals(y.shape()) || !Objects.equals(x.quant(), y.quant())) {
            return false;
        }
        Op op = node.op();
        return switch (op.kind()) {
            case RESHAPE, QUANTIZE -> true;
            case TRANSPOSE -> {
                List<Integer> perm = ((Op.Transpose) op).perm();
                boolean id = true;
                for (int i = 0; i < perm.size(); i++) {
                    id &= perm.get(i) == i;
                }
                yield id;
            }
            case PAD -> true; // same shape in and out means every padding is zero
            case CONCATENATION -> node.inputs().size() == 1 && op.activation() == Activation.NONE;
            case CLIP -> {
                Op.Clip c = (Op.Clip) op;
                yield c.min() == Float.NEGATIVE_INFINITY && c.max() == Float.POSITIVE_INFINITY;
            }
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN,
                    SOFTMAX, RELU, RELU6, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, DEQUANTIZE, BATCH_NORMALIZATION,
                    LOG_SOFTMAX, POOL -> false;
        };
    }
}
