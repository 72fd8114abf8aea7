package io.tinyml.train;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

/**
 * Every operator the bridge supports, in graphs built in code with random weights, against our
 * interpreter on the exported IR model (a different implementation of the same semantics).
 */
class OperatorCoverageTest {
    private final Random random = new Random(17);
    private GraphBuilder g;
    private int count;

    private int weights(Shape s) {
        float[] v = new float[s.elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian() * 0.5f;
        }
        return g.addTensor(Tensor.ofFloats("c" + count++, s, v));
    }

    private int node(Op op, Shape out, Integer... in) {
        int o = g.addTensor(Tensor.activation("t" + count++, DataType.FLOAT32, out));
        g.addNode("n" + count++, op, List.of(in), List.of(o));
        return o;
    }

    private Model model(int out) {
        g.addOutput(out);
        return Model.of(g.build(), Provenance.builtInCode("operator coverage"));
    }

    @Test
    void convolutionsPoolingAndPadding() throws Exception {
        g = new GraphBuilder();
        int x = g.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 9, 9, 4)));
        // grouped conv (2 groups), SAME with stride 2 on an odd size: asymmetric padding
        int a = node(new Op.Conv2D(2, 2, 1, 1, Padding.SAME, Activation.RELU6), Shape.of(1, 5, 5, 6), x,
                weights(Shape.of(6, 3, 3, 2)), weights(Shape.of(6)));
        // depthwise with multiplier 2, dilation 2, VALID
        int b = node(new Op.DepthwiseConv2D(1, 1, 2, 2, Padding.VALID, 2, Activation.NONE), Shape.of(1, 3, 3, 12), a,
                weights(Shape.of(1, 2, 2, 12)), weights(Shape.of(12)));
        int p = node(new Op.Pad(List.of(0, 1, 0, 0), List.of(0, 1, 2, 0), 0.5f), Shape.of(1, 5, 5, 12), b);
        int m = node(new Op.MaxPool2D(2, 2, 2, 2, Padding.SAME, Activation.NONE), Shape.of(1, 3, 3, 12), p);
        int v = node(new Op.AveragePool2D(2, 2, 2, 2, Padding.SAME, Activation.NONE), Shape.of(1, 3, 3, 12), p);
        int c = node(new Op.Concatenation(3, Activation.NONE), Shape.of(1, 3, 3, 24), m, v);
        int bn = node(new Op.BatchNormalization(1e-3f), Shape.of(1, 3, 3, 24), c, weights(Shape.of(24)),
                weights(Shape.of(24)), weights(Shape.of(24)), g.addTensor(Tensor.ofFloats("var", Shape.of(24),
                        positive(24))));
        int h = node(new Op.HardSwish(), Shape.of(1, 3, 3, 24), bn);
        int mean = node(new Op.Mean(List.of(1, 2), false), Shape.of(1, 24), h);
        int fc = node(new Op.FullyConnected(Activation.NONE, false), Shape.of(1, 5), mean, weights(Shape.of(5, 24)),
                weights(Shape.of(5)));
        int sm = node(new Op.Softmax(0.7f), Shape.of(1, 5), fc);
        TrainableModelTest.assertForwardMatches(model(sm), 3, 1e-5);
    }

    @Test
    void elementwiseReshapeAndActivations() throws Exception {
        g = new GraphBuilder();
        int x = g.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4, 4, 3)));
        int s = node(new Op.Sub(Activation.NONE), Shape.of(1, 4, 4, 3), x, weights(Shape.of(3)));
        int mu = node(new Op.Mul(Activation.RELU_N1_TO_1), Shape.of(1, 4, 4, 3), s, weights(Shape.of(1, 1, 1, 3)));
        int l = node(new Op.LeakyRelu(0.2f), Shape.of(1, 4, 4, 3), mu);
        int add = node(new Op.Add(Activation.NONE), Shape.of(1, 4, 4, 3), l, x);
        int t = node(new Op.Transpose(List.of(0, 3, 1, 2)), Shape.of(1, 3, 4, 4), add);
        int tanh = node(new Op.Tanh(), Shape.of(1, 3, 4, 4), t);
        int r = node(new Op.Reshape(), Shape.of(1, 48), tanh);
        int fc = node(new Op.FullyConnected(Activation.RELU, false), Shape.of(1, 8), r, weights(Shape.of(8, 48)),
                weights(Shape.of(8)));
        int cl = node(new Op.Clip(Float.NEGATIVE_INFINITY, 0.8f), Shape.of(1, 8), fc);
        int lg = node(new Op.Logistic(), Shape.of(1, 8), cl);
        TrainableModelTest.assertForwardMatches(model(lg), 4, 1e-5);
    }

    private float[] positive(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + random.nextFloat();
        }
        return v;
    }
}
