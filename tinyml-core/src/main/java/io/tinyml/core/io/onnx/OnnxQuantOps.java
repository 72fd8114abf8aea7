package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.onnx.OnnxValues.Value;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Maps QuantizeLinear and DequantizeLinear (QDQ): quantized constants keep their integer data and
 * per-tensor or per-axis parameters; activations are quantized per tensor. Not thread-safe.
 */
final class OnnxQuantOps extends OnnxNodeContext {
    OnnxQuantOps(Shared shared) {
        super(shared);
    }

    QuantParams quantParams(Value scale, Value zp, int rank, String what)
            throws MalformedModelException, UnsupportedOperatorException {
        if (!scale.isPlainConstant() || (zp != null && !zp.isPlainConstant())) {
            throw unsupported("constant " + what + " scale and zero point, found '" + scale.name + "'");
        }
        if (scale.type != DataType.FLOAT32) {
            throw unsupported("a FLOAT scale, found " + scale.type);
        }
        if (attrI("block_size", 0) != 0) {
            throw unsupported("per-tensor or per-axis quantization, found blocked quantization");
        }
        float[] s = scale.constant.floats();
        long[] z = zp == null ? new long[s.length] : OnnxTensors.longs(zp.constant);
        if (z.length != s.length) {
            throw malformed("as many zero points as scales", z.length + " and " + s.length);
        }
        if (scale.rank() == 0 || s.length == 1 && scale.rank() <= 1) {
            return QuantParams.perTensor(s[0], z[0]);
        }
        if (scale.rank() != 1) {
            throw unsupported("a scalar or 1-D scale, found " + Arrays.toString(scale.shape));
        }
        int axis = normAxis((int) attrI("axis", 1), rank);
        return QuantParams.perAxis(s, z, axis);
    }

    void quantizeLinear() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        Value zp = opt(2);
        long dt = attrI("output_dtype", 0);
        int onnxType = dt != 0 ? (int) dt : zp == null ? OnnxProto.UINT8
                : shared.widened.getOrDefault(zp.name, OnnxTensors.onnxType(zp.type));
        int[] narrow = narrowRange(onnxType);
        DataType out = narrow != null ? OnnxTensors.holderType(onnxType) : OnnxTensors.irType(onnxType);
        if (out != DataType.INT8 && out != DataType.UINT8 && out != DataType.INT16 && narrow == null) {
            throw unsupported("an INT8, UINT8, INT16, UINT16, INT4, UINT4, INT2 or UINT2 output, found "
                    + OnnxTensors.onnxTypeName(onnxType) + (OnnxTensors.widened(onnxType) ? " (held in a wider "
                    + OnnxTensors.holderType(onnxType) + "; the IR has no rounding and saturation to it)" : ""));
        }
        if (x.type != DataType.FLOAT32) {
            throw unsupported("a FLOAT input, found " + x.type);
        }
        QuantParams q = quantParams(in(1), zp, x.rank(), "QuantizeLinear");
        if (x.isPlainConstant()) {
            define(node().outputs().get(0), constValue(node().outputs().get(0), quantizeConst(x.constant, q, out,
                    node().outputs().get(0), narrow)));
            return;
        }
        // UINT16, 4- and 2-bit integers are held in INT32, INT8 or UINT8 and saturate to their own range
        Op.Quantize op = narrow == null ? new Op.Quantize() : new Op.Quantize(narrow[0], narrow[1]);
        if (!q.isPerTensor()) {
            // per-axis parameters address ONNX axes: computed on the plain (ONNX-layout) tensor
            Value y = outPlain(0, out, x.shape, q);
            vs.node(node().name(), op, List.of(vs.plain(x)), List.of(y.plain));
            return;
        }
        Value y = unaryToTyped(op, x, out, q);
        y.quant = q;
    }

    /** The value range of an integer type the IR holds in a wider one (UINT16, 4- and 2-bit), else null. */
    private static int[] narrowRange(int onnxType) {
        return switch (onnxType) {
            case OnnxProto.UINT16 -> new int[] {0, 65535};
            case 22 -> new int[] {-8, 7}; // INT4
            case 21 -> new int[] {0, 15}; // UINT4
            case 26 -> new int[] {-2, 1}; // INT2
            case 25 -> new int[] {0, 3}; // UINT2
            default -> null;
        };
    }

    /** ONNX QuantizeLinear of constant data: round half to even, saturate (to {@code narrow} when given). */
    static Tensor quantizeConst(Tensor x, QuantParams q, DataType type, String name) {
        return quantizeConst(x, q, type, name, null);
    }

    private static Tensor quantizeConst(Tensor x, QuantParams q, DataType type, String name, int[] narrow) {
        float[] v = x.floats();
        int[] s = x.shape().toArray();
        int inner = 1;
        if (!q.isPerTensor()) {
            for (int i = q.axis() + 1; i < s.length; i++) {
                inner *= s[i];
            }
        }
        long lo = type == DataType.INT8 ? -128 : type == DataType.UINT8 ? 0 : -32768;
        long hi = type == DataType.INT8 ? 127 : type == DataType.UINT8 ? 255 : 32767;
        if (narrow != null) {
            lo = narrow[0];
            hi = narrow[1];
        }
        ByteBuffer out = ByteBuffer.allocate(v.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            int c = q.isPerTensor() ? 0 : (i / inner) % q.size();
            long r = (long) Math.rint((double) (v[i] / q.scale(c))) + q.zeroPoint(c);
            r = Math.max(lo, Math.min(hi, r));
            if (type == DataType.INT32) {
                out.putInt((int) r);
            } else if (type == DataType.INT16) {
                out.putShort((short) r);
            } else {
                out.put((byte) r);
            }
        }
        return Tensor.constant(name, type, x.shape(), out.array()).withQuant(q);
    }

    void dequantizeLinear() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        if (x.type == DataType.FLOAT32 && shared.widened.containsKey(x.name)) {
            dequantizeSmallFloat(x);
            return;
        }
        if (x.type != DataType.INT8 && x.type != DataType.UINT8 && x.type != DataType.INT16 && x.type != DataType.INT32) {
            throw unsupported("an INT8, UINT8, INT16 or INT32 input, found " + x.type);
        }
        Value zp = opt(2);
        if (zp != null && zp.type != x.type) {
            throw malformed("a zero point of the input's type " + x.type, zp.type.toString());
        }
        QuantParams q = quantParams(in(1), zp, x.rank(), "DequantizeLinear");
        if (x.isPlainConstant()) {
            Value y = new Value(node().outputs().get(0), DataType.FLOAT32, x.shape);
            y.constant = x.constant.withQuant(q);
            y.dequantize = true;
            define(y.name, y);
            return;
        }
        if (!q.isPerTensor()) {
            int pi = vs.plain(x);
            Tensor pt = vs.b.tensor(pi);
            if (pt.quant().isPresent() && !pt.quant().get().equals(q)) {
                throw unsupported("one set of quantization parameters per tensor, found two for '" + x.name + "'");
            }
            vs.b.setTensor(pi, pt.withQuant(q));
            Value y = outPlain(0, DataType.FLOAT32, x.shape, null);
            vs.node(node().name(), new Op.Dequantize(), List.of(pi), List.of(y.plain));
            return;
        }
        int xi = x.rank() == 4 && (x.nhwc >= 0 || x.plain < 0) ? vs.nhwc(x) : vs.plain(x);
        Tensor xt = vs.b.tensor(xi);
        if (xt.quant().isPresent() && !xt.quant().get().equals(q)) {
            throw unsupported("one set of quantization parameters per tensor, found two for '" + x.name + "'");
        }
        vs.b.setTensor(xi, xt.withQuant(q));
        x.quant = q;
        unaryToTyped(new Op.Dequantize(), x, DataType.FLOAT32, null);
    }

    /**
     * Defines {@code out} as the float dequantization of an INT32 bias whose scale is
     * {@code x_scale × w_scale} (per output channel when w_scale is a vector), zero point 0.
     */
    void dequantizeBias(String bias, String xScale, String wScale, String out)
            throws MalformedModelException, UnsupportedOperatorException {
        Value b = values.get(bias);
        Value xs = values.get(xScale);
        Value ws = values.get(wScale);
        if (b == null || xs == null || ws == null || !b.isPlainConstant() || b.type != DataType.INT32
                || !xs.isPlainConstant() || !ws.isPlainConstant()) {
            throw unsupported("a constant INT32 bias and constant scales, found '" + bias + "'");
        }
        float x = xs.constant.floats()[0];
        float[] w = ws.constant.floats();
        float[] s = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = x * w[i];
        }
        QuantParams q = s.length == 1 ? QuantParams.perTensor(s[0], 0) : QuantParams.perAxis(s, new long[s.length], 0);
        Value y = new Value(out, DataType.FLOAT32, b.shape);
        y.constant = b.constant.withQuant(q);
        y.dequantize = true;
        define(out, y);
    }

    /** A float activation holding integers, as INT32 (QUANTIZE with scale 1 and zero point 0). */
    void toInt32() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        Value y = unaryToTyped(new Op.Quantize(), x, DataType.INT32, QuantParams.perTensor(1f, 0));
        y.quant = QuantParams.perTensor(1f, 0);
    }

    /**
     * DequantizeLinear of 8- or 4-bit float data (decoded exactly into FLOAT32 at the edge):
     * {@code (x - zero_point) * scale} with a per-tensor FLOAT scale.
     */
    private void dequantizeSmallFloat(Value x) throws MalformedModelException, UnsupportedOperatorException {
        Value scale = in(1);
        Value zp = opt(2);
        if (!scale.isPlainConstant() || scale.type != DataType.FLOAT32 || scale.constant.shape().elementCount() != 1) {
            throw unsupported("a constant per-tensor FLOAT scale for float8/float4 data, found '" + scale.name + "' "
                    + scale.type);
        }
        Value centered = x;
        if (zp != null && (!zp.isPlainConstant() || zp.constant.floats()[0] != 0f)) {
            centered = new Value(node().outputs().get(0) + "_centered", DataType.FLOAT32, x.shape);
            binaryTo(new Op.Sub(io.tinyml.core.ir.Activation.NONE), x, zp, centered);
        }
        binary(new Op.Mul(io.tinyml.core.ir.Activation.NONE), centered, scale);
    }
}
