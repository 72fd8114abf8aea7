package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.PadMode;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Operators the interpreter runs but no C kernel implements (N-d pooling, edge padding, quantization
 * to a 4-bit range, as the ONNX reader produces them): the interpreter prepares them, and the
 * generator refuses each with a message naming the operator and the node instead of emitting wrong C.
 */
class InterpreterOnlyOpsTest {
    private static final QuantParams Q = QuantParams.perTensor(0.05f, 0);

    private static Model single(String node, Op op, Tensor in, Tensor out) {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(in);
        int y = b.addTensor(out);
        b.addNode(node, op, List.of(x), List.of(y));
        b.addOutput(y);
        return Model.of(b.build(), Provenance.builtInCode("interpreter-only"));
    }

    private static void refused(Model m, String kind, String node) throws Exception {
        Interpreter.create(m); // the interpreter runs it
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> CodeGenerator.generate(m, CodegenOptions.defaults()));
        assertTrue(e.getMessage().contains(kind) && e.getMessage().contains("'" + node + "'")
                && e.getMessage().contains("no C kernel"), e.getMessage());
    }

    @Test
    void threeDimensionalPoolingIsRefused() throws Exception {
        Op.Pool pool = new Op.Pool(true, List.of(2, 2, 2), List.of(1, 1, 1), List.of(1, 1, 1), List.of(0, 0, 0),
                List.of(0, 0, 0), false, false);
        refused(single("pool3d", pool, Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4, 4, 4, 2)),
                Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 3, 3, 3, 2))), "POOL", "pool3d");
    }

    @Test
    void edgePaddingIsRefused() throws Exception {
        Op.Pad pad = new Op.Pad(List.of(0, 1, 1, 0), List.of(0, 1, 1, 0), 0f, PadMode.EDGE);
        refused(single("edge", pad, Tensor.activation("x", DataType.INT8, Shape.of(1, 3, 3, 2)).withQuant(Q),
                Tensor.activation("y", DataType.INT8, Shape.of(1, 5, 5, 2)).withQuant(Q)), "PAD", "edge");
    }

    @Test
    void quantizationToAFourBitRangeIsRefused() throws Exception {
        refused(single("int4", new Op.Quantize(-8, 7), Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 8)),
                Tensor.activation("y", DataType.INT8, Shape.of(1, 8)).withQuant(Q)), "QUANTIZE", "int4");
    }
}
