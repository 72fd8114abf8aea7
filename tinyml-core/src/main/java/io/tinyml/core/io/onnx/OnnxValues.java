package io.tinyml.core.io.onnx;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX values of a graph being read and their IR representations. An ONNX value has its ONNX
 * shape (NCHW for 4-D activations) and up to three IR tensors, made on demand: {@code plain} in the
 * ONNX layout, {@code nhwc} for 4-D values, and {@code flat} for a flattened 4-D value kept in HWC
 * order (for a following fully-connected layer whose weight columns are permuted instead).
 * Conversions between them are Transpose or Reshape nodes. For 4-D values the NHWC tensor carries the
 * ONNX name; other representations get a suffix. Not thread-safe; one instance per read.
 */
final class OnnxValues {
    /** One ONNX value. */
    static final class Value {
        final String name;
        final DataType type;
        final int[] shape;
        /** Constant data in ONNX layout (possibly quantized), or null for an activation. */
        Tensor constant;
        /** The value is the float dequantization of {@link #constant}. */
        boolean dequantize;
        /** Quantization parameters of an integer activation (from QuantizeLinear), or null. */
        QuantParams quant;
        int plain = -1;
        int nhwc = -1;
        int flat = -1;
        /** For a 2-D flattening [N, C*H*W] of a 4-D activation: that activation. */
        Value flatSource;

        Value(String name, DataType type, int[] shape) {
            this.name = name;
            this.type = type;
            this.shape = shape.clone();
        }

        int rank() {
            return shape.length;
        }

        boolean isConstant() {
            return constant != null;
        }

        /** A constant whose data the reader may compute with (not a dequantized int tensor). */
        boolean isPlainConstant() {
            return constant != null && !dequantize;
        }
    }

    final GraphBuilder b = new GraphBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> nextSuffix = new HashMap<>();
    private int nodeCount;

    /** Returns a tensor or node name not used before, based on {@code base}. */
    String unique(String base) {
        if (base.isEmpty()) {
            base = "t";
        }
        String n = base;
        int k = nextSuffix.getOrDefault(base, 1);
        while (!names.add(n)) {
            n = base + "_" + k++;
        }
        nextSuffix.put(base, k);
        return n;
    }

    int addTensor(Tensor t) {
        return b.addTensor(t.withName(unique(t.name())));
    }

    int activation(String name, DataType type, int[] shape, QuantParams q) {
        return b.addTensor(Tensor.activation(unique(name), type, Shape.of(shape)).withQuant(q));
    }

    void node(String name, Op op, List<Integer> in, List<Integer> out) {
        nodeCount++;
        b.addNode(unique(name.isEmpty() ? "node" + nodeCount : name), op, in, out);
    }

    static int[] nhwcShape(int[] nchw) {
        return new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }

    /** Tells whether NCHW and NHWC orders of a 4-D shape hold the elements in the same order. */
    static boolean sameOrder(int[] nchw) {
        return nchw[1] == 1 || nchw[2] * nchw[3] == 1;
    }

    /** The IR tensor of a value in ONNX layout. */
    int plain(Value v) {
        if (v.plain >= 0) {
            return v.plain;
        }
        if (v.constant != null) {
            v.plain = constant(v, null, v.shape);
        } else if (v.nhwc >= 0) {
            int out = activation(v.name + (v.rank() == 4 ? "_nchw" : ""), v.type, v.shape, v.quant);
            if (sameOrder(v.shape)) {
                node(v.name + "_to_nchw", new Op.Reshape(), List.of(v.nhwc), List.of(out));
            } else {
                node(v.name + "_to_nchw", new Op.Transpose(List.of(0, 3, 1, 2)), List.of(v.nhwc), List.of(out));
            }
            v.plain = out;
        } else if (v.flatSource != null) {
            int src = plain(v.flatSource);
            int out = activation(v.name, v.type, v.shape, v.quant);
            node(v.name, new Op.Reshape(), List.of(src), List.of(out));
            v.plain = out;
        } else {
            throw new IllegalStateException("expected a representation of value '" + v.name + "', found none");
        }
        return v.plain;
    }

    /** The IR tensor of a value of rank at most 4 as a 4-D NHWC tensor (lower ranks padded with leading 1s). */
    int nhwc(Value v) {
        if (v.nhwc >= 0) {
            return v.nhwc;
        }
        int[] s4 = new int[4];
        int pad = 4 - v.rank();
        for (int i = 0; i < 4; i++) {
            s4[i] = i < pad ? 1 : v.shape[i - pad];
        }
        if (v.constant != null) {
            v.nhwc = constant(v, OnnxTensors.TO_NHWC, s4);
            return v.nhwc;
        }
        int src = plain(v);
        if (pad > 0) {
            int r = activation(v.name + "_4d", v.type, s4, v.quant);
            node(v.name + "_4d", new Op.Reshape(), List.of(src), List.of(r));
            src = r;
        }
        int out = activation(v.name, v.type, nhwcShape(s4), v.quant);
        if (sameOrder(s4)) {
            node(v.name + "_to_nhwc", new Op.Reshape(), List.of(src), List.of(out));
        } else {
            node(v.name + "_to_nhwc", new Op.Transpose(List.of(0, 2, 3, 1)), List.of(src), List.of(out));
        }
        v.nhwc = out;
        return out;
    }

    /**
     * Adds a constant value's data as an IR tensor: reshaped to {@code shape} (same element count, ONNX
     * order), then permuted by {@code perm} if not null; dequantized by a node if the value is.
     */
    int constant(Value v, int[] perm, int[] shape) {
        Tensor t = v.constant.withShape(Shape.of(shape));
        QuantParams q = t.quant().orElse(null);
        if (q != null && !q.isPerTensor()) {
            int axis = q.axis() + (shape.length - v.rank());
            t = t.withQuant(QuantParams.perAxis(q.scales(), q.zeroPoints(), axis));
        }
        String suffix = "";
        if (perm != null) {
            t = permuteWithQuant(t, perm);
            suffix = shape.length == 4 ? "" : "_p";
        }
        int idx = addTensor(t.withName(v.name + suffix + (v.dequantize ? "_q" : "")));
        if (!v.dequantize) {
            return idx;
        }
        int out = activation(v.name + suffix, DataType.FLOAT32, b.tensor(idx).shape().toArray(), null);
        node(v.name + "_dequantize", new Op.Dequantize(), List.of(idx), List.of(out));
        return out;
    }

    /** Permutes constant data and remaps a per-axis quantization axis. */
    static Tensor permuteWithQuant(Tensor t, int[] perm) {
        QuantParams q = t.quant().orElse(null);
        Tensor p = OnnxTensors.permute(t.withQuant(null), perm, t.name());
        if (q != null && !q.isPerTensor()) {
            int axis = -1;
            for (int i = 0; i < perm.length; i++) {
                if (perm[i] == q.axis()) {
                    axis = i;
                }
            }
            return p.withQuant(QuantParams.perAxis(q.scales(), q.zeroPoints(), axis));
        }
        return p.withQuant(q);
    }

    /** The IR tensor of a flattened 4-D value in HWC order (only when {@code v.flatSource} is set). */
    int flat(Value v) {
        if (v.flat < 0) {
            int src = nhwc(v.flatSource);
            int out = activation(v.name + "_hwc", v.type, v.shape, v.quant);
            node(v.name + "_hwc", new Op.Reshape(), List.of(src), List.of(out));
            v.flat = out;
        }
        return v.flat;
    }
}
