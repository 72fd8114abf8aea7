package io.tinyml.core.ir;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphBuilderTest {

    private static final Op FC = new Op.FullyConnected(Activation.NONE, false);

    @Test
    void buildsSortsAndPrunes() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 2)));
        int w1 = b.addTensor(Tensor.ofFloats("w1", Shape.of(3, 2), new float[6]));
        int w2 = b.addTensor(Tensor.ofFloats("w2", Shape.of(1, 3), new float[3]));
        b.addTensor(Tensor.ofFloats("unused", Shape.of(4), new float[4]));
        int h = b.addTensor(Tensor.activation("h", DataType.FLOAT32, Shape.of(1, 3)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 1)));
        // added out of order: the consumer first
        b.addNode("second", FC, List.of(h, w2, Node.ABSENT), List.of(y));
        b.addNode("first", FC, List.of(x, w1, Node.ABSENT), List.of(h));
        b.addOutput(y);
        Graph g = b.build();
        assertEquals(List.of("first", "second"), g.nodes().stream().map(Node::name).toList());
        assertEquals(5, g.tensors().size(), "the unused constant is dropped");
        assertEquals(-1, g.tensorIndex("unused"));
        int hi = g.tensorIndex("h");
        assertEquals(0, g.producer(hi));
        assertEquals(List.of(1), g.consumers(hi));
        assertEquals(9, g.parameterCount());
    }

    @Test
    void rejectsCycleNamingTheNode() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4)));
        int a = b.addTensor(Tensor.activation("a", DataType.FLOAT32, Shape.of(1, 4)));
        int c = b.addTensor(Tensor.activation("c", DataType.FLOAT32, Shape.of(1, 4)));
        b.addNode("n1", new Op.Add(Activation.NONE), List.of(x, c), List.of(a));
        b.addNode("n2", new Op.Relu(), List.of(a), List.of(c));
        b.addOutput(c);
        InvalidGraphException e = assertThrows(InvalidGraphException.class, b::build);
        assertTrue(e.getMessage().contains("cycle") && e.getMessage().contains("'n1'"), e.getMessage());
    }

    @Test
    void rejectsDanglingRead() {
        GraphBuilder b = new GraphBuilder();
        b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4)));
        int ghost = b.addTensor(Tensor.activation("ghost", DataType.FLOAT32, Shape.of(1, 4)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 4)));
        b.addNode("relu", new Op.Relu(), List.of(ghost), List.of(y));
        b.addOutput(y);
        InvalidGraphException e = assertThrows(InvalidGraphException.class, b::build);
        assertTrue(e.getMessage().contains("'ghost'") && e.getMessage().contains("'relu'"), e.getMessage());
    }

    @Test
    void rejectsWrongConvOutputShape() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 8, 8, 3)));
        int w = b.addTensor(Tensor.ofFloats("w", Shape.of(4, 3, 3, 3), new float[108]));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 8, 8, 4)));
        b.addNode("conv", new Op.Conv2D(2, 2, 1, 1, Padding.SAME, Activation.NONE), List.of(x, w), List.of(y));
        b.addOutput(y);
        InvalidGraphException e = assertThrows(InvalidGraphException.class, b::build);
        assertTrue(e.getMessage().contains("'conv'") && e.getMessage().contains("[1, 4, 4, 4]"), e.getMessage());
    }

    @Test
    void rejectsTwoWritersAndOutOfRangeIndex() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(4)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(4)));
        b.addNode("a", new Op.Relu(), List.of(x), List.of(y));
        b.addNode("b", new Op.Relu6(), List.of(x), List.of(y));
        b.addOutput(y);
        assertThrows(InvalidGraphException.class, b::build);

        GraphBuilder c = new GraphBuilder();
        int x2 = c.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(4)));
        c.addNode("a", new Op.Relu(), List.of(x2), List.of(99));
        c.addOutput(x2);
        InvalidGraphException e = assertThrows(InvalidGraphException.class, c::build);
        assertTrue(e.getMessage().contains("found 99"), e.getMessage());
    }

    @Test
    void shapeRefusesOverflowAndNegative() {
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1 << 16, 1 << 16));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(3, -1));
        assertEquals(9216, Shape.of(1, 96, 96, 1).elementCount());
    }

    @Test
    void tensorChecksDataLengthAndPerAxisScales() {
        assertThrows(IllegalArgumentException.class,
                () -> Tensor.constant("t", DataType.INT8, Shape.of(4), new byte[3]));
        Tensor w = Tensor.ofInt8("w", Shape.of(2, 3), new byte[6]);
        assertThrows(IllegalArgumentException.class,
                () -> w.withQuant(QuantParams.perAxis(new float[] {1f, 1f, 1f}, new long[3], 0)));
        assertEquals(2, w.withQuant(QuantParams.perAxis(new float[] {1f, 2f}, new long[2], 0)).requireQuant().size());
    }
}
