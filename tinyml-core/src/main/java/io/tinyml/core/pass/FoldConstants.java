package io.tinyml.core.pass;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates nodes whose inputs are all constants with the reference interpreter and replaces
 * their outputs with constants. Dequantize nodes are kept: they are how compressed (int8, float16)
 * weights are stored, and folding them would undo the compression. Thread-safe (stateless).
 */
public final class FoldConstants implements Pass {
    private static final PassInfo INFO = new PassInfo("fold-constants", 1, List.of());

    /** Creates the pass. */
    public FoldConstants() {
    }

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) throws PassException {
        Graph g = model.graph();
        GraphEdit edit = new GraphEdit(g);
        boolean[] constant = new boolean[g.tensors().size()];
        for (int t = 0; t < constant.length; t++) {
            constant[t] = g.tensor(t).isConstant();
        }
        for (int n = 0; n < g.nodes().size(); n++) {
            Node node = g.node(n);
            if (node.op().kind() == OpKind.DEQUANTIZE || !allConstant(node, constant)) {
                continue;
            }
            byte[][] values = evaluate(edit, node);
            for (int i = 0; i < node.outputs().size(); i++) {
                int out = node.output(i);
                edit.replaceTensor(out, g.tensor(out).withData(values[i]));
                constant[out] = true;
            }
            edit.removeNode(n);
        }
        return edit.changed() ? model.withGraph(edit.build(), PassPipeline.applied(INFO)) : model;
    }

    private static boolean allConstant(Node node, boolean[] constant) {
        for (int in : node.inputs()) {
            if (in != Node.ABSENT && !constant[in]) {
                return false;
            }
        }
        return true;
    }

    private static byte[][] evaluate(GraphEdit edit, Node node) throws PassException {
        GraphBuilder b = new GraphBuilder();
        List<Integer> in = new ArrayList<>();
        for (int i : node.inputs()) {
            in.add(i == Node.ABSENT ? Node.ABSENT : b.addTensor(edit.builder().tensor(i)));
        }
        List<Integer> out = new ArrayList<>();
        for (int o : node.outputs()) {
            Tensor t = edit.builder().tensor(o);
            int idx = b.addTensor(t.isConstant() ? t.withoutData() : t);
            out.add(idx);
            b.addOutput(idx);
        }
        b.addNode(node.name(), node.op(), in, out);
        try {
            Interpreter interpreter = Interpreter.create(Model.of(b.build(), Provenance.builtInCode(INFO.name())));
            return interpreter.invoke();
        } catch (UnsupportedOperatorException e) {
            throw new PassException("fold-constants: cannot evaluate node '" + node.name() + "': " + e.getMessage(), e);
        }
    }
}
