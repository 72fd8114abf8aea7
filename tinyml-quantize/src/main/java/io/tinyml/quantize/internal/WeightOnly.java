package io.tinyml.quantize.internal;

import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Weight-only quantization: the weights (and, for float16, biases) of convolutions and
 * fully-connected layers are stored as FLOAT16 or symmetric per-channel INT8 constants, each followed
 * by a DEQUANTIZE node that restores the float32 tensor under its original name; compute stays float.
 * This is how TFLite stores float16-quantized models. Stateless and thread-safe.
 */
public final class WeightOnly {
    private WeightOnly() {
    }

    /**
     * Rewrites a float model.
     *
     * @param model the float model
     * @param half true for FLOAT16 weights and biases, false for INT8 per-channel weights
     * @return the rewritten model
     */
    public static Model apply(Model model, boolean half) {
        Graph g = model.graph();
        GraphBuilder b = GraphBuilder.from(g);
        List<Node> dequantizers = new ArrayList<>();
        Map<Integer, Boolean> done = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!GraphQuantizer.hasWeights(n)) {
                continue;
            }
            for (int pos = 1; pos <= (half ? 2 : 1); pos++) {
                int i = n.input(pos);
                if (i == Node.ABSENT || !g.tensor(i).isConstant() || g.tensor(i).type() != DataType.FLOAT32
                        || done.containsKey(i)) {
                    continue;
                }
                done.put(i, true);
                Tensor w = g.tensor(i);
                Tensor stored = half ? QuantMath.toHalf(w, w.name() + "/fp16")
                        : QuantMath.symmetricWeights(w, n.op().kind() == OpKind.DEPTHWISE_CONV_2D ? 3 : 0)
                                .withName(w.name() + "/int8");
                int si = b.addTensor(stored);
                b.setTensor(i, w.withoutData());
                dequantizers.add(new Node(w.name(), new Op.Dequantize(), List.of(si), List.of(i)));
            }
        }
        List<Node> nodes = new ArrayList<>(dequantizers);
        nodes.addAll(b.nodes());
        GraphBuilder out = new GraphBuilder();
        for (int t = 0; t < b.tensorCount(); t++) {
            out.addTensor(b.tensor(t));
        }
        for (int in : b.inputs()) {
            out.addInputIndex(in);
        }
        for (Node n : nodes) {
            // named after the first output, as TFLite names nodes, so a written model reads back equal
            String name = n.outputs().isEmpty() ? n.name() : out.tensor(n.output(0)).name();
            out.addNode(name, n.op(), n.inputs(), n.outputs());
        }
        for (int o : b.outputs()) {
            out.addOutput(o);
        }
        return model.withGraph(out.build(), new AppliedPass(half ? "quantize-fp16" : "quantize-dynamic-range",
                Map.of()));
    }
}
