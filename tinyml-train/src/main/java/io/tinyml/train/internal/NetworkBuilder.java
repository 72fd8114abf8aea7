package io.tinyml.train.internal;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.train.NetworkSpec;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Turns a {@link NetworkSpec} into an IR graph with initialised weights. One instance per build; not
 * thread-safe.
 */
public final class NetworkBuilder {
    private static final float BN_EPSILON = 1e-3f;

    private final GraphBuilder g = new GraphBuilder();
    private final Random random;
    private int current;
    private int count;

    /**
     * Starts a graph with the input {@code [1, h, w, c]}.
     *
     * @param h height
     * @param w width
     * @param c channels
     * @param seed the seed of the weight initialisation
     */
    public NetworkBuilder(int h, int w, int c, long seed) {
        this.random = new Random(seed);
        this.current = g.addInput(Tensor.activation("input", DataType.FLOAT32, Shape.of(1, h, w, c)));
    }

    /**
     * Adds every layer and builds the model.
     *
     * @param spec the description
     * @return the model
     */
    public Model build(NetworkSpec spec) {
        for (NetworkSpec.Layer l : spec.layers()) {
            if (l instanceof NetworkSpec.Conv c) {
                conv(c);
            } else if (l instanceof NetworkSpec.DepthwiseConv d) {
                depthwise(d);
            } else if (l instanceof NetworkSpec.Dense d) {
                dense(d);
            } else if (l instanceof NetworkSpec.MaxPool p) {
                Shape out = pooled(p.size(), p.stride());
                current = node("maxpool", new Op.MaxPool2D(p.size(), p.size(), p.stride(), p.stride(), Padding.VALID,
                        Activation.NONE), out, current);
            } else if (l instanceof NetworkSpec.AveragePool p) {
                Shape out = pooled(p.size(), p.stride());
                current = node("avgpool", new Op.AveragePool2D(p.size(), p.size(), p.stride(), p.stride(),
                        Padding.VALID, Activation.NONE), out, current);
            } else if (l instanceof NetworkSpec.GlobalAveragePool) {
                Shape s = spatial("global average pooling");
                int m = node("mean", new Op.Mean(List.of(1, 2), true), Shape.of(1, 1, 1, s.dim(3)), current);
                current = node("flatten", new Op.Reshape(), Shape.of(1, s.dim(3)), m);
            } else {
                flatten();
            }
        }
        g.addOutput(current);
        return Model.of(g.build(), Provenance.builtInCode("tinyml-train NetworkSpec " + spec.layers().size()
                + " layers"));
    }

    private Shape shape() {
        return g.tensor(current).shape();
    }

    private Shape spatial(String what) {
        Shape s = shape();
        if (s.rank() != 4) {
            throw new IllegalArgumentException("expected a [1, H, W, C] input to " + what + ", found " + s);
        }
        return s;
    }

    private Shape pooled(int size, int stride) {
        Shape s = spatial("pooling");
        if (size > s.dim(1) || size > s.dim(2)) {
            throw new IllegalArgumentException("expected a pooling window within " + s + ", found " + size);
        }
        return Shape.of(1, Padding.VALID.outputSize(s.dim(1), size, stride, 1),
                Padding.VALID.outputSize(s.dim(2), size, stride, 1), s.dim(3));
    }

    private void conv(NetworkSpec.Conv c) {
        Shape s = spatial("a convolution");
        int cin = s.dim(3);
        int w = constant("conv_w", Shape.of(c.filters(), c.kernel(), c.kernel(), cin),
                he(c.filters() * c.kernel() * c.kernel() * cin, c.kernel() * c.kernel() * cin));
        int b = c.batchNorm() ? Node.ABSENT : constant("conv_b", Shape.of(c.filters()), new float[c.filters()]);
        Shape out = Shape.of(1, Padding.SAME.outputSize(s.dim(1), c.kernel(), c.stride(), 1),
                Padding.SAME.outputSize(s.dim(2), c.kernel(), c.stride(), 1), c.filters());
        Activation fused = c.batchNorm() ? Activation.NONE : c.activation();
        current = node("conv", new Op.Conv2D(c.stride(), c.stride(), 1, 1, Padding.SAME, fused), out, current, w, b);
        if (c.batchNorm()) {
            batchNormAndActivation(c.activation());
        }
    }

    private void depthwise(NetworkSpec.DepthwiseConv d) {
        Shape s = spatial("a depthwise convolution");
        int cout = s.dim(3) * d.multiplier();
        int w = constant("dw_w", Shape.of(1, d.kernel(), d.kernel(), cout),
                he(d.kernel() * d.kernel() * cout, d.kernel() * d.kernel()));
        int b = d.batchNorm() ? Node.ABSENT : constant("dw_b", Shape.of(cout), new float[cout]);
        Shape out = Shape.of(1, Padding.SAME.outputSize(s.dim(1), d.kernel(), d.stride(), 1),
                Padding.SAME.outputSize(s.dim(2), d.kernel(), d.stride(), 1), cout);
        Activation fused = d.batchNorm() ? Activation.NONE : d.activation();
        current = node("dwconv", new Op.DepthwiseConv2D(d.stride(), d.stride(), 1, 1, Padding.SAME, d.multiplier(),
                fused), out, current, w, b);
        if (d.batchNorm()) {
            batchNormAndActivation(d.activation());
        }
    }

    private void batchNormAndActivation(Activation a) {
        int c = shape().dim(shape().rank() - 1);
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        int gamma = constant("bn_gamma", Shape.of(c), ones);
        int beta = constant("bn_beta", Shape.of(c), new float[c]);
        int mean = constant("bn_mean", Shape.of(c), new float[c]);
        int var = constant("bn_var", Shape.of(c), ones.clone());
        current = node("bn", new Op.BatchNormalization(BN_EPSILON), shape(), current, gamma, beta, mean, var);
        Op act = switch (a) {
            case NONE -> null;
            case RELU -> new Op.Relu();
            case RELU6 -> new Op.Relu6();
            case RELU_N1_TO_1 -> new Op.Clip(-1f, 1f);
            case TANH -> new Op.Tanh();
        };
        if (act != null) {
            current = node(a.name().toLowerCase(java.util.Locale.ROOT), act, shape(), current);
        }
    }

    private void flatten() {
        Shape s = shape();
        if (s.rank() != 2) {
            current = node("flatten", new Op.Reshape(), Shape.of(1, s.elementCount()), current);
        }
    }

    private void dense(NetworkSpec.Dense d) {
        flatten();
        int in = shape().dim(1);
        int w = constant("fc_w", Shape.of(d.units(), in), he(d.units() * in, in));
        int b = constant("fc_b", Shape.of(d.units()), new float[d.units()]);
        current = node("fc", new Op.FullyConnected(d.activation(), false), Shape.of(1, d.units()), current, w, b);
    }

    private float[] he(int n, int fanIn) {
        double std = Math.sqrt(2.0 / fanIn);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return v;
    }

    private int constant(String kind, Shape s, float[] v) {
        return g.addTensor(Tensor.ofFloats(kind + "_" + count, s, v));
    }

    private int node(String kind, Op op, Shape out, int... inputs) {
        String name = kind + "_" + count++;
        int o = g.addTensor(Tensor.activation(name, DataType.FLOAT32, out));
        List<Integer> in = Arrays.stream(inputs).boxed().toList();
        // optional inputs left out at the end are dropped, not kept as ABSENT
        int end = in.size();
        while (end > 1 && in.get(end - 1) == Node.ABSENT) {
            end--;
        }
        g.addNode(name, op, in.subList(0, end), List.of(o));
        return o;
    }
}
