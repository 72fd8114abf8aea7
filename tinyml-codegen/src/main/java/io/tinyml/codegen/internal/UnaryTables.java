package io.tinyml.codegen.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.Quant;
import io.tinyml.core.runtime.Interpreter;

import java.util.List;

/**
 * int8 element-wise operators (RELU, RELU6, CLIP, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU) as
 * 256-entry tables. An int8 element-wise operator's output byte depends only on its input byte and
 * the node's constant parameters, so the generator runs the node once, in the reference interpreter,
 * on all 256 input values; the C kernel then looks each input up. The table is therefore exactly what
 * the interpreter computes, whatever arithmetic its kernel uses (TFLite's LUT, fixed-point polynomial
 * or requantization).
 */
final class UnaryTables {
    private UnaryTables() {
    }

    static String emit(ModelEmitter m, int index, Node n) throws UnsupportedOperatorException {
        Graph g = m.graph();
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        if (n.inputs().size() != 1 || n.outputs().size() != 1 || x.shape().elementCount() != y.shape().elementCount()) {
            throw NodeEmitter.unsupported(n, "expected one input and one output of the same size");
        }
        if ((x.quant().isPresent() && !Quant.perTensor(x)) || (y.quant().isPresent() && !Quant.perTensor(y))) {
            throw NodeEmitter.unsupported(n, "per-channel quantized activations");
        }
        byte[] table = table(n, x, y);
        int[] values = new int[256];
        for (int i = 0; i < 256; i++) {
            values[i] = table[i];
        }
        String name = m.prefix() + "_n" + index + "_lut";
        m.array("int8_t", name, values, "node " + index + " '" + n.name() + "': output byte for input -128..127");
        m.useKernel("lut_s8");
        return "    tm_lut_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false) + ", "
                + y.shape().elementCount() + ", " + name + ");\n    return 0;\n";
    }

    /** Runs the node alone over the inputs -128..127 in the reference interpreter. */
    private static byte[] table(Node n, Tensor x, Tensor y) throws UnsupportedOperatorException {
        GraphBuilder b = new GraphBuilder();
        Tensor in = Tensor.activation("x", DataType.INT8, Shape.of(256));
        Tensor out = Tensor.activation("y", DataType.INT8, Shape.of(256));
        int xi = b.addInput(x.quant().isPresent() ? in.withQuant(x.requireQuant()) : in);
        int yi = b.addTensor(y.quant().isPresent() ? out.withQuant(y.requireQuant()) : out);
        b.addNode(n.name(), n.op(), List.of(xi), List.of(yi));
        b.addOutput(yi);
        Model one = Model.of(b.build(), Provenance.builtInCode("codegen: int8 table of node '" + n.name() + "'"));
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) (i - 128);
        }
        return Interpreter.create(one).invoke(all)[0];
    }
}
