package io.tinyml.core.ir;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shape and type rules of every operator, checked when a graph is built so that kernels can index
 * without bounds surprises. Messages name the node.
 */
final class OpChecks {
    private OpChecks() {
    }

    static void check(Node node, List<Tensor> tensors) {
        Op op = node.op();
        String where = GraphBuilder.describe(node);
        // one arm per operator: a new OpKind does not compile until it has its rule
        Runnable rule = switch (op.kind()) {
            case CONV_2D -> () -> conv(node, (Op.Conv2D) op, tensors, where);
            case DEPTHWISE_CONV_2D -> () -> depthwise(node, (Op.DepthwiseConv2D) op, tensors, where);
            case FULLY_CONNECTED -> () -> fullyConnected(node, (Op.FullyConnected) op, tensors, where);
            case ADD, SUB, MUL -> () -> broadcast(node, tensors, where);
            case AVERAGE_POOL_2D -> () -> {
                Op.AveragePool2D p = (Op.AveragePool2D) op;
                pool(node, tensors, where, p.filterH(), p.filterW(), p.strideH(), p.strideW(), p.padding());
            };
            case MAX_POOL_2D -> () -> {
                Op.MaxPool2D p = (Op.MaxPool2D) op;
                pool(node, tensors, where, p.filterH(), p.filterW(), p.strideH(), p.strideW(), p.padding());
            };
            case POOL -> () -> PoolChecks.check(node, (Op.Pool) op, tensors, where);
            case MEAN -> () -> mean(node, (Op.Mean) op, tensors, where);
            case RESHAPE -> () -> {
                arity(node, 1, 1, 1, where);
                Tensor x = in(node, 0, tensors, where);
                Tensor y = out(node, 0, tensors);
                sameType(x, y, where);
                if (x.shape().elementCount() != y.shape().elementCount()) {
                    throw fail(where, "output of " + x.shape().elementCount() + " elements",
                            y.shape() + " (" + y.shape().elementCount() + " elements) from input " + x.shape());
                }
            };
            case CONCATENATION -> () -> concat(node, (Op.Concatenation) op, tensors, where);
            case PAD -> () -> pad(node, (Op.Pad) op, tensors, where);
            case SOFTMAX, LOG_SOFTMAX, RELU, RELU6, CLIP, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH -> () -> {
                arity(node, 1, 1, 1, where);
                Tensor x = in(node, 0, tensors, where);
                Tensor y = out(node, 0, tensors);
                // TFLite's softmax may widen int8 scores to int16 probabilities
                boolean widening = op.kind() == OpKind.SOFTMAX && x.type() == DataType.INT8 && y.type() == DataType.INT16;
                if (!widening) {
                    sameType(x, y, where);
                }
                sameShape(x.shape(), y.shape(), where);
            };
            case QUANTIZE, DEQUANTIZE -> () -> {
                arity(node, 1, 1, 1, where);
                Tensor x = in(node, 0, tensors, where);
                Tensor y = out(node, 0, tensors);
                sameShape(x.shape(), y.shape(), where);
                if (op.kind() == OpKind.DEQUANTIZE && y.type() != DataType.FLOAT32) {
                    throw fail(where, "a FLOAT32 output", y.type().toString());
                }
                if (op.kind() == OpKind.QUANTIZE && y.quant().isEmpty()) {
                    throw fail(where, "quantization parameters on output '" + y.name() + "'", "none");
                }
            };
            case TRANSPOSE -> () -> transpose(node, (Op.Transpose) op, tensors, where);
            case BATCH_NORMALIZATION -> () -> {
                arity(node, 5, 5, 1, where);
                Tensor x = in(node, 0, tensors, where);
                Tensor y = out(node, 0, tensors);
                sameShape(x.shape(), y.shape(), where);
                int c = x.shape().rank() == 0 ? 1 : x.shape().dim(-1);
                for (int i = 1; i < 5; i++) {
                    Tensor p = in(node, i, tensors, where);
                    if (p.shape().elementCount() != c) {
                        throw fail(where, c + " values in parameter '" + p.name() + "'", p.shape().toString());
                    }
                }
            };
        };
        rule.run();
    }

    private static void conv(Node node, Op.Conv2D c, List<Tensor> t, String where) {
        arity(node, 2, 3, 1, where);
        positive(where, c.strideH(), c.strideW(), c.dilationH(), c.dilationW());
        Shape x = rank(in(node, 0, t, where), 4, where);
        Shape w = rank(in(node, 1, t, where), 4, where);
        if (w.dim(3) == 0 || x.dim(3) % w.dim(3) != 0) {
            throw fail(where, "input channels " + x.dim(3) + " to be a multiple of the filter depth", "" + w.dim(3));
        }
        int groups = x.dim(3) / w.dim(3);
        if (w.dim(0) % groups != 0) {
            throw fail(where, "output channels divisible by " + groups + " groups", "" + w.dim(0));
        }
        bias(node, t, w.dim(0), where);
        int oh = c.padding().outputSize(x.dim(1), w.dim(1), c.strideH(), c.dilationH());
        int ow = c.padding().outputSize(x.dim(2), w.dim(2), c.strideW(), c.dilationW());
        expectShape(out(node, 0, t), Shape.of(x.dim(0), oh, ow, w.dim(0)), where);
    }

    private static void depthwise(Node node, Op.DepthwiseConv2D c, List<Tensor> t, String where) {
        arity(node, 2, 3, 1, where);
        positive(where, c.strideH(), c.strideW(), c.dilationH(), c.dilationW());
        Shape x = rank(in(node, 0, t, where), 4, where);
        Shape w = rank(in(node, 1, t, where), 4, where);
        if (w.dim(0) != 1 || x.dim(3) == 0 || w.dim(3) % x.dim(3) != 0) {
            throw fail(where, "a [1,KH,KW,C*M] filter for " + x.dim(3) + " input channels", w.toString());
        }
        if (c.depthMultiplier() != w.dim(3) / x.dim(3)) {
            throw fail(where, "depth multiplier " + w.dim(3) / x.dim(3), "" + c.depthMultiplier());
        }
        bias(node, t, w.dim(3), where);
        int oh = c.padding().outputSize(x.dim(1), w.dim(1), c.strideH(), c.dilationH());
        int ow = c.padding().outputSize(x.dim(2), w.dim(2), c.strideW(), c.dilationW());
        expectShape(out(node, 0, t), Shape.of(x.dim(0), oh, ow, w.dim(3)), where);
    }

    private static void fullyConnected(Node node, Op.FullyConnected f, List<Tensor> t, String where) {
        arity(node, 2, 3, 1, where);
        Shape x = in(node, 0, t, where).shape();
        Shape w = rank(in(node, 1, t, where), 2, where);
        int depth = w.dim(1);
        if (depth == 0 || x.elementCount() % depth != 0) {
            throw fail(where, "input elements (" + x.elementCount() + ") a multiple of the weights' input size",
                    "" + depth);
        }
        bias(node, t, w.dim(0), where);
        Shape y = out(node, 0, t).shape();
        int batch = x.elementCount() / depth;
        if (y.rank() == 0 || y.dim(-1) != w.dim(0) || y.elementCount() != batch * w.dim(0)) {
            throw fail(where, "output of " + batch + " x " + w.dim(0), y.toString());
        }
    }

    private static void broadcast(Node node, List<Tensor> t, String where) {
        arity(node, 2, 2, 1, where);
        Tensor a = in(node, 0, t, where);
        Tensor b = in(node, 1, t, where);
        Tensor y = out(node, 0, t);
        if (a.type() != b.type() || a.type() != y.type()) {
            throw fail(where, "one data type for inputs and output", a.type() + ", " + b.type() + " -> " + y.type());
        }
        expectShape(y, broadcastShape(a.shape(), b.shape(), where), where);
    }

    /**
     * Numpy broadcasting of two shapes.
     */
    static Shape broadcastShape(Shape a, Shape b, String where) {
        int r = Math.max(a.rank(), b.rank());
        int[] d = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dim(i - (r - a.rank()));
            int db = i < r - b.rank() ? 1 : b.dim(i - (r - b.rank()));
            if (da != db && da != 1 && db != 1) {
                throw fail(where, "broadcastable shapes", a + " and " + b);
            }
            d[i] = da == 1 ? db : da;
        }
        return Shape.of(d);
    }

    private static void pool(Node node, List<Tensor> t, String where, int fh, int fw, int sh, int sw, Padding p) {
        arity(node, 1, 1, 1, where);
        positive(where, fh, fw, sh, sw);
        Tensor xt = in(node, 0, t, where);
        Shape x = rank(xt, 4, where);
        Tensor y = out(node, 0, t);
        sameType(xt, y, where);
        expectShape(y, Shape.of(x.dim(0), p.outputSize(x.dim(1), fh, sh, 1), p.outputSize(x.dim(2), fw, sw, 1),
                x.dim(3)), where);
    }

    private static void mean(Node node, Op.Mean m, List<Tensor> t, String where) {
        arity(node, 1, 1, 1, where);
        Tensor x = in(node, 0, t, where);
        Tensor y = out(node, 0, t);
        sameType(x, y, where);
        int r = x.shape().rank();
        Set<Integer> axes = new HashSet<>();
        for (int a : m.axes()) {
            if (a < 0 || a >= r || !axes.add(a)) {
                throw fail(where, "distinct axes in [0, " + r + ")", m.axes().toString());
            }
        }
        int n = 1;
        for (int i = 0; i < r; i++) {
            if (!axes.contains(i)) {
                n *= x.shape().dim(i);
            }
        }
        if (y.shape().elementCount() != n) {
            throw fail(where, "output of " + n + " elements", y.shape().toString());
        }
    }

    private static void concat(Node node, Op.Concatenation c, List<Tensor> t, String where) {
        if (node.inputs().isEmpty()) {
            throw fail(where, "at least one input", "none");
        }
        arity(node, 1, Integer.MAX_VALUE, 1, where);
        Tensor first = in(node, 0, t, where);
        int r = first.shape().rank();
        if (c.axis() < 0 || c.axis() >= r) {
            throw fail(where, "an axis in [0, " + r + ")", "" + c.axis());
        }
        int[] d = first.shape().toArray();
        long sum = 0;
        for (int i = 0; i < node.inputs().size(); i++) {
            Tensor x = in(node, i, t, where);
            if (x.type() != first.type() || x.shape().rank() != r) {
                throw fail(where, "inputs of one type and rank", x.type() + x.shape().toString());
            }
            for (int a = 0; a < r; a++) {
                if (a != c.axis() && x.shape().dim(a) != d[a]) {
                    throw fail(where, "inputs equal except on axis " + c.axis(), first.shape() + " and " + x.shape());
                }
            }
            sum += x.shape().dim(c.axis());
        }
        d[c.axis()] = (int) Math.min(sum, Integer.MAX_VALUE);
        expectShape(out(node, 0, t), Shape.of(d), where);
    }

    private static void pad(Node node, Op.Pad p, List<Tensor> t, String where) {
        arity(node, 1, 1, 1, where);
        Tensor x = in(node, 0, t, where);
        Tensor y = out(node, 0, t);
        sameType(x, y, where);
        int r = x.shape().rank();
        if (p.before().size() != r) {
            throw fail(where, r + " padding pairs", "" + p.before().size());
        }
        int[] d = x.shape().toArray();
        for (int i = 0; i < r; i++) {
            if (p.before().get(i) < 0 || p.after().get(i) < 0) {
                throw fail(where, "non-negative paddings", p.before() + " / " + p.after());
            }
            long v = (long) d[i] + p.before().get(i) + p.after().get(i);
            if (v > Integer.MAX_VALUE) {
                throw fail(where, "a padded size below 2^31", "" + v);
            }
            d[i] = (int) v;
            int len = x.shape().dim(i);
            boolean padded = p.before().get(i) > 0 || p.after().get(i) > 0;
            if (padded && p.mode() != PadMode.CONSTANT && len == 0) {
                throw fail(where, p.mode() + " padding of a non-empty axis", "axis " + i + " of size 0");
            }
            if (p.mode() == PadMode.REFLECT && (p.before().get(i) >= len || p.after().get(i) >= len) && padded) {
                throw fail(where, "reflect pads shorter than axis " + i + " (" + len + ")", p.before().get(i) + " and "
                        + p.after().get(i));
            }
        }
        expectShape(y, Shape.of(d), where);
    }

    private static void transpose(Node node, Op.Transpose tr, List<Tensor> t, String where) {
        arity(node, 1, 1, 1, where);
        Tensor x = in(node, 0, t, where);
        Tensor y = out(node, 0, t);
        sameType(x, y, where);
        int r = x.shape().rank();
        int[] sorted = tr.perm().stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] identity = new int[r];
        Arrays.setAll(identity, i -> i);
        if (!Arrays.equals(sorted, identity)) {
            throw fail(where, "a permutation of " + r + " axes", tr.perm().toString());
        }
        int[] d = new int[r];
        for (int i = 0; i < r; i++) {
            d[i] = x.shape().dim(tr.perm().get(i));
        }
        expectShape(y, Shape.of(d), where);
    }

    private static void bias(Node node, List<Tensor> t, int channels, String where) {
        int b = node.input(2);
        if (b != Node.ABSENT && t.get(b).shape().elementCount() != channels) {
            throw fail(where, "a bias of " + channels + " values", t.get(b).shape().toString());
        }
    }

    static void arity(Node node, int minIn, int maxIn, int outs, String where) {
        int n = node.inputs().size();
        if (n < minIn || n > maxIn) {
            throw fail(where, (minIn == maxIn ? "" + minIn : minIn + ".." + (maxIn == Integer.MAX_VALUE ? "n" : maxIn))
                    + " inputs", "" + n);
        }
        if (node.outputs().size() != outs) {
            throw fail(where, outs + " output(s)", "" + node.outputs().size());
        }
        for (int i = 0; i < minIn; i++) {
            if (node.inputs().get(i) == Node.ABSENT) {
                throw fail(where, "input " + i + " to be present", "absent");
            }
        }
    }

    static Tensor in(Node node, int i, List<Tensor> t, String where) {
        int idx = node.input(i);
        if (idx == Node.ABSENT) {
            throw fail(where, "input " + i, "absent");
        }
        return t.get(idx);
    }

    static Tensor out(Node node, int i, List<Tensor> t) {
        return t.get(node.output(i));
    }

    private static Shape rank(Tensor x, int r, String where) {
        if (x.shape().rank() != r) {
            throw fail(where, "rank " + r + " for '" + x.name() + "'", x.shape().toString());
        }
        return x.shape();
    }

    static void positive(String where, int... values) {
        for (int v : values) {
            if (v < 1) {
                throw fail(where, "strides, dilations and window sizes >= 1", Arrays.toString(values));
            }
        }
    }

    static void sameType(Tensor x, Tensor y, String where) {
        if (x.type() != y.type()) {
            throw fail(where, "output type " + x.type() + " like the input", y.type().toString());
        }
    }

    private static void sameShape(Shape x, Shape y, String where) {
        if (!x.equals(y)) {
            throw fail(where, "output shape " + x, y.toString());
        }
    }

    static void expectShape(Tensor y, Shape expected, String where) {
        if (!y.shape().equals(expected)) {
            throw fail(where, "output shape " + expected, y.shape().toString());
        }
    }

    static InvalidGraphException fail(String where, String expected, String found) {
        return new InvalidGraphException(where + ": expected " + expected + ", found " + found);
    }
}
