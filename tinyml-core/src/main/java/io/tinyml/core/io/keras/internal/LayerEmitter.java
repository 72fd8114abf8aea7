package io.tinyml.core.io.keras.internal;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits the IR nodes of ordered Keras layer calls into a {@link GraphBuilder}: shapes are inferred
 * layer by layer, weights are checked against the shapes the configuration implies before they are
 * read, then converted to the IR layouts (conv HWIO to OHWI, depthwise HWCM to 1HW(C*M), dense
 * [in, out] to [out, in]). Single use.
 */
final class LayerEmitter {
    /** The largest total of activation bytes accepted (1 GiB). */
    static final long MAX_ACTIVATION_BYTES = 1L << 30;

    /** A tensor of the graph under construction. */
    record Value(int index, Shape shape) {
    }

    private final String source;
    private final KerasWeights weights;
    private final GraphBuilder b = new GraphBuilder();
    private final Map<KerasGraph.Ref, Value> produced = new HashMap<>();
    private final Map<String, Integer> constants = new HashMap<>();
    private final Map<String, Integer> inputTensors = new HashMap<>();
    private long activationBytes;

    // per call
    private KerasGraph.Layer layer;
    private String base;
    private String where;

    LayerEmitter(String source, KerasWeights weights) {
        this.source = source;
        this.weights = weights;
    }

    Graph emit(List<KerasGraph.Call> calls, List<KerasGraph.Ref> inputs, List<KerasGraph.Ref> outputs)
            throws MalformedModelException, UnsupportedOperatorException {
        for (KerasGraph.Call c : calls) {
            layer = c.layer();
            base = c.node() == 0 ? layer.name() : layer.name() + "_" + c.node();
            where = "'" + source + "': layer '" + layer.name() + "' (" + layer.className() + ")";
            List<Value> in = new ArrayList<>();
            for (KerasGraph.Ref r : c.inputs()) {
                in.add(produced.get(r));
            }
            Value out = layer(in);
            produced.put(new KerasGraph.Ref(layer.name(), c.node(), 0), out);
        }
        for (KerasGraph.Ref r : inputs) {
            Integer i = inputTensors.remove(r.layer());
            if (i == null) {
                throw new MalformedModelException("'" + source + "': input_layers: expected each input once, found '"
                        + r.layer() + "' twice");
            }
            b.addInputIndex(i);
        }
        inputTensors.values().stream().sorted().forEach(b::addInputIndex);
        for (KerasGraph.Ref r : outputs) {
            b.addOutput(produced.get(r).index());
        }
        return b.build();
    }

    private Value layer(List<Value> in) throws MalformedModelException, UnsupportedOperatorException {
        Cfg c = layer.config();
        String cls = layer.className();
        boolean merge = cls.equals("Add") || cls.equals("Concatenate") || cls.equals("Multiply");
        if (cls.equals("Subtract")) {
            arity(in, 2, 2);
        } else if (!cls.equals("InputLayer")) {
            arity(in, merge ? 2 : 1, merge ? KerasGraph.MAX_LAYERS : 1);
        }
        return switch (cls) {
            case "InputLayer" -> input(c);
            case "Conv2D", "Convolution2D" -> conv(c, in.get(0));
            case "DepthwiseConv2D" -> depthwise(c, in.get(0));
            case "SeparableConv2D", "SeparableConvolution2D" -> separable(c, in.get(0));
            case "Dense" -> dense(c, in.get(0));
            case "BatchNormalization" -> batchNorm(c, in.get(0));
            case "Activation" -> activation(activationName(c), in.get(0), base);
            case "ReLU" -> relu(c, in.get(0));
            case "LeakyReLU" -> unary(new Op.LeakyRelu((float) c.num(c.has("negative_slope") ? "negative_slope"
                    : "alpha", 0.3)), in.get(0), base);
            case "Softmax" -> softmax(c, in.get(0));
            case "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D" -> pool(c, in.get(0));
            case "GlobalAveragePooling2D", "GlobalAvgPool2D" -> globalAverage(c, in.get(0));
            case "Flatten" -> flatten(c, in.get(0));
            case "Reshape" -> reshape(c, in.get(0));
            case "Dropout", "SpatialDropout2D" -> reshapeTo(in.get(0), in.get(0).shape(), base);
            case "Add" -> elementwise(in, new Op.Add(Activation.NONE));
            case "Multiply" -> elementwise(in, new Op.Mul(Activation.NONE));
            case "Subtract" -> elementwise(in, new Op.Sub(Activation.NONE));
            case "Permute" -> permute(c, in.get(0));
            case "Rescaling" -> rescale(c, in.get(0));
            case "Concatenate" -> concat(c, in);
            case "ZeroPadding2D" -> zeroPad(c, in.get(0));
            case "Sequential", "Functional", "Model" -> throw unsupported("nested models");
            default -> throw new UnsupportedOperatorException(cls, where
                    + ": layer class '" + cls + "' is not supported by the Keras reader");
        };
    }

    // ---------------------------------------------------------------- layers

    private Value input(Cfg c) throws MalformedModelException, UnsupportedOperatorException {
        int[] s = c.has("batch_shape") ? c.shape("batch_shape") : c.has("batch_input_shape")
                ? c.shape("batch_input_shape") : null;
        if (s == null) {
            throw new MalformedModelException(where + ": expected key 'batch_shape' or 'batch_input_shape', found none");
        }
        if (s.length == 0) {
            throw new MalformedModelException(where + ": expected an input shape with a batch dimension, found []");
        }
        s[0] = s[0] < 0 ? 1 : s[0];
        for (int i = 1; i < s.length; i++) {
            if (s[i] < 0) {
                throw unsupported("dynamic input dimensions (None at axis " + i + "); expected fixed sizes");
            }
        }
        Object dtype = c.raw("dtype");
        if (dtype instanceof Map<?, ?> m) {
            dtype = Cfg.of(m, where + ": dtype").obj("config").raw("name");
        }
        if (dtype != null && !"float32".equals(dtype)) {
            throw unsupported("input dtype " + Cfg.shorten(dtype) + "; expected float32");
        }
        Value v = activationTensor(base, Shape.of(s));
        inputTensors.put(layer.name(), v.index());
        return v;
    }

    private Value conv(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        channelsLast(c);
        int[] xs = rank(x, 4);
        int filters = c.integer("filters", 1, Cfg.MAX_DIM);
        int[] k = c.ints("kernel_size", 2, 1, Cfg.MAX_DIM, null);
        int[] st = c.ints("strides", 2, 1, Cfg.MAX_DIM, new int[] {1, 1});
        int[] dl = c.ints("dilation_rate", 2, 1, Cfg.MAX_DIM, new int[] {1, 1});
        int groups = c.integer("groups", 1, Cfg.MAX_DIM, 1);
        Padding p = padding(c);
        boolean useBias = c.bool("use_bias", true);
        if (xs[3] % groups != 0 || filters % groups != 0) {
            throw new MalformedModelException(where + ": expected input channels (" + xs[3] + ") and filters ("
                    + filters + ") divisible by groups, found groups " + groups);
        }
        int cin = xs[3] / groups;
        Shape ys = Shape.of(xs[0], out(p, xs[1], k[0], st[0], dl[0]), out(p, xs[2], k[1], st[1], dl[1]), filters);
        List<KerasWeights.Weight> w = weights(useBias ? 2 : 1, "kernel", useBias ? "bias" : null);
        float[] kernel = read(w.get(0), k[0], k[1], cin, filters);
        int wi = constant(base + "/kernel", Shape.of(filters, k[0], k[1], cin), hwioToOhwi(kernel, k[0], k[1], cin, filters));
        int bi = useBias ? constant(base + "/bias", Shape.of(filters), read(w.get(1), filters)) : Node.ABSENT;
        return fused(c, new Op.Conv2D(st[0], st[1], dl[0], dl[1], p, Activation.NONE), List.of(x.index(), wi, bi), ys);
    }

    private Value depthwise(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        channelsLast(c);
        int[] xs = rank(x, 4);
        int[] k = c.ints("kernel_size", 2, 1, Cfg.MAX_DIM, null);
        int[] st = c.ints("strides", 2, 1, Cfg.MAX_DIM, new int[] {1, 1});
        int[] dl = c.ints("dilation_rate", 2, 1, Cfg.MAX_DIM, new int[] {1, 1});
        int m = c.integer("depth_multiplier", 1, Cfg.MAX_DIM, 1);
        Padding p = padding(c);
        boolean useBias = c.bool("use_bias", true);
        int cm = channels((long) xs[3] * m);
        Shape ys = Shape.of(xs[0], out(p, xs[1], k[0], st[0], dl[0]), out(p, xs[2], k[1], st[1], dl[1]), cm);
        List<KerasWeights.Weight> w = weights(useBias ? 2 : 1, "depthwise_kernel", useBias ? "bias" : null);
        // HWCM row-major is already 1HW(C*M) with channel c*M + m: only the shape changes
        int wi = constant(base + "/depthwise_kernel", Shape.of(1, k[0], k[1], cm), read(w.get(0), k[0], k[1], xs[3], m));
        int bi = useBias ? constant(base + "/bias", Shape.of(cm), read(w.get(1), cm)) : Node.ABSENT;
        return fused(c, new Op.DepthwiseConv2D(st[0], st[1], dl[0], dl[1], p, m, Activation.NONE),
                List.of(x.index(), wi, bi), ys);
    }

    private Value separable(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        channelsLast(c);
        int[] xs = rank(x, 4);
        int filters = c.integer("filters", 1, Cfg.MAX_DIM);
        int[] k = c.ints("kernel_size", 2, 1, Cfg.MAX_DIM, null);
        int[] st = c.ints("strides", 2, 1, Cfg.MAX_DIM, new int[] {1, 1});
        int[] dl = c.ints("dilation_rate", 2, 1, Cfg.MAX_DIM, new int[] {1, 1});
        int m = c.integer("depth_multiplier", 1, Cfg.MAX_DIM, 1);
        Padding p = padding(c);
        boolean useBias = c.bool("use_bias", true);
        int cm = channels((long) xs[3] * m);
        Shape mid = Shape.of(xs[0], out(p, xs[1], k[0], st[0], dl[0]), out(p, xs[2], k[1], st[1], dl[1]), cm);
        List<KerasWeights.Weight> w = weights(useBias ? 3 : 2, "depthwise_kernel", "pointwise_kernel",
                useBias ? "bias" : null);
        int dw = constant(base + "/depthwise_kernel", Shape.of(1, k[0], k[1], cm), read(w.get(0), k[0], k[1], xs[3], m));
        float[] pw = read(w.get(1), 1, 1, cm, filters);
        int pwi = constant(base + "/pointwise_kernel", Shape.of(filters, 1, 1, cm), hwioToOhwi(pw, 1, 1, cm, filters));
        int bi = useBias ? constant(base + "/bias", Shape.of(filters), read(w.get(2), filters)) : Node.ABSENT;
        Value d = node(base + "/depthwise", new Op.DepthwiseConv2D(st[0], st[1], dl[0], dl[1], p, m, Activation.NONE),
                List.of(x.index(), dw, Node.ABSENT), mid);
        return fused(c, new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.NONE), List.of(d.index(), pwi, bi),
                mid.withDim(3, filters));
    }

    private Value dense(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        int[] xs = x.shape().toArray();
        if (xs.length < 2) {
            throw new MalformedModelException(where + ": expected an input of rank >= 2, found " + x.shape());
        }
        int units = c.integer("units", 1, Cfg.MAX_DIM);
        boolean useBias = c.bool("use_bias", true);
        int in = xs[xs.length - 1];
        List<KerasWeights.Weight> w = weights(useBias ? 2 : 1, "kernel", useBias ? "bias" : null);
        float[] k = read(w.get(0), in, units);
        float[] t = new float[k.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < units; o++) {
                t[o * in + i] = k[i * units + o];
            }
        }
        int wi = constant(base + "/kernel", Shape.of(units, in), t);
        int bi = useBias ? constant(base + "/bias", Shape.of(units), read(w.get(1), units)) : Node.ABSENT;
        xs[xs.length - 1] = units;
        return fused(c, new Op.FullyConnected(Activation.NONE, xs.length > 2), List.of(x.index(), wi, bi), Shape.of(xs));
    }

    private Value batchNorm(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        int r = x.shape().rank();
        Object axisV = c.raw("axis");
        int axis = -1;
        if (axisV instanceof List<?> l) {
            if (l.size() != 1) {
                throw unsupported("normalization over " + l.size() + " axes; expected the channel axis only");
            }
            axis = c.toInt(l.get(0), "axis", -8, 8);
        } else if (axisV != null) {
            axis = c.toInt(axisV, "axis", -8, 8);
        }
        if (r == 0 || (axis != -1 && axis != r - 1)) {
            throw unsupported("axis " + axis + " for an input " + x.shape() + "; expected the last axis");
        }
        boolean scale = c.bool("scale", true);
        boolean center = c.bool("center", true);
        int ch = x.shape().dim(-1);
        List<String> roles = new ArrayList<>();
        if (scale) {
            roles.add("gamma");
        }
        if (center) {
            roles.add("beta");
        }
        roles.add("moving_mean");
        roles.add("moving_variance");
        List<KerasWeights.Weight> w = weights(roles.size(), roles.toArray(new String[0]));
        int i = 0;
        float[] ones = new float[ch];
        Arrays.fill(ones, 1f);
        int gi = constant(base + "/gamma", Shape.of(ch), scale ? read(w.get(i++), ch) : ones);
        int be = constant(base + "/beta", Shape.of(ch), center ? read(w.get(i++), ch) : new float[ch]);
        int mi = constant(base + "/moving_mean", Shape.of(ch), read(w.get(i++), ch));
        int vi = constant(base + "/moving_variance", Shape.of(ch), read(w.get(i), ch));
        float eps = (float) c.num("epsilon", 1e-3);
        if (eps < 0) {
            throw c.fail("epsilon", "a non-negative number", eps);
        }
        return node(base, new Op.BatchNormalization(eps), List.of(x.index(), gi, be, mi, vi), x.shape());
    }

    private Value relu(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        double max = c.has("max_value") ? c.num("max_value", 0) : Double.NaN;
        double slope = c.num("negative_slope", 0);
        double threshold = c.num("threshold", 0);
        if (threshold != 0) {
            throw unsupported("threshold " + threshold + "; expected 0");
        }
        if (slope != 0) {
            if (!Double.isNaN(max)) {
                throw unsupported("negative_slope together with max_value");
            }
            return unary(new Op.LeakyRelu((float) slope), x, base);
        }
        if (Double.isNaN(max)) {
            return unary(new Op.Relu(), x, base);
        }
        if (max < 0) {
            throw c.fail("max_value", "a non-negative number", max);
        }
        return unary(max == 6 ? new Op.Relu6() : new Op.Clip(0f, (float) max), x, base);
    }

    private Value softmax(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        Object a = c.raw("axis");
        int r = x.shape().rank();
        if (a instanceof List<?> l && l.size() == 1) {
            a = l.get(0);
        }
        int axis = a == null ? -1 : c.toInt(a, "axis", -8, 8);
        if (axis != -1 && axis != r - 1) {
            throw unsupported("softmax over axis " + axis + " of an input " + x.shape() + "; expected the last axis");
        }
        return unary(new Op.Softmax(1f), x, base);
    }

    private Value pool(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        channelsLast(c);
        int[] xs = rank(x, 4);
        int[] k = c.ints("pool_size", 2, 1, Cfg.MAX_DIM, new int[] {2, 2});
        int[] st = c.ints("strides", 2, 1, Cfg.MAX_DIM, k);
        Padding p = padding(c);
        Shape ys = Shape.of(xs[0], out(p, xs[1], k[0], st[0], 1), out(p, xs[2], k[1], st[1], 1), xs[3]);
        Op op = layer.className().startsWith("Max")
                ? new Op.MaxPool2D(k[0], k[1], st[0], st[1], p, Activation.NONE)
                : new Op.AveragePool2D(k[0], k[1], st[0], st[1], p, Activation.NONE);
        return node(base, op, List.of(x.index()), ys);
    }

    private Value globalAverage(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        channelsLast(c);
        int[] xs = rank(x, 4);
        boolean keep = c.bool("keepdims", false);
        Shape ys = keep ? Shape.of(xs[0], 1, 1, xs[3]) : Shape.of(xs[0], xs[3]);
        return node(base, new Op.Mean(List.of(1, 2), keep), List.of(x.index()), ys);
    }

    private Value flatten(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        channelsLast(c);
        int[] xs = x.shape().toArray();
        if (xs.length == 0) {
            throw new MalformedModelException(where + ": expected an input with a batch dimension, found a scalar");
        }
        long n = 1;
        for (int i = 1; i < xs.length; i++) {
            n *= xs[i];
        }
        return reshapeTo(x, Shape.of(xs[0], (int) n), base);
    }

    private Value reshape(Cfg c, Value x) throws MalformedModelException {
        List<Object> tl = c.list("target_shape");
        if (tl.size() > 7) {
            throw c.fail("target_shape", "a shape of rank at most 7", "rank " + tl.size());
        }
        int[] t = new int[tl.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = c.toInt(tl.get(i), "target_shape", -1, Cfg.MAX_DIM);
        }
        int[] xs = x.shape().toArray();
        if (xs.length == 0) {
            throw new MalformedModelException(where + ": expected an input with a batch dimension, found a scalar");
        }
        long total = (long) x.shape().elementCount() / Math.max(xs[0], 1);
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0) {
                if (unknown >= 0) {
                    throw c.fail("target_shape", "at most one unknown (-1) dimension", Arrays.toString(t));
                }
                unknown = i;
            } else {
                known *= t[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || total % known != 0) {
                throw c.fail("target_shape", "a shape dividing " + total + " elements", Arrays.toString(t));
            }
            t[unknown] = (int) (total / known);
            known = total;
        }
        if (known != total) {
            throw c.fail("target_shape", "a shape of " + total + " elements (input " + x.shape() + ")",
                    Arrays.toString(t));
        }
        int[] d = new int[t.length + 1];
        d[0] = xs[0];
        System.arraycopy(t, 0, d, 1, t.length);
        return reshapeTo(x, Shape.of(d), base);
    }

    /** Add, Multiply (a chain over any number of inputs) and Subtract (two inputs). */
    private Value elementwise(List<Value> in, Op op) throws MalformedModelException {
        Value acc = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            Value y = in.get(i);
            Shape s = broadcast(acc.shape(), y.shape());
            acc = node(i == in.size() - 1 ? base : base + "/" + op.kind().name().toLowerCase() + i, op,
                    List.of(acc.index(), y.index()), s);
        }
        return acc;
    }

    /** Permute: {@code dims} are 1-based axes after the batch axis, which stays first. */
    private Value permute(Cfg c, Value x) throws MalformedModelException {
        int r = x.shape().rank();
        int[] dims = c.ints("dims", Math.max(r - 1, 0), 1, Math.max(r - 1, 1), null);
        List<Integer> perm = new ArrayList<>();
        perm.add(0);
        boolean[] seen = new boolean[r];
        int[] d = new int[r];
        d[0] = x.shape().dim(0);
        for (int i = 0; i < dims.length; i++) {
            if (seen[dims[i]]) {
                throw c.fail("dims", "a permutation of 1.." + (r - 1), Arrays.toString(dims));
            }
            seen[dims[i]] = true;
            perm.add(dims[i]);
            d[i + 1] = x.shape().dim(dims[i]);
        }
        return node(base, new Op.Transpose(perm), List.of(x.index()), Shape.of(d));
    }

    /** Rescaling: {@code x * scale + offset} with scalar scale and offset. */
    private Value rescale(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        if (c.raw("scale") instanceof List || c.raw("offset") instanceof List) {
            throw unsupported("per-channel scale or offset");
        }
        float scale = (float) c.num("scale", 1);
        float offset = (float) c.num("offset", 0);
        int si = constant(base + "/scale", Shape.of(1), new float[] {scale});
        int oi = constant(base + "/offset", Shape.of(1), new float[] {offset});
        Value m = node(base + "/mul", new Op.Mul(Activation.NONE), List.of(x.index(), si), x.shape());
        return node(base, new Op.Add(Activation.NONE), List.of(m.index(), oi), x.shape());
    }

    private Value concat(Cfg c, List<Value> in) throws MalformedModelException {
        int r = in.get(0).shape().rank();
        int axis = c.integer("axis", -r, Math.max(r - 1, 0), -1);
        axis = axis < 0 ? axis + r : axis;
        int[] d = in.get(0).shape().toArray();
        long sum = 0;
        List<Integer> idx = new ArrayList<>();
        for (Value v : in) {
            if (v.shape().rank() != r) {
                throw new MalformedModelException(where + ": expected inputs of rank " + r + ", found " + v.shape());
            }
            for (int a = 0; a < r; a++) {
                if (a != axis && v.shape().dim(a) != d[a]) {
                    throw new MalformedModelException(where + ": expected inputs equal except on axis " + axis
                            + ", found " + in.get(0).shape() + " and " + v.shape());
                }
            }
            sum += v.shape().dim(axis);
            idx.add(v.index());
        }
        d[axis] = channels(sum);
        return node(base, new Op.Concatenation(axis, Activation.NONE), idx, Shape.of(d));
    }

    private Value zeroPad(Cfg c, Value x) throws MalformedModelException, UnsupportedOperatorException {
        channelsLast(c);
        int[] xs = rank(x, 4);
        Object v = c.raw("padding");
        int[] p = new int[4]; // top, bottom, left, right
        if (v == null) {
            Arrays.fill(p, 1);
        } else if (v instanceof Number) {
            Arrays.fill(p, c.toInt(v, "padding", 0, Cfg.MAX_DIM));
        } else if (v instanceof List<?> l && l.size() == 2) {
            for (int i = 0; i < 2; i++) {
                if (l.get(i) instanceof List<?> pair) {
                    if (pair.size() != 2) {
                        throw c.fail("padding", "pairs of 2 integers", v);
                    }
                    p[2 * i] = c.toInt(pair.get(0), "padding", 0, Cfg.MAX_DIM);
                    p[2 * i + 1] = c.toInt(pair.get(1), "padding", 0, Cfg.MAX_DIM);
                } else {
                    p[2 * i] = p[2 * i + 1] = c.toInt(l.get(i), "padding", 0, Cfg.MAX_DIM);
                }
            }
        } else {
            throw c.fail("padding", "an integer, 2 integers or 2 pairs of integers", v);
        }
        Shape ys = Shape.of(xs[0], channels((long) xs[1] + p[0] + p[1]), channels((long) xs[2] + p[2] + p[3]), xs[3]);
        return node(base, new Op.Pad(List.of(0, p[0], p[2], 0), List.of(0, p[1], p[3], 0), 0f), List.of(x.index()), ys);
    }

    // ---------------------------------------------------------------- activations

    private String activationName(Cfg c) throws MalformedModelException, UnsupportedOperatorException {
        Object a = c.raw("activation");
        if (a == null) {
            return "linear";
        }
        if (a instanceof String s) {
            return s;
        }
        if (a instanceof Map<?, ?> m) {
            Cfg ac = Cfg.of(m, where + ": activation");
            if (ac.raw("config") instanceof String s) {
                return s;
            }
            throw unsupported("activation object " + Cfg.shorten(a) + "; expected a built-in activation name");
        }
        throw c.fail("activation", "a string", a);
    }

    /** Emits a node with its activation fused when the IR can, or as a node after it. */
    private Value fused(Cfg c, Op op, List<Integer> in, Shape ys) throws MalformedModelException,
            UnsupportedOperatorException {
        String act = activationName(c);
        Activation fused = switch (act) {
            case "linear" -> Activation.NONE;
            case "relu" -> Activation.RELU;
            case "relu6" -> Activation.RELU6;
            case "tanh" -> Activation.TANH;
            default -> null;
        };
        if (fused != null) {
            return node(base, op.withActivation(fused), in, ys);
        }
        checkActivation(act);
        Value pre = node(base + "/preact", op, in, ys);
        return activation(act, pre, base);
    }

    private void checkActivation(String act) throws UnsupportedOperatorException {
        switch (act) {
            case "linear", "relu", "relu6", "sigmoid", "tanh", "hard_swish", "hard_silu", "softmax", "swish",
                 "silu", "leaky_relu" -> {
            }
            default -> throw unsupported("activation '" + act + "'");
        }
    }

    private Value activation(String act, Value x, String name) throws MalformedModelException,
            UnsupportedOperatorException {
        checkActivation(act);
        return switch (act) {
            case "linear" -> reshapeTo(x, x.shape(), name);
            case "relu" -> unary(new Op.Relu(), x, name);
            case "relu6" -> unary(new Op.Relu6(), x, name);
            case "sigmoid" -> unary(new Op.Logistic(), x, name);
            case "tanh" -> unary(new Op.Tanh(), x, name);
            case "hard_swish", "hard_silu" -> unary(new Op.HardSwish(), x, name);
            case "leaky_relu" -> unary(new Op.LeakyRelu(0.2f), x, name);
            case "softmax" -> unary(new Op.Softmax(1f), x, name);
            default -> { // swish / silu: x * sigmoid(x)
                Value s = unary(new Op.Logistic(), x, name + "/sigmoid");
                yield node(name, new Op.Mul(Activation.NONE), List.of(x.index(), s.index()), x.shape());
            }
        };
    }

    // ---------------------------------------------------------------- helpers

    private Value unary(Op op, Value x, String name) throws MalformedModelException {
        return node(name, op, List.of(x.index()), x.shape());
    }

    private Value reshapeTo(Value x, Shape s, String name) throws MalformedModelException {
        return node(name, new Op.Reshape(), List.of(x.index()), s);
    }

    private Value node(String name, Op op, List<Integer> in, Shape ys) throws MalformedModelException {
        Value y = activationTensor(name, ys);
        b.addNode(name, op, in, List.of(y.index()));
        return y;
    }

    private Value activationTensor(String name, Shape s) throws MalformedModelException {
        activationBytes += 4L * s.elementCount();
        if (activationBytes > MAX_ACTIVATION_BYTES) {
            throw new MalformedModelException(where + ": expected activations of at most " + MAX_ACTIVATION_BYTES
                    + " bytes in total (1 GiB), found " + activationBytes + " at tensor '" + name + "' " + s);
        }
        return new Value(b.addTensor(Tensor.activation(name, DataType.FLOAT32, s)), s);
    }

    /** Adds a weight constant named after the layer, once: the calls of a shared layer share it. */
    private int constant(String name, Shape s, float[] values) {
        String full = layer.name() + name.substring(base.length());
        Integer known = constants.get(full);
        if (known != null) {
            return known;
        }
        int i = b.addTensor(Tensor.ofFloats(full, s, values));
        constants.put(full, i);
        return i;
    }

    /** Fetches a layer's weights (once per layer, shared by its calls) and checks count and names. */
    private List<KerasWeights.Weight> weights(int count, String... roles) throws MalformedModelException {
        List<KerasWeights.Weight> w = weights.weights(layer.name(), layer.keras3Key());
        if (w.size() != count) {
            throw new MalformedModelException(where + ": expected " + count + " stored weights ("
                    + String.join(", ", Arrays.stream(roles).filter(r -> r != null).toList()) + "), found " + w.size());
        }
        for (int i = 0; i < count; i++) {
            String n = w.get(i).name();
            String leaf = n.substring(n.lastIndexOf('/') + 1);
            int colon = leaf.indexOf(':');
            leaf = colon >= 0 ? leaf.substring(0, colon) : leaf;
            if (isRole(leaf) && !leaf.equals(roles[i])) {
                throw new MalformedModelException(where + ": expected weight " + i + " to be '" + roles[i] + "', found '"
                        + n + "'");
            }
        }
        return w;
    }

    private static boolean isRole(String s) {
        return switch (s) {
            case "kernel", "bias", "depthwise_kernel", "pointwise_kernel", "gamma", "beta", "moving_mean",
                 "moving_variance" -> true;
            default -> false;
        };
    }

    private float[] read(KerasWeights.Weight w, int... expected) throws MalformedModelException {
        if (!Arrays.equals(w.dims(), expected)) {
            throw new MalformedModelException(where + ": weight '" + w.name() + "': expected shape "
                    + Arrays.toString(expected) + ", found " + Arrays.toString(w.dims()));
        }
        return w.read();
    }

    private static float[] hwioToOhwi(float[] k, int kh, int kw, int ci, int co) {
        float[] t = new float[k.length];
        for (int h = 0; h < kh; h++) {
            for (int w = 0; w < kw; w++) {
                for (int i = 0; i < ci; i++) {
                    int src = ((h * kw + w) * ci + i) * co;
                    for (int o = 0; o < co; o++) {
                        t[((o * kh + h) * kw + w) * ci + i] = k[src + o];
                    }
                }
            }
        }
        return t;
    }

    private int out(Padding p, int in, int k, int stride, int dilation) throws MalformedModelException {
        long effective = (long) (k - 1) * dilation + 1;
        int o = p == Padding.SAME ? p.outputSize(in, k, stride, dilation)
                : effective > in ? 0 : p.outputSize(in, k, stride, dilation);
        if (o < 1) {
            throw new MalformedModelException(where + ": expected a window of at most " + in + " (input size) with "
                    + "padding 'valid', found an effective window of " + effective);
        }
        return o;
    }

    private int channels(long n) throws MalformedModelException {
        if (n > Cfg.MAX_DIM) {
            throw new MalformedModelException(where + ": expected a dimension of at most " + Cfg.MAX_DIM + ", found "
                    + n);
        }
        return (int) n;
    }

    private Padding padding(Cfg c) throws MalformedModelException, UnsupportedOperatorException {
        String p = c.str("padding", "valid");
        return switch (p.toLowerCase()) {
            case "same" -> Padding.SAME;
            case "valid" -> Padding.VALID;
            default -> throw unsupported("padding '" + p + "'; expected 'same' or 'valid'");
        };
    }

    private void channelsLast(Cfg c) throws MalformedModelException, UnsupportedOperatorException {
        String f = c.str("data_format", "channels_last");
        if (!f.equals("channels_last")) {
            throw unsupported("data_format '" + f + "'; expected 'channels_last'");
        }
    }

    private int[] rank(Value x, int r) throws MalformedModelException {
        if (x.shape().rank() != r) {
            throw new MalformedModelException(where + ": expected an input of rank " + r + ", found " + x.shape());
        }
        return x.shape().toArray();
    }

    private void arity(List<Value> in, int min, int max) throws MalformedModelException {
        if (in.size() < min || in.size() > max) {
            throw new MalformedModelException(where + ": expected " + (min == max ? "" + min : min + " or more")
                    + " input(s) per call, found " + in.size());
        }
    }

    private Shape broadcast(Shape a, Shape s) throws MalformedModelException {
        int r = Math.max(a.rank(), s.rank());
        int[] d = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dim(i - (r - a.rank()));
            int db = i < r - s.rank() ? 1 : s.dim(i - (r - s.rank()));
            if (da != db && da != 1 && db != 1) {
                throw new MalformedModelException(where + ": expected inputs of broadcastable shapes, found " + a
                        + " and " + s);
            }
            d[i] = da == 1 ? db : da;
        }
        return Shape.of(d);
    }

    private UnsupportedOperatorException unsupported(String what) {
        return new UnsupportedOperatorException(layer.className(), where + ": " + what
                + " is not supported by the Keras reader");
    }
}
