package io.tinyml.core.pass;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;

import java.util.List;
import java.util.Objects;

/**
 * Fuses a Relu, Relu6, Clip(0, 6), Clip(0, +inf), Clip(-1, 1) or Tanh node into the operator that
 * produces its input, when that operator carries a fused activation slot that is still empty, its
 * output has no other reader and is not a graph output. Quantized tensors fuse only when the two
 * tensors have the same type and quantization parameters (otherwise the activation also
 * requantizes and is not a pure clamp); Tanh fuses only in float. Thread-safe (stateless).
 */
public final class FuseActivation implements Pass {
    private static final PassInfo INFO = new PassInfo("fuse-activation", 1, List.of());

    /** Creates the pass. */
    public FuseActivation() {
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
            Node act = g.node(n);
            Activation a = asActivation(act.op());
            if (a == null) {
                continue;
            }
            int x = act.input(0);
            int p = g.producer(x);
            if (p < 0 || edit.isRemoved(p) || g.consumers(x).size() != 1 || edit.isGraphOutput(x)) {
                continue;
            }
            Node prod = edit.node(p);
            if (!fusable(prod.op().kind()) || prod.op().activation() != Activation.NONE
                    || prod.outputs().size() != 1) {
                continue;
            }
            Tensor xt = g.tensor(x);
            Tensor yt = g.tensor(act.output(0));
            boolean isFloat = xt.type() == DataType.FLOAT32;
            boolean sameQuant = xt.type() == yt.type() && Objects.equals(xt.quant(), yt.quant());
            if (!(isFloat || (sameQuant && a != Activation.TANH))) {
                continue;
            }
            edit.replaceNode(p, new Node(prod.name(), prod.op().withActivation(a), prod.inputs(), act.outputs()));
            edit.removeNode(n);
        }
        return edit.changed() ? model.withGraph(edit.build(), PassPipeline.applied(INFO)) : model;
    }

    /** Whether the operator carries a fused activation this pass may fold a following one into. */
    private static boolean fusable(OpKind k) {
        return switch (k) {
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D,
                    CONCATENATION -> true;
            case MEAN, RESHAPE, PAD, SOFTMAX, RELU, RELU6, CLIP, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE,
                    DEQUANTIZE, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL -> false;
        };
    }

    private static Activation asActivation(Op op) {
        return switch (op.kind()) {
            case RELU -> Activation.RELU;
            case RELU6 -> Activation.RELU6;
            case TANH -> Activation.TANH;
            case CLIP -> {
                Op.Clip c = (Op.Clip) op;
                if (c.min() == 0f && c.max() == 6f) {
                    yield Activation.RELU6;
                } else if (c.min() == 0f && c.max() == Float.POSITIVE_INFINITY) {
                    yield Activation.RELU;
                } else if (c.min() == -1f && c.max() == 1f) {
                    yield Activation.RELU_N1_TO_1;
                }
                yield null;
            }
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN,
                    RESHAPE, CONCATENATION, PAD, SOFTMAX, LEAKY_RELU, LOGISTIC, HARD_SWISH, QUANTIZE, DEQUANTIZE,
                    TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL -> null;
        };
    }
}
