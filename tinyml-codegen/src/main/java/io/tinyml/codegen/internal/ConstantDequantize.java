package io.tinyml.codegen.internal;

import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.Quant;

import java.util.Map;

/**
 * Folds every DEQUANTIZE of a constant (the FLOAT16 or INT8 weights of an fp16 or dynamic-range
 * model) into a float32 constant, with the interpreter's own dequantization ({@link
 * Quant#dequantizeConstant}), so the float kernels run such models with exactly the weights the
 * interpreter uses. Stateless.
 */
final class ConstantDequantize {
    private ConstantDequantize() {
    }

    static Model fold(Model model) {
        Graph g = model.graph();
        boolean any = false;
        for (Node n : g.nodes()) {
            any |= foldable(g, n);
        }
        if (!any) {
            return model;
        }
        GraphBuilder b = GraphBuilder.from(g);
        b.nodes().removeIf(n -> foldable(g, n));
        for (Node n : g.nodes()) {
            if (foldable(g, n)) {
                Tensor out = g.tensor(n.output(0));
                b.setTensor(n.output(0), Tensor.ofFloats(out.name(), out.shape(),
                        Quant.dequantizeConstant(g.tensor(n.input(0)))));
            }
        }
        return model.withGraph(b.build(), new AppliedPass("codegen-fold-constant-dequantize", Map.of()));
    }

    private static boolean foldable(Graph g, Node n) {
        return n.op().kind() == OpKind.DEQUANTIZE && g.tensor(n.input(0)).isConstant()
                && g.tensor(n.output(0)).type() == DataType.FLOAT32 && !g.outputs().contains(n.output(0));
    }
}
