package io.tinyml.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;

import java.util.List;
import java.util.Map;

/**
 * The IR's float operators written with DJL/PyTorch operations, with the IR's semantics (TFLite
 * padding, NHWC axes, flatten order). One instance per forward pass. Not thread-safe.
 */
final class IrOps {
    private final Graph graph;
    private final NDManager mgr;
    private final boolean training;
    private final Map<Integer, float[]> ranges;
    private final float bnMomentum;

    /** @param bnMomentum the share of the old running statistics kept per training batch (DJL's convention) */
    IrOps(Graph graph, NDManager mgr, boolean training, Map<Integer, float[]> ranges, float bnMomentum) {
        this.graph = graph;
        this.mgr = mgr;
        this.training = training;
        this.ranges = ranges;
        this.bnMomentum = bnMomentum;
    }

    /**
     * A value flowing between operators. A 4-D IR tensor may be held NCHW ({@code nchw}); every other
     * value is in the IR layout.
     *
     * @param array the array
     * @param nchw whether the array is the NCHW permutation of a 4-D NHWC tensor
     */
    record Value(NDArray array, boolean nchw) {
        static Value ir(NDArray a) {
            return new Value(a, false);
        }

        static Value nchw(NDArray a) {
            return new Value(a, true);
        }

        /** The array in the IR layout. */
        NDArray ir() {
            return nchw ? array.transpose(0, 2, 3, 1) : array;
        }

        /** The array NCHW; only for 4-D values. */
        NDArray toNchw() {
            return nchw ? array : array.transpose(0, 3, 1, 2);
        }

        Value map(java.util.function.UnaryOperator<NDArray> f) {
            return new Value(f.apply(array), nchw);
        }
    }

    /**
     * Checks that a node can be run and trained.
     *
     * @param g the graph
     * @param n the node
     * @throws UnsupportedOperatorException if it cannot
     */
    static void check(Graph g, Node n) throws UnsupportedOperatorException {
        String why = switch (n.op().kind()) {
            case QUANTIZE, DEQUANTIZE -> "quantized models are not trained; train the float model, then quantize";
            case POOL -> "N-d pooling with dilations or explicit pads has no DJL layer here; expected 2-D pooling";
            case PAD -> ((io.tinyml.core.ir.Op.Pad) n.op()).mode() == io.tinyml.core.ir.PadMode.CONSTANT ? null
                    : "expected constant padding, found " + ((io.tinyml.core.ir.Op.Pad) n.op()).mode();
            case BATCH_NORMALIZATION -> {
                int r = g.tensor(n.input(0)).shape().rank();
                yield r == 2 || r == 4 ? null : "expected a 2-D or 4-D batch-norm input, found rank " + r;
            }
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN,
                    RESHAPE, CONCATENATION, SOFTMAX, RELU, RELU6, CLIP, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH,
                    TRANSPOSE, LOG_SOFTMAX -> null;
        };
        if (why != null) {
            throw new UnsupportedOperatorException(n.op().kind().name(), "cannot train " + n.op().kind()
                    + " node '" + n.name() + "' in tinyml-train (DJL PyTorch engine): " + why);
        }
    }

    Value apply(Node n, Map<Integer, Value> values) {
        Value x = values.get(n.input(0));
        Op op = n.op();
        Value y = switch (op.kind()) {
            case CONV_2D -> {
                Op.Conv2D c = (Op.Conv2D) op;
                yield conv(n, x, values, c.strideH(), c.strideW(), c.dilationH(), c.dilationW(), c.padding(), false);
            }
            case DEPTHWISE_CONV_2D -> {
                Op.DepthwiseConv2D c = (Op.DepthwiseConv2D) op;
                yield conv(n, x, values, c.strideH(), c.strideW(), c.dilationH(), c.dilationW(), c.padding(), true);
            }
            case FULLY_CONNECTED -> fullyConnected(n, x, values, ((Op.FullyConnected) op).keepNumDims());
            case ADD -> binary(x, values.get(n.input(1)), NDArray::add);
            case SUB -> binary(x, values.get(n.input(1)), NDArray::sub);
            case MUL -> binary(x, values.get(n.input(1)), NDArray::mul);
            case AVERAGE_POOL_2D -> {
                Op.AveragePool2D p = (Op.AveragePool2D) op;
                yield avgPool(n, x, p.filterH(), p.filterW(), p.strideH(), p.strideW(), p.padding());
            }
            case MAX_POOL_2D -> {
                Op.MaxPool2D p = (Op.MaxPool2D) op;
                yield maxPool(n, x, p.filterH(), p.filterW(), p.strideH(), p.strideW(), p.padding());
            }
            case MEAN -> mean(x, ((Op.Mean) op).axes(), ((Op.Mean) op).keepDims());
            case RESHAPE -> reshape(n, x);
            case CONCATENATION -> concat(n, values, ((Op.Concatenation) op).axis());
            case PAD -> {
                Op.Pad p = (Op.Pad) op;
                yield pad(x, p.before(), p.after(), p.value());
            }
            case SOFTMAX -> Value.ir(x.ir().mul(((Op.Softmax) op).beta()).softmax(-1));
            // log-softmax outputs are logits shifted by a constant per row, so the cross-entropy loss treats them alike
            case LOG_SOFTMAX -> Value.ir(x.ir().logSoftmax(-1));
            case RELU -> x.map(a -> a.maximum(0f));
            case RELU6 -> x.map(a -> a.clip(0f, 6f));
            case CLIP -> x.map(a -> clip(a, ((Op.Clip) op).min(), ((Op.Clip) op).max()));
            case LEAKY_RELU -> x.map(a -> ai.djl.nn.Activation.leakyRelu(a, ((Op.LeakyRelu) op).alpha()));
            case LOGISTIC -> x.map(ai.djl.nn.Activation::sigmoid);
            case TANH -> x.map(ai.djl.nn.Activation::tanh);
            case HARD_SWISH -> x.map(a -> a.mul(a.add(3f).clip(0f, 6f)).div(6f));
            case TRANSPOSE -> Value.ir(x.ir().transpose(
                    ((Op.Transpose) op).perm().stream().mapToInt(Integer::intValue).toArray()));
            case BATCH_NORMALIZATION -> batchNorm(n, x, values, ((Op.BatchNormalization) op).epsilon());
            case QUANTIZE, DEQUANTIZE, POOL -> throw new IllegalStateException("expected no " + op.kind()
                    + " node (refused by check), found '" + n.name() + "'");
        };
        Value out = n.op().activation() == Activation.NONE ? y : y.map(a -> activation(a, n.op().activation()));
        float[] r = ranges == null ? null : ranges.get(n.output(0));
        if (r != null) {
            out = out.map(a -> FakeQuant.activation(a, r[0], r[1]));
        }
        out.array().attach(mgr);
        return out;
    }

    private static NDArray activation(NDArray a, Activation act) {
        return switch (act) {
            case NONE -> a;
            case RELU -> a.maximum(0f);
            case RELU6 -> a.clip(0f, 6f);
            case RELU_N1_TO_1 -> a.clip(-1f, 1f);
            case TANH -> ai.djl.nn.Activation.tanh(a);
        };
    }

    private static NDArray clip(NDArray a, float min, float max) {
        NDArray r = a;
        if (min != Float.NEGATIVE_INFINITY) {
            r = r.maximum(min);
        }
        if (max != Float.POSITIVE_INFINITY) {
            r = r.minimum(max);
        }
        return r == a ? a.mul(1f) : r;
    }

    private Value conv(Node n, Value x, Map<Integer, Value> values, int sh, int sw, int dh, int dw, Padding padding,
                       boolean depthwise) {
        Shape in = graph.tensor(n.input(0)).shape();
        Shape out = graph.tensor(n.output(0)).shape();
        Shape w = graph.tensor(n.input(1)).shape();
        int kh = w.dim(1);
        int kw = w.dim(2);
        int groups = depthwise ? in.dim(3) : in.dim(3) / w.dim(3);
        int[] ph = pads(padding, in.dim(1), kh, sh, dh, out.dim(1));
        int[] pw = pads(padding, in.dim(2), kw, sw, dw, out.dim(2));
        NDArray a = x.toNchw();
        ai.djl.ndarray.types.Shape sym;
        if (ph[0] == ph[1] && pw[0] == pw[1]) {
            sym = new ai.djl.ndarray.types.Shape(ph[0], pw[0]);
        } else {
            a = a.pad(new ai.djl.ndarray.types.Shape(pw[0], pw[1], ph[0], ph[1]), 0);
            sym = new ai.djl.ndarray.types.Shape(0, 0);
        }
        if (depthwise && w.dim(3) != in.dim(3)) {
            // A depthwise multiplier m > 1 runs as input channels repeated m times in place (output channel o
            // reads input channel o / m, as in TFLite) and one filter per channel. The direct form, a conv
            // with groups = input channels and m outputs per group, returned wrong values from libtorch 2.7.1
            // on an AVX-512 (Zen 4) machine (off by up to 2.5 against a naive sum, where ours matched to
            // 1e-7), while its one-output-per-group form is right everywhere; the two are the same sum.
            a = a.repeat(1, w.dim(3) / in.dim(3));
            groups = w.dim(3);
        }
        NDArray weight = weight(values.get(n.input(1)).array());
        NDArray bias = n.inputs().size() > 2 && n.input(2) != Node.ABSENT ? values.get(n.input(2)).array() : null;
        NDList r = Conv2d.conv2d(a, weight, bias, new ai.djl.ndarray.types.Shape(sh, sw), sym,
                new ai.djl.ndarray.types.Shape(dh, dw), groups);
        return Value.nchw(r.singletonOrThrow());
    }

    private NDArray weight(NDArray w) {
        return ranges == null ? w : FakeQuant.weightPerChannel(w);
    }

    /** Leading and trailing padding of one spatial axis by TFLite's rule. */
    static int[] pads(Padding padding, int in, int k, int stride, int dilation, int out) {
        if (padding == Padding.VALID) {
            return new int[] {0, 0};
        }
        int effective = (k - 1) * dilation + 1;
        int total = Math.max((out - 1) * stride + effective - in, 0);
        int before = padding.padBefore(in, k, stride, dilation, out);
        return new int[] {before, total - before};
    }

    private Value fullyConnected(Node n, Value x, Map<Integer, Value> values, boolean keepNumDims) {
        NDArray w = weight(values.get(n.input(1)).array());
        long inner = w.getShape().get(1);
        NDArray a = x.ir();
        NDArray flat = a.reshape(-1, inner);
        NDArray bias = n.inputs().size() > 2 && n.input(2) != Node.ABSENT ? values.get(n.input(2)).array() : null;
        NDArray y = (bias == null ? Linear.linear(flat, w) : Linear.linear(flat, w, bias)).singletonOrThrow();
        if (keepNumDims) {
            long[] d = a.getShape().getShape();
            d[d.length - 1] = w.getShape().get(0);
            y = y.reshape(new ai.djl.ndarray.types.Shape(d));
        }
        return Value.ir(y);
    }

    private static Value binary(Value a, Value b, java.util.function.BinaryOperator<NDArray> f) {
        if (a.array().getShape().dimension() == 4 && b.array().getShape().dimension() == 4) {
            // both 4-D: combine NCHW, broadcasting is the same up to the permutation
            return Value.nchw(f.apply(a.toNchw(), b.toNchw()));
        }
        return Value.ir(f.apply(a.ir(), b.ir()));
    }

    private Value avgPool(Node n, Value x, int kh, int kw, int sh, int sw, Padding padding) {
        Shape in = graph.tensor(n.input(0)).shape();
        Shape out = graph.tensor(n.output(0)).shape();
        int[] ph = pads(padding, in.dim(1), kh, sh, 1, out.dim(1));
        int[] pw = pads(padding, in.dim(2), kw, sw, 1, out.dim(2));
        ai.djl.ndarray.types.Shape k = new ai.djl.ndarray.types.Shape(kh, kw);
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(sh, sw);
        ai.djl.ndarray.types.Shape zero = new ai.djl.ndarray.types.Shape(0, 0);
        NDArray a = x.toNchw();
        if (ph[0] + ph[1] + pw[0] + pw[1] == 0) {
            return Value.nchw(Pool.avgPool2d(a, k, s, zero, false, true));
        }
        // TFLite averages over the valid positions only: sum over zero padding / count of valid positions
        ai.djl.ndarray.types.Shape p = new ai.djl.ndarray.types.Shape(pw[0], pw[1], ph[0], ph[1]);
        NDArray sum = Pool.avgPool2d(a.pad(p, 0), k, s, zero, false, true);
        NDArray ones = mgr.ones(new ai.djl.ndarray.types.Shape(1, 1, in.dim(1), in.dim(2)));
        NDArray count = Pool.avgPool2d(ones.pad(p, 0), k, s, zero, false, true);
        return Value.nchw(sum.div(count));
    }

    private Value maxPool(Node n, Value x, int kh, int kw, int sh, int sw, Padding padding) {
        Shape in = graph.tensor(n.input(0)).shape();
        Shape out = graph.tensor(n.output(0)).shape();
        int[] ph = pads(padding, in.dim(1), kh, sh, 1, out.dim(1));
        int[] pw = pads(padding, in.dim(2), kw, sw, 1, out.dim(2));
        NDArray a = x.toNchw();
        if (ph[0] + ph[1] + pw[0] + pw[1] > 0) {
            a = a.pad(new ai.djl.ndarray.types.Shape(pw[0], pw[1], ph[0], ph[1]), Double.NEGATIVE_INFINITY);
        }
        return Value.nchw(Pool.maxPool2d(a, new ai.djl.ndarray.types.Shape(kh, kw),
                new ai.djl.ndarray.types.Shape(sh, sw), new ai.djl.ndarray.types.Shape(0, 0), false));
    }

    private static Value mean(Value x, List<Integer> axes, boolean keepDims) {
        if (x.nchw() && keepDims && axes.equals(List.of(1, 2))) {
            return Value.nchw(meanOver(x.array(), new int[] {2, 3}, true));
        }
        return Value.ir(meanOver(x.ir(), axes.stream().mapToInt(Integer::intValue).toArray(), keepDims));
    }

    /** Mean over several axes, one at a time (PyTorch's engine in DJL reduces one axis per call). */
    private static NDArray meanOver(NDArray a, int[] axes, boolean keepDims) {
        int[] sorted = axes.clone();
        java.util.Arrays.sort(sorted);
        NDArray r = a;
        for (int i = sorted.length - 1; i >= 0; i--) {
            r = r.mean(new int[] {sorted[i]}, keepDims);
        }
        return r;
    }

    private Value reshape(Node n, Value x) {
        Shape in = graph.tensor(n.input(0)).shape();
        Shape out = graph.tensor(n.output(0)).shape();
        NDArray a = x.ir();
        long batch = a.getShape().get(0);
        long[] d = IrBlock.toLongs(out);
        if (in.rank() > 0 && out.rank() > 0 && in.dim(0) == out.dim(0)) {
            d[0] = batch;
        } else if (in.rank() == 0 || batch != in.dim(0)) {
            throw new IllegalArgumentException("expected reshape '" + n.name() + "' to keep the batch axis for a "
                    + "batch of " + batch + ", found " + in + " -> " + out);
        }
        return Value.ir(a.reshape(new ai.djl.ndarray.types.Shape(d)));
    }

    private static Value concat(Node n, Map<Integer, Value> values, int axis) {
        NDList parts = new NDList();
        boolean allNchw = true;
        for (int i : n.inputs()) {
            allNchw &= values.get(i).nchw();
        }
        if (allNchw) {
            int[] toNchw = {0, 2, 3, 1};
            for (int i : n.inputs()) {
                parts.add(values.get(i).array());
            }
            return Value.nchw(NDArrays.concat(parts, toNchw[axis]));
        }
        for (int i : n.inputs()) {
            parts.add(values.get(i).ir());
        }
        return Value.ir(NDArrays.concat(parts, axis));
    }

    private static Value pad(Value x, List<Integer> before, List<Integer> after, float value) {
        NDArray a = x.ir();
        int rank = before.size();
        long[] p = new long[rank * 2];
        for (int i = 0; i < rank; i++) {
            // PyTorch lists pads from the last axis backwards
            p[2 * i] = before.get(rank - 1 - i);
            p[2 * i + 1] = after.get(rank - 1 - i);
        }
        return Value.ir(a.pad(new ai.djl.ndarray.types.Shape(p), value));
    }

    private Value batchNorm(Node n, Value x, Map<Integer, Value> values, float epsilon) {
        NDArray a = x.array().getShape().dimension() == 4 ? x.toNchw() : x.ir();
        NDArray gamma = values.get(n.input(1)).array();
        NDArray beta = values.get(n.input(2)).array();
        NDArray mean = values.get(n.input(3)).array();
        NDArray var = values.get(n.input(4)).array();
        NDArray y = BatchNorm.batchNorm(a, mean, var, gamma, beta, 1, bnMomentum, epsilon, training)
                .singletonOrThrow();
        return a.getShape().dimension() == 4 ? Value.nchw(y) : Value.ir(y);
    }
}
