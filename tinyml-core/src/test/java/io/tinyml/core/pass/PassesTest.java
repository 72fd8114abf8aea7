package io.tinyml.core.pass;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PassesTest {
    private final Random random = new Random(1234);

    private float[] randoms(int n, float scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (random.nextGaussian() * scale);
        }
        return f;
    }

    private float[] positives(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = 0.5f + random.nextFloat();
        }
        return f;
    }

    private static Model model(GraphBuilder b) {
        return Model.of(b.build(), Provenance.builtInCode("PassesTest"));
    }

    private static float[] run(Model m, float[] input) throws Exception {
        return Interpreter.create(m).invokeFloat(input)[0];
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            float tol = 1e-5f * Math.max(1f, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }

    private static List<OpKind> kinds(Model m) {
        return m.graph().nodes().stream().map(n -> n.op().kind()).toList();
    }

    /** x -> producer -> BatchNormalization -> y, for each foldable producer kind. */
    private Model withBatchNorm(OpKind producer) {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 6, 6, 3)));
        int c;
        int h;
        switch (producer) {
            case CONV_2D -> {
                c = 4;
                int w = b.addTensor(Tensor.ofFloats("w", Shape.of(c, 3, 3, 3), randoms(108, 0.5f)));
                int bias = b.addTensor(Tensor.ofFloats("b", Shape.of(c), randoms(c, 0.1f)));
                h = b.addTensor(Tensor.activation("h", DataType.FLOAT32, Shape.of(1, 3, 3, c)));
                b.addNode("conv", new Op.Conv2D(2, 2, 1, 1, Padding.SAME, Activation.NONE), List.of(x, w, bias),
                        List.of(h));
            }
            case DEPTHWISE_CONV_2D -> {
                c = 6;
                int w = b.addTensor(Tensor.ofFloats("w", Shape.of(1, 3, 3, c), randoms(54, 0.5f)));
                h = b.addTensor(Tensor.activation("h", DataType.FLOAT32, Shape.of(1, 6, 6, c)));
                b.addNode("dw", new Op.DepthwiseConv2D(1, 1, 1, 1, Padding.SAME, 2, Activation.NONE),
                        List.of(x, w, Node.ABSENT), List.of(h));
            }
            default -> {
                c = 5;
                int w = b.addTensor(Tensor.ofFloats("w", Shape.of(c, 108), randoms(5 * 108, 0.2f)));
                h = b.addTensor(Tensor.activation("h", DataType.FLOAT32, Shape.of(1, c)));
                b.addNode("fc", new Op.FullyConnected(Activation.NONE, false), List.of(x, w), List.of(h));
            }
        }
        int gamma = b.addTensor(Tensor.ofFloats("gamma", Shape.of(c), randoms(c, 1f)));
        int beta = b.addTensor(Tensor.ofFloats("beta", Shape.of(c), randoms(c, 0.3f)));
        int mean = b.addTensor(Tensor.ofFloats("mean", Shape.of(c), randoms(c, 0.3f)));
        int var = b.addTensor(Tensor.ofFloats("var", Shape.of(c), positives(c)));
        Shape ys = b.tensor(h).shape();
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, ys));
        b.addNode("bn", new Op.BatchNormalization(1e-3f), List.of(h, gamma, beta, mean, var), List.of(y));
        b.addOutput(y);
        return model(b);
    }

    @Test
    void foldBatchNormKeepsOutputsForConvDepthwiseAndDense() throws Exception {
        for (OpKind k : List.of(OpKind.CONV_2D, OpKind.DEPTHWISE_CONV_2D, OpKind.FULLY_CONNECTED)) {
            Model m = withBatchNorm(k);
            float[] in = randoms(108, 1f);
            Model folded = new FoldBatchNorm().apply(m, PassContext.defaults());
            assertEquals(List.of(k), kinds(folded), k.name());
            assertEquals("y", folded.graph().outputTensor(0).name(), "output name kept");
            assertClose(run(m, in), run(folded, in));
            assertEquals("fold-batchnorm", folded.provenance().passes().get(0).name());
        }
    }

    @Test
    void fuseActivationKeepsOutputsAndRespectsOtherReaders() throws Exception {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4)));
        int w = b.addTensor(Tensor.ofFloats("w", Shape.of(8, 4), randoms(32, 3f)));
        int h = b.addTensor(Tensor.activation("h", DataType.FLOAT32, Shape.of(1, 8)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 8)));
        b.addNode("fc", new Op.FullyConnected(Activation.NONE, false), List.of(x, w), List.of(h));
        b.addNode("clip", new Op.Clip(0f, 6f), List.of(h), List.of(y));
        b.addOutput(y);
        Model m = model(b);
        Model fused = new FuseActivation().apply(m, PassContext.defaults());
        assertEquals(List.of(OpKind.FULLY_CONNECTED), kinds(fused));
        assertEquals(Activation.RELU6, fused.graph().node(0).op().activation());
        float[] in = randoms(4, 1f);
        assertArrayEquals(run(m, in), run(fused, in));

        // the pre-activation value is also a graph output: nothing may be fused
        GraphBuilder b2 = GraphBuilder.from(m.graph());
        b2.addOutput(m.graph().tensorIndex("h"));
        Model both = model(b2);
        assertSame(both, new FuseActivation().apply(both, PassContext.defaults()));
    }

    @Test
    void fuseActivationRefusesQuantizedRequantization() {
        GraphBuilder b = new GraphBuilder();
        QuantParams qa = QuantParams.perTensor(0.1f, 0);
        QuantParams qb = QuantParams.perTensor(0.05f, -128);
        int x = b.addInput(Tensor.activation("x", DataType.INT8, Shape.of(1, 4)).withQuant(qa));
        int c = b.addTensor(Tensor.ofInt8("c", Shape.of(1, 4), new byte[] {1, 2, 3, 4}).withQuant(qa));
        int h = b.addTensor(Tensor.activation("h", DataType.INT8, Shape.of(1, 4)).withQuant(qa));
        int y = b.addTensor(Tensor.activation("y", DataType.INT8, Shape.of(1, 4)).withQuant(qb));
        b.addNode("add", new Op.Add(Activation.NONE), List.of(x, c), List.of(h));
        b.addNode("relu", new Op.Relu(), List.of(h), List.of(y));
        b.addOutput(y);
        Model m = model(b);
        assertSame(m, new FuseActivation().apply(m, PassContext.defaults()));
    }

    @Test
    void removeIdentityKeepsOutputsAndNames() throws Exception {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 2, 2, 3)));
        int r = b.addTensor(Tensor.activation("r", DataType.FLOAT32, Shape.of(1, 2, 2, 3)));
        int s = b.addTensor(Tensor.activation("s", DataType.FLOAT32, Shape.of(1, 2, 2, 3)));
        int t = b.addTensor(Tensor.activation("t", DataType.FLOAT32, Shape.of(1, 2, 2, 3)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 2, 2, 3)));
        b.addNode("tanh", new Op.Tanh(), List.of(x), List.of(r));
        b.addNode("identity", new Op.Reshape(), List.of(r), List.of(s));
        b.addNode("dropout", new Op.Reshape(), List.of(s), List.of(t));
        b.addNode("noperm", new Op.Transpose(List.of(0, 1, 2, 3)), List.of(t), List.of(y));
        b.addOutput(y);
        Model m = model(b);
        Model clean = new RemoveIdentity().apply(m, PassContext.defaults());
        assertEquals(List.of(OpKind.TANH), kinds(clean));
        assertEquals("y", clean.graph().outputTensor(0).name());
        float[] in = randoms(12, 1f);
        assertArrayEquals(run(m, in), run(clean, in));
    }

    @Test
    void foldConstantsEvaluatesConstantSubgraphs() throws Exception {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 3)));
        int a = b.addTensor(Tensor.ofFloats("a", Shape.of(1, 3), new float[] {1, 2, 3}));
        int c = b.addTensor(Tensor.ofFloats("c", Shape.of(1, 3), new float[] {0.5f, -1, 4}));
        int ac = b.addTensor(Tensor.activation("ac", DataType.FLOAT32, Shape.of(1, 3)));
        int acr = b.addTensor(Tensor.activation("acr", DataType.FLOAT32, Shape.of(1, 3)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 3)));
        b.addNode("const_mul", new Op.Mul(Activation.NONE), List.of(a, c), List.of(ac));
        b.addNode("const_relu", new Op.Relu(), List.of(ac), List.of(acr));
        b.addNode("add", new Op.Add(Activation.NONE), List.of(x, acr), List.of(y));
        b.addOutput(y);
        Model m = model(b);
        Model folded = new FoldConstants().apply(m, PassContext.defaults());
        assertEquals(List.of(OpKind.ADD), kinds(folded));
        Tensor k = folded.graph().tensor(folded.graph().node(0).input(1));
        assertArrayEquals(new float[] {0.5f, 0f, 12f}, k.floats());
        float[] in = {1, 1, 1};
        assertArrayEquals(run(m, in), run(folded, in));
    }

    @Test
    void standardPipelineRecordsPassesAndCallsInstruments() throws Exception {
        Model m = withBatchNorm(OpKind.CONV_2D);
        List<String> seen = new ArrayList<>();
        Model out = PassPipeline.standard().withInstrument(new PassInstrument() {
            @Override
            public void before(PassInfo pass, Model model) {
                seen.add("before " + pass.name());
            }

            @Override
            public void after(PassInfo pass, Model before, Model after) {
                seen.add("after " + pass.name() + (before == after ? " (unchanged)" : ""));
            }
        }).run(m);
        assertEquals(List.of("before remove-identity", "after remove-identity (unchanged)",
                "before fold-constants", "after fold-constants (unchanged)", "before fold-batchnorm",
                "after fold-batchnorm", "before fuse-activation", "after fuse-activation (unchanged)"), seen);
        assertEquals(List.of("fold-batchnorm"), out.provenance().passes().stream().map(p -> p.name()).toList());
        assertEquals(Map.of("optLevel", "1"), out.provenance().passes().get(0).parameters());
    }

    @Test
    void pipelineChecksRequirements() {
        Pass needy = new Pass() {
            @Override
            public PassInfo info() {
                return new PassInfo("needy", 0, List.of("fold-batchnorm"));
            }

            @Override
            public Model apply(Model model, PassContext context) {
                return model;
            }
        };
        Model m = withBatchNorm(OpKind.FULLY_CONNECTED);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PassPipeline.of(needy).run(m));
        assertTrue(e.getMessage().contains("fold-batchnorm"), e.getMessage());
        Graph g = m.graph();
        assertEquals(2, g.nodes().size());
    }
}
