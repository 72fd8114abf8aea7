package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.onnx.OnnxValues.Value;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps convolutions, pooling, reductions and batch normalization to NHWC IR nodes: weights are
 * permuted to OHWI / 1HWO, explicit paddings become SAME, VALID or a Pad node. Not thread-safe.
 */
final class OnnxConvOps extends OnnxNodeContext {
    OnnxConvOps(Shared shared) {
        super(shared);
    }

    void conv() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        Value w = in(1);
        Value bias = opt(2);
        if (x.rank() != 4 || w.rank() != 4) {
            throw unsupported("a 2-D convolution (rank-4 input and weights), found input rank " + x.rank());
        }
        requireFloat(x);
        int[] k = {w.shape[2], w.shape[3]};
        int[] ks = attrInts("kernel_shape", k);
        if (ks.length != 2 || ks[0] != k[0] || ks[1] != k[1]) {
            throw malformed("kernel_shape " + Arrays.toString(k) + " from the weights, found " + Arrays.toString(ks));
        }
        int[] strides = attrInts("strides", new int[] {1, 1});
        int[] dil = attrInts("dilations", new int[] {1, 1});
        int group = (int) attrI("group", 1);
        int c = x.shape[1];
        int m = w.shape[0];
        if (strides.length != 2 || dil.length != 2 || group < 1 || c % group != 0 || m % group != 0
                || w.shape[1] != c / group) {
            throw malformed("consistent strides, dilations, group and weights for " + c + " input channels, found group "
                    + group + " and weights " + Arrays.toString(w.shape));
        }
        int[] pads = resolvePads(x.shape, k, strides, dil, attrInts("pads", new int[] {0, 0, 0, 0}));
        Padding padding = spatialPadding(x.shape, k, strides, dil, pads);
        int xi = vs.nhwc(x);
        if (padding == null) {
            xi = padNhwc(x, xi, pads, 0f);
            padding = Padding.VALID;
        }
        boolean depthwise = group == c && w.shape[1] == 1 && group > 1;
        int wi;
        if (w.isConstant()) {
            wi = vs.constant(w, depthwise ? new int[] {1, 2, 3, 0} : OnnxTensors.TO_NHWC, w.shape);
        } else {
            wi = vs.nhwc(w); // OHWI
            if (depthwise) {
                int[] s = vs.b.tensor(wi).shape().toArray();
                int t = vs.activation(w.name + "_1hwo", w.type, new int[] {1, s[1], s[2], s[0]}, null);
                vs.node(w.name + "_1hwo", new Op.Transpose(List.of(3, 1, 2, 0)), List.of(wi), List.of(t));
                wi = t;
            }
        }
        int bi = bias == null ? Node.ABSENT : vs.plain(bias);
        int oh = Math.floorDiv(x.shape[2] + pads[0] + pads[2] - ((k[0] - 1) * dil[0] + 1), strides[0]) + 1;
        int ow = Math.floorDiv(x.shape[3] + pads[1] + pads[3] - ((k[1] - 1) * dil[1] + 1), strides[1]) + 1;
        if (oh < 1 || ow < 1) {
            throw malformed("a kernel within the padded input", Arrays.toString(x.shape) + " and kernel " + Arrays.toString(k));
        }
        Value y = outNhwc(0, x.type, new int[] {x.shape[0], m, oh, ow}, null);
        Op op = depthwise
                ? new Op.DepthwiseConv2D(strides[0], strides[1], dil[0], dil[1], padding, m / c, Activation.NONE)
                : new Op.Conv2D(strides[0], strides[1], dil[0], dil[1], padding, Activation.NONE);
        vs.node(node().name(), op, List.of(xi, wi, bi), List.of(y.nhwc));
        if (bi == Node.ABSENT) {
            biaslessFc.put(y, vs.b.nodes().size() - 1);
        }
    }

    /** Returns explicit pads {hb, wb, he, we} from the pads attribute or auto_pad. */
    int[] resolvePads(int[] x, int[] k, int[] s, int[] d, int[] pads)
            throws MalformedModelException, UnsupportedOperatorException {
        String autoPad = attrS("auto_pad", "NOTSET");
        int sp = k.length;
        if (pads.length != 2 * sp) {
            throw malformed(2 * sp + " pads for " + sp + " spatial axes", Arrays.toString(pads));
        }
        switch (autoPad) {
            case "NOTSET" -> {
                for (int p : pads) {
                    if (p < 0) {
                        throw unsupported("non-negative pads, found " + Arrays.toString(pads));
                    }
                }
                return pads;
            }
            case "VALID" -> {
                return new int[2 * sp];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] out = new int[2 * sp];
                for (int a = 0; a < sp; a++) {
                    int in = x[2 + a];
                    int o = (in + s[a] - 1) / s[a];
                    int total = Math.max((o - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in, 0);
                    int small = total / 2;
                    out[a] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    out[a + sp] = total - out[a];
                }
                return out;
            }
            default -> throw malformed("auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID", autoPad);
        }
    }

    /** SAME or VALID if the explicit pads equal what they mean, else null (an explicit Pad is needed). */
    static Padding spatialPadding(int[] x, int[] k, int[] s, int[] d, int[] pads) {
        boolean same = true;
        boolean zero = true;
        for (int a = 0; a < 2; a++) {
            int in = x[2 + a];
            int o = (in + s[a] - 1) / s[a];
            int before = Padding.SAME.padBefore(in, k[a], s[a], d[a], o);
            int total = Math.max((o - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in, 0);
            int onnxOut = Math.floorDiv(in + pads[a] + pads[a + 2] - ((k[a] - 1) * d[a] + 1), s[a]) + 1;
            same &= pads[a] == before && pads[a + 2] == total - before && onnxOut == o;
            zero &= pads[a] == 0 && pads[a + 2] == 0;
        }
        return same ? Padding.SAME : zero ? Padding.VALID : null;
    }

    /** Adds a Pad node on an NHWC tensor with ONNX spatial pads {hb, wb, he, we}. */
    int padNhwc(Value x, int xi, int[] pads, float value) {
        int[] s = vs.b.tensor(xi).shape().toArray();
        int[] o = {s[0], s[1] + pads[0] + pads[2], s[2] + pads[1] + pads[3], s[3]};
        int out = vs.activation(x.name + "_padded", x.type, o, vs.b.tensor(xi).quant().orElse(null));
        vs.node(node().name() + "_pad", new Op.Pad(List.of(0, pads[0], pads[1], 0), List.of(0, pads[2], pads[3], 0), value),
                List.of(xi), List.of(out));
        return out;
    }

    void pool(boolean max) throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        boolean lifted = x.rank() == 3;
        if (x.rank() < 3) {
            throw malformed("a pooling input of rank >= 3 ([N, C, spatial...])", Arrays.toString(x.shape));
        }
        boolean indices = node().outputs().size() > 1 && !node().outputs().get(1).isEmpty();
        int sp = x.rank() - 2;
        int[] k = attrInts("kernel_shape", null);
        if (k == null || k.length != sp) {
            throw malformed("a kernel_shape of " + sp + " values", k == null ? "none" : Arrays.toString(k));
        }
        int[] ones = new int[sp];
        Arrays.fill(ones, 1);
        int[] s = attrInts("strides", ones);
        int[] d = attrInts("dilations", ones);
        int[] rawPads = attrInts("pads", new int[2 * sp]);
        if (s.length != sp || d.length != sp || rawPads.length != 2 * sp) {
            throw malformed(sp + " strides and dilations, " + 2 * sp + " pads", Arrays.toString(s) + " "
                    + Arrays.toString(d) + " " + Arrays.toString(rawPads));
        }
        for (int a = 0; a < sp; a++) {
            if (k[a] < 1 || s[a] < 1 || d[a] < 1) {
                throw malformed("positive kernel sizes, strides and dilations", Arrays.toString(k) + " "
                        + Arrays.toString(s) + " " + Arrays.toString(d));
            }
        }
        boolean subsampling = true;
        boolean anyDilation = false;
        for (int a = 0; a < sp; a++) {
            subsampling &= s[a] % d[a] == 0;
            anyDilation |= d[a] != 1;
        }
        if (sp > 2 || indices || (anyDilation && (lifted || (max && !subsampling)))) {
            new OnnxPoolOps(shared).pool(x, max, k, s, d, resolvePads(x.shape, k, s, d, rawPads), indices);
            return;
        }
        if (lifted) {
            // [N, C, L] pools as [N, C, 1, L]: exact
            k = new int[] {1, k[0]};
            s = new int[] {1, s[0]};
            d = new int[] {1, d[0]};
            rawPads = new int[] {0, rawPads[0], 0, rawPads[1]};
            Value x4 = new Value(x.name + "_2d", x.type, new int[] {x.shape[0], x.shape[1], 1, x.shape[2]});
            x4.quant = x.quant;
            x4.plain = vs.activation(x4.name + "_nchw", x.type, x4.shape, x.quant);
            vs.node(x4.name, new Op.Reshape(), List.of(vs.plain(x)), List.of(x4.plain));
            x = x4;
        }
        boolean dilated = d[0] != 1 || d[1] != 1;
        if (dilated && !max && !lifted && x.type == DataType.FLOAT32 && d[0] >= 1 && d[1] >= 1) {
            dilatedAveragePool(x, k, s, d, resolvePads(x.shape, k, s, d, rawPads), attrI("count_include_pad", 0) != 0,
                    attrI("ceil_mode", 0) != 0);
            return;
        }
        if (dilated && (lifted || !max || s[0] % d[0] != 0 || s[1] % d[1] != 0 || d[0] < 1 || d[1] < 1)) {
            throw unsupported("pooling without dilation, or 2-D max pooling whose strides are multiples of the dilations"
                    + " (the IR has no dilated pooling), found dilations " + Arrays.toString(d) + " and strides "
                    + Arrays.toString(s));
        }
        boolean ceil = attrI("ceil_mode", 0) != 0;
        boolean includePad = !max && attrI("count_include_pad", 0) != 0;
        int[] pads = resolvePads(x.shape, k, s, d, rawPads);
        if (dilated) {
            dilatedMaxPool(x, k, s, d, pads, attrI("ceil_mode", 0) != 0);
            return;
        }
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) {
            int span = x.shape[2 + a] + pads[a] + pads[a + 2] - k[a];
            if (span < 0) {
                throw malformed("a pooling window within the padded input", "kernel " + Arrays.toString(k)
                        + " over " + Arrays.toString(x.shape));
            }
            out[a] = (ceil ? Math.floorDiv(span + s[a] - 1, s[a]) : Math.floorDiv(span, s[a])) + 1;
            if (ceil && (out[a] - 1) * s[a] >= x.shape[2 + a] + pads[a]) {
                out[a]--; // the last window may not start in the trailing padding
            }
            int extra = (out[a] - 1) * s[a] + k[a] - (x.shape[2 + a] + pads[a] + pads[a + 2]);
            if (extra > 0) {
                if (!max && (includePad || x.type != DataType.FLOAT32)) {
                    throw unsupported("AveragePool with ceil_mode only where it changes no output size");
                }
                pads[a + 2] += extra;
            }
        }
        Padding padding = includePad ? (pads[0] + pads[1] + pads[2] + pads[3] == 0 ? Padding.VALID : null)
                : spatialPadding(x.shape, k, s, d, pads);
        int xi = vs.nhwc(x);
        if (padding == null && !max && !includePad && x.type == DataType.FLOAT32) {
            maskedAveragePool(x, xi, k, s, pads, out, lifted);
            return;
        }
        if (padding == null) {
            if (!max && !includePad) {
                throw unsupported("AveragePool whose pads are SAME or zero when padding is not counted "
                        + "(count_include_pad=0), found pads " + Arrays.toString(pads));
            }
            xi = padNhwc(x, xi, pads, max ? Float.NEGATIVE_INFINITY : 0f);
            padding = Padding.VALID;
        }
        int[] os = {x.shape[0], x.shape[1], out[0], out[1]};
        Value y;
        if (lifted) {
            y = new Value(node().outputs().get(0) + "_2d", x.type, os);
            y.quant = x.quant;
            y.nhwc = vs.activation(y.name, x.type, OnnxValues.nhwcShape(os), x.quant);
        } else {
            y = outNhwc(0, x.type, os, x.quant);
        }
        Op op = max ? new Op.MaxPool2D(k[0], k[1], s[0], s[1], padding, Activation.NONE)
                : new Op.AveragePool2D(k[0], k[1], s[0], s[1], padding, Activation.NONE);
        vs.node(node().name(), op, List.of(xi), List.of(y.nhwc));
        if (lifted) {
            reshapeTo(y, new int[] {os[0], os[1], os[3]});
        }
    }

    /**
     * Dilated float average pooling, exactly: zero padding, then a depthwise convolution whose taps
     * all weigh 1 / (kh * kw) with the pooling's dilation and stride, then (when padded positions are
     * not counted) a per-position factor of window taps / taps on real input elements.
     */
    private void dilatedAveragePool(Value x, int[] k, int[] s, int[] d, int[] pads, boolean includePad, boolean ceil)
            throws MalformedModelException, UnsupportedOperatorException {
        int h = x.shape[2];
        int w = x.shape[3];
        int c = x.shape[1];
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) {
            int eff = (k[a] - 1) * d[a] + 1;
            int padded = x.shape[2 + a] + pads[a] + pads[a + 2];
            if (padded < eff) {
                throw malformed("a pooling window within the padded input", Arrays.toString(x.shape));
            }
            out[a] = (padded - eff) / s[a] + 1;
            if (ceil && Math.floorDiv(padded - eff + s[a] - 1, s[a]) + 1 != out[a]) {
                throw unsupported("dilated AveragePool with ceil_mode only where it changes no output size");
            }
        }
        int xi = vs.nhwc(x);
        boolean padded = pads[0] + pads[1] + pads[2] + pads[3] > 0;
        if (padded) {
            xi = padNhwc(x, xi, pads, 0f);
        }
        float[] taps = new float[k[0] * k[1] * c];
        java.util.Arrays.fill(taps, (float) (1.0 / (k[0] * k[1])));
        int wi = vs.addTensor(Tensor.ofFloats(node().outputs().get(0) + "_mean_taps", Shape.of(1, k[0], k[1], c), taps));
        int[] os = {x.shape[0], c, out[0], out[1]};
        int[] nhwc = OnnxValues.nhwcShape(os);
        Op.DepthwiseConv2D mean = new Op.DepthwiseConv2D(s[0], s[1], d[0], d[1], Padding.VALID, 1, Activation.NONE);
        if (includePad || !padded) {
            Value y = outNhwc(0, x.type, os, null);
            vs.node(node().name(), mean, List.of(xi, wi), List.of(y.nhwc));
            return;
        }
        float[] scale = new float[out[0] * out[1]];
        for (int oy = 0; oy < out[0]; oy++) {
            int rows = 0;
            for (int ky = 0; ky < k[0]; ky++) {
                int iy = oy * s[0] - pads[0] + ky * d[0];
                rows += iy >= 0 && iy < h ? 1 : 0;
            }
            for (int ox = 0; ox < out[1]; ox++) {
                int cols = 0;
                for (int kx = 0; kx < k[1]; kx++) {
                    int ix = ox * s[1] - pads[1] + kx * d[1];
                    cols += ix >= 0 && ix < w ? 1 : 0;
                }
                if (rows == 0 || cols == 0) {
                    throw unsupported("AveragePool windows that each cover at least one input element");
                }
                scale[oy * out[1] + ox] = (float) ((double) (k[0] * k[1]) / (rows * cols));
            }
        }
        int sum = vs.activation(node().outputs().get(0) + "_full_window_mean", x.type, nhwc, null);
        vs.node(node().name() + "_full_windows", mean, List.of(xi, wi), List.of(sum));
        int mi = vs.addTensor(Tensor.ofFloats(node().outputs().get(0) + "_window_fraction",
                Shape.of(1, out[0], out[1], 1), scale));
        Value y = outNhwc(0, x.type, os, null);
        vs.node(node().name(), new Op.Mul(Activation.NONE), List.of(sum, mi), List.of(y.nhwc));
    }

    /**
     * Float average pooling that does not count padded positions, with pads that are neither SAME
     * nor zero (explicit, SAME_LOWER, or ceil mode): pad with zeros, average over full windows
     * (VALID), then multiply each output position by window size / number of real input elements
     * it covered — a constant [1, OH, OW, 1]. Exact up to float rounding.
     */
    private void maskedAveragePool(Value x, int xi, int[] k, int[] s, int[] pads, int[] out, boolean lifted)
            throws MalformedModelException, UnsupportedOperatorException {
        int h = x.shape[2];
        int w = x.shape[3];
        float[] scale = new float[out[0] * out[1]];
        for (int oy = 0; oy < out[0]; oy++) {
            int y0 = oy * s[0] - pads[0];
            int rows = Math.min(y0 + k[0], h) - Math.max(y0, 0);
            for (int ox = 0; ox < out[1]; ox++) {
                int x0 = ox * s[1] - pads[1];
                int cols = Math.min(x0 + k[1], w) - Math.max(x0, 0);
                if (rows <= 0 || cols <= 0) {
                    throw unsupported("AveragePool windows that each cover at least one input element");
                }
                scale[oy * out[1] + ox] = (float) ((double) (k[0] * k[1]) / (rows * cols));
            }
        }
        int pi = padNhwc(x, xi, pads, 0f);
        int[] os = {x.shape[0], x.shape[1], out[0], out[1]};
        int[] nhwc = OnnxValues.nhwcShape(os);
        int sum = vs.activation(node().outputs().get(0) + "_full_window_mean", x.type, nhwc, null);
        vs.node(node().name() + "_full_windows", new Op.AveragePool2D(k[0], k[1], s[0], s[1], Padding.VALID,
                Activation.NONE), List.of(pi), List.of(sum));
        int mi = vs.addTensor(Tensor.ofFloats(node().outputs().get(0) + "_window_fraction",
                Shape.of(1, out[0], out[1], 1), scale));
        Value y;
        if (lifted) {
            y = new Value(node().outputs().get(0) + "_2d", x.type, os);
            y.nhwc = vs.activation(y.name, x.type, nhwc, null);
        } else {
            y = outNhwc(0, x.type, os, null);
        }
        vs.node(node().name(), new Op.Mul(Activation.NONE), List.of(sum, mi), List.of(y.nhwc));
        if (lifted) {
            reshapeTo(y, new int[] {os[0], os[1], os[3]});
        }
    }

    /**
     * Dilated max pooling whose strides are multiples of the dilations, exactly: pad with -inf, keep
     * every d-th row and column (a 1x1 max pool of stride d), then pool with kernel k and stride s/d.
     */
    void dilatedMaxPool(Value x, int[] k, int[] s, int[] d, int[] pads, boolean ceil)
            throws MalformedModelException, UnsupportedOperatorException {
        if (ceil) {
            throw unsupported("dilated max pooling without ceil_mode");
        }
        int[] out = new int[2];
        int[] sub = new int[2];
        for (int a = 0; a < 2; a++) {
            int padded = x.shape[2 + a] + pads[a] + pads[a + 2];
            int eff = (k[a] - 1) * d[a] + 1;
            if (padded < eff) {
                throw malformed("a pooling window within the padded input", Arrays.toString(x.shape));
            }
            out[a] = (padded - eff) / s[a] + 1;
            sub[a] = (padded - 1) / d[a] + 1;
            if ((sub[a] - k[a]) / (s[a] / d[a]) + 1 != out[a]) {
                throw unsupported("dilated max pooling expressible by subsampling");
            }
        }
        int xi = vs.nhwc(x);
        if (pads[0] + pads[1] + pads[2] + pads[3] > 0) {
            xi = padNhwc(x, xi, pads, Float.NEGATIVE_INFINITY);
        }
        int c = x.shape[1];
        int si = vs.activation(node().outputs().get(0) + "_subsampled", x.type, new int[] {x.shape[0], sub[0], sub[1], c},
                x.quant);
        vs.node(node().name() + "_subsample", new Op.MaxPool2D(1, 1, d[0], d[1], Padding.VALID, Activation.NONE),
                List.of(xi), List.of(si));
        Value y = outNhwc(0, x.type, new int[] {x.shape[0], c, out[0], out[1]}, x.quant);
        vs.node(node().name(), new Op.MaxPool2D(k[0], k[1], s[0] / d[0], s[1] / d[1], Padding.VALID, Activation.NONE),
                List.of(si), List.of(y.nhwc));
    }

    void globalAveragePool() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        if (x.rank() < 3) {
            throw malformed("an input of rank >= 3", Arrays.toString(x.shape));
        }
        int[] o = x.shape.clone();
        for (int i = 2; i < o.length; i++) {
            o[i] = 1;
        }
        if (x.rank() == 4) {
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node().name(), new Op.Mean(List.of(1, 2), true), List.of(vs.nhwc(x)), List.of(y.nhwc));
        } else {
            List<Integer> axes = new ArrayList<>();
            for (int i = 2; i < o.length; i++) {
                axes.add(i);
            }
            Value y = outPlain(0, x.type, o, x.quant);
            vs.node(node().name(), new Op.Mean(axes, true), List.of(vs.plain(x)), List.of(y.plain));
        }
    }

    void reduceMean() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        int[] axes = opset >= 18 ? (opt(1) == null ? null : constInts(opt(1), "axes")) : attrInts("axes", null);
        boolean keep = attrI("keepdims", 1) != 0;
        int r = x.rank();
        boolean[] red = new boolean[r];
        if (axes == null || axes.length == 0) {
            if (attrI("noop_with_empty_axes", 0) != 0) {
                reshapeTo(x, x.shape);
                return;
            }
            Arrays.fill(red, true);
        } else {
            for (int a : axes) {
                int n = normAxis(a, r);
                if (red[n]) {
                    throw malformed("distinct axes", Arrays.toString(axes));
                }
                red[n] = true;
            }
        }
        int[] kept = x.shape.clone();
        List<Integer> ax = new ArrayList<>();
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (red[i]) {
                kept[i] = 1;
            } else {
                dims.add(x.shape[i]);
            }
        }
        if (r == 4 && (x.nhwc >= 0 || x.plain < 0)) {
            int[] toNhwcPos = {0, 3, 1, 2};
            for (int i = 0; i < 4; i++) {
                if (red[i]) {
                    ax.add(toNhwcPos[i]);
                }
            }
            ax.sort(null);
            Value full = keep ? outNhwc(0, x.type, kept, x.quant) : new Value(node().outputs().get(0) + "_keep", x.type, kept);
            if (!keep) {
                full.nhwc = vs.activation(full.name, x.type, OnnxValues.nhwcShape(kept), x.quant);
            }
            vs.node(node().name(), new Op.Mean(ax, true), List.of(vs.nhwc(x)), List.of(full.nhwc));
            if (!keep) {
                reshapeTo(full, dims.stream().mapToInt(Integer::intValue).toArray());
            }
            return;
        }
        for (int i = 0; i < r; i++) {
            if (red[i]) {
                ax.add(i);
            }
        }
        int[] o = keep ? kept : dims.stream().mapToInt(Integer::intValue).toArray();
        Value y = outPlain(0, x.type, o, x.quant);
        vs.node(node().name(), new Op.Mean(ax, keep), List.of(vs.plain(x)), List.of(y.plain));
    }

    void batchNorm() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        if (attrI("training_mode", 0) != 0) {
            throw unsupported("inference mode (training_mode=0), found training_mode=1");
        }
        for (int i = 1; i < node().outputs().size(); i++) {
            if (!node().outputs().get(i).isEmpty()) {
                throw unsupported("only output Y (inference), found output " + i + " requested");
            }
        }
        if (opset < 9 && attrI("spatial", 1) == 0) {
            throw unsupported("spatial=1, found spatial=0");
        }
        float eps = attrF("epsilon", 1e-5f);
        List<Integer> params = new ArrayList<>();
        int c = x.rank() >= 2 ? x.shape[1] : 1;
        for (int i = 1; i <= 4; i++) {
            Value p = in(i);
            if (p.constant != null && p.constant.shape().elementCount() != c) {
                throw malformed(c + " values in '" + p.name + "'", Arrays.toString(p.shape));
            }
            params.add(vs.plain(p));
        }
        if (x.rank() == 4) {
            Value y = outNhwc(0, x.type, x.shape, null);
            List<Integer> ins = new ArrayList<>(List.of(vs.nhwc(x)));
            ins.addAll(params);
            vs.node(node().name(), new Op.BatchNormalization(eps), ins, List.of(y.nhwc));
        } else if (x.rank() == 2) {
            Value y = outPlain(0, x.type, x.shape, null);
            List<Integer> ins = new ArrayList<>(List.of(vs.plain(x)));
            ins.addAll(params);
            vs.node(node().name(), new Op.BatchNormalization(eps), ins, List.of(y.plain));
        } else {
            throw unsupported("BatchNormalization of a rank-2 or rank-4 input, found rank " + x.rank());
        }
    }
}
