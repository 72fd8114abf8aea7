package io.tinyml.core.io.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.AtomicFiles;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Half;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.PadMode;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tinyml.core.io.tflite.TfliteSchema.*;

/**
 * Writes a model as a TFLite flatbuffer (schema version 3, identifier {@code TFL3}) that TFLite and
 * TFLite Micro accept.
 *
 * <p>One subgraph; buffer 0 is empty and every constant tensor has its own buffer, its data aligned
 * to 16 bytes; activations refer to buffer 0. Operator codes carry both
 * {@code deprecated_builtin_code} (clamped to 127) and {@code builtin_code}. The constant inputs
 * that the IR folds into operator records are recreated as int32 tensors: the new shape of a
 * reshape (also as {@code ReshapeOptions.new_shape}), mean axes, paddings {@code [rank, 2]} and
 * transpose permutations; a pad with a non-zero value becomes {@code PADV2} with a constant value
 * tensor quantized like the output. The metadata entries {@code description} and
 * {@code min_runtime_version} are written back. The output is deterministic: equal models give
 * equal bytes. Stateless and thread-safe.
 *
 * <p>What the format does not keep: node names (the reader names each node after its first output
 * tensor, so a model read from TFLite comes back equal), the IR's {@code CLIP} bounds other than
 * those of TFLite's clamping builtins, and operator versions (every operator code is written as
 * version 1; TFLite and TFLite Micro pick their kernels from the tensor types, not the version).
 *
 * <pre>{@code
 * byte[] flatbuffer = TfliteWriter.write(model);
 * TfliteWriter.write(model, Path.of("out.tflite"));
 * }</pre>
 */
public final class TfliteWriter {
    private static final Logger log = LoggerFactory.getLogger(TfliteWriter.class);
    private static final int DATA_ALIGNMENT = 16;

    private TfliteWriter() {
    }

    /**
     * Serializes a model.
     *
     * @param model the model
     * @return the flatbuffer bytes
     * @throws UnsupportedOperatorException if the graph has an operator TFLite has no builtin for
     *         (BATCH_NORMALIZATION, CLIP to bounds other than [-1,1], [0,1], [0,6] and [0,inf))
     */
    public static byte[] write(Model model) throws UnsupportedOperatorException {
        return new Emitter(model).emit();
    }

    /**
     * Writes a model to a file atomically: the bytes go to a temporary file in the same directory,
     * which is then moved over the target, so no half-written file is ever left behind.
     *
     * @param model the model
     * @param path the target file
     * @throws IOException if writing or moving fails (the temporary file is deleted)
     * @throws UnsupportedOperatorException if the graph has an operator TFLite has no builtin for
     */
    public static void write(Model model, Path path) throws IOException, UnsupportedOperatorException {
        byte[] bytes = write(model);
        AtomicFiles.write(path, bytes);
        log.debug("wrote {} ({} bytes)", path, bytes.length);
    }

    /** One TFLite operator to emit. */
    private record OpOut(int code, int optionsType, int[] inputs, int[] outputs, Options options) {
    }

    /** Builds an operator's options table; returns its offset. */
    @FunctionalInterface
    private interface Options {
        int build(FlatBufferBuilder b);
    }

    /** Writes one model; used once. */
    private static final class Emitter {
        private final Model model;
        private final Graph g;
        private final List<Tensor> tensors;
        private final Set<String> names = new HashSet<>();

        Emitter(Model model) {
            this.model = model;
            this.g = model.graph();
            this.tensors = new ArrayList<>(g.tensors());
            g.tensors().forEach(t -> names.add(t.name()));
        }

        byte[] emit() throws UnsupportedOperatorException {
            List<OpOut> ops = new ArrayList<>();
            for (Node n : g.nodes()) {
                ops.add(operator(n));
            }
            FlatBufferBuilder b = new FlatBufferBuilder(1024 + totalConstantBytes());

            // Buffers: 0 empty, one per constant tensor, then the metadata buffer.
            List<Integer> bufferOffsets = new ArrayList<>();
            bufferOffsets.add(emptyTable(b));
            int[] bufferOf = new int[tensors.size()];
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                if (t.isConstant() && t.byteSize() > 0) {
                    bufferOf[i] = bufferOffsets.size();
                    bufferOffsets.add(dataBuffer(b, t.bytes()));
                }
            }
            String runtime = model.metadata().get("min_runtime_version");
            int runtimeBuffer = -1;
            if (runtime != null) {
                byte[] s = runtime.getBytes(StandardCharsets.UTF_8);
                runtimeBuffer = bufferOffsets.size();
                bufferOffsets.add(dataBuffer(b, Arrays.copyOf(s, Math.max(16, s.length + 1))));
            }

            int[] tensorOffsets = new int[tensors.size()];
            for (int i = 0; i < tensors.size(); i++) {
                tensorOffsets[i] = tensor(b, tensors.get(i), bufferOf[i]);
            }

            Map<Integer, Integer> codeIndex = new LinkedHashMap<>();
            int[] opOffsets = new int[ops.size()];
            for (int k = 0; k < ops.size(); k++) {
                OpOut o = ops.get(k);
                Integer idx = codeIndex.computeIfAbsent(o.code(), c -> codeIndex.size());
                int in = intVector(b, o.inputs());
                int out = intVector(b, o.outputs());
                int opts = o.options() == null ? 0 : o.options().build(b);
                b.startTable(OP_FIELDS);
                b.addInt(OP_OPCODE_INDEX, idx, 0);
                b.addOffset(OP_INPUTS, in, 0);
                b.addOffset(OP_OUTPUTS, out, 0);
                if (o.options() != null) {
                    b.addByte(OP_BUILTIN_OPTIONS_TYPE, (byte) o.optionsType(), 0);
                    b.addOffset(OP_BUILTIN_OPTIONS, opts, 0);
                }
                opOffsets[k] = b.endTable();
            }

            int tensorsVec = b.createVectorOfTables(tensorOffsets);
            int inputsVec = intVector(b, g.inputs().stream().mapToInt(Integer::intValue).toArray());
            int outputsVec = intVector(b, g.outputs().stream().mapToInt(Integer::intValue).toArray());
            int opsVec = b.createVectorOfTables(opOffsets);
            int sgName = b.createString("main");
            b.startTable(SUBGRAPH_FIELDS);
            b.addOffset(SUBGRAPH_TENSORS, tensorsVec, 0);
            b.addOffset(SUBGRAPH_INPUTS, inputsVec, 0);
            b.addOffset(SUBGRAPH_OUTPUTS, outputsVec, 0);
            b.addOffset(SUBGRAPH_OPERATORS, opsVec, 0);
            b.addOffset(SUBGRAPH_NAME, sgName, 0);
            int subgraph = b.endTable();

            int[] codeOffsets = new int[codeIndex.size()];
            for (Map.Entry<Integer, Integer> e : codeIndex.entrySet()) {
                b.startTable(OPCODE_FIELDS);
                b.addByte(OPCODE_DEPRECATED_BUILTIN_CODE, (byte) Math.min(e.getKey(), PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
                b.addInt(OPCODE_VERSION, 1, 1);
                b.addInt(OPCODE_BUILTIN_CODE, e.getKey(), 0);
                codeOffsets[e.getValue()] = b.endTable();
            }
            int codesVec = b.createVectorOfTables(codeOffsets);
            int subgraphsVec = b.createVectorOfTables(new int[] {subgraph});
            int buffersVec = b.createVectorOfTables(bufferOffsets.stream().mapToInt(Integer::intValue).toArray());
            String description = model.metadata().get("description");
            int desc = description == null ? 0 : b.createString(description);
            int metaVec = 0;
            if (runtimeBuffer >= 0) {
                int key = b.createString("min_runtime_version");
                b.startTable(METADATA_FIELDS);
                b.addOffset(METADATA_NAME, key, 0);
                b.addInt(METADATA_BUFFER, runtimeBuffer, 0);
                metaVec = b.createVectorOfTables(new int[] {b.endTable()});
            }
            b.startTable(MODEL_FIELDS);
            b.addInt(MODEL_VERSION, VERSION, 0);
            b.addOffset(MODEL_OPERATOR_CODES, codesVec, 0);
            b.addOffset(MODEL_SUBGRAPHS, subgraphsVec, 0);
            b.addOffset(MODEL_DESCRIPTION, desc, 0);
            b.addOffset(MODEL_BUFFERS, buffersVec, 0);
            b.addOffset(MODEL_METADATA, metaVec, 0);
            b.finish(b.endTable(), IDENTIFIER);
            return b.sizedByteArray();
        }

        private int totalConstantBytes() {
            long n = 0;
            for (Tensor t : tensors) {
                n += t.isConstant() ? t.byteSize() + DATA_ALIGNMENT : 0;
            }
            return (int) Math.min(n, Integer.MAX_VALUE - 4096);
        }

        private OpOut operator(Node n) throws UnsupportedOperatorException {
            int[] in = n.inputs().stream().mapToInt(Integer::intValue).toArray();
            int[] out = n.outputs().stream().mapToInt(Integer::intValue).toArray();
            Op op = n.op();
            return switch (op.kind()) {
                case CONV_2D -> {
                    Op.Conv2D c = (Op.Conv2D) op;
                    yield new OpOut(CONV_2D, OPT_CONV_2D, in, out, b -> {
                        b.startTable(6);
                        b.addByte(0, padding(c.padding()), 0);
                        b.addInt(1, c.strideW(), 0);
                        b.addInt(2, c.strideH(), 0);
                        b.addByte(3, activation(c.activation()), 0);
                        b.addInt(4, c.dilationW(), 1);
                        b.addInt(5, c.dilationH(), 1);
                        return b.endTable();
                    });
                }
                case DEPTHWISE_CONV_2D -> {
                    Op.DepthwiseConv2D c = (Op.DepthwiseConv2D) op;
                    yield new OpOut(DEPTHWISE_CONV_2D, OPT_DEPTHWISE_CONV_2D, in, out, b -> {
                        b.startTable(7);
                        b.addByte(0, padding(c.padding()), 0);
                        b.addInt(1, c.strideW(), 0);
                        b.addInt(2, c.strideH(), 0);
                        b.addInt(3, c.depthMultiplier(), 0);
                        b.addByte(4, activation(c.activation()), 0);
                        b.addInt(5, c.dilationW(), 1);
                        b.addInt(6, c.dilationH(), 1);
                        return b.endTable();
                    });
                }
                case FULLY_CONNECTED -> {
                    Op.FullyConnected f = (Op.FullyConnected) op;
                    yield new OpOut(FULLY_CONNECTED, OPT_FULLY_CONNECTED, in, out, b -> {
                        b.startTable(3);
                        b.addByte(0, activation(f.activation()), 0);
                        b.addBoolean(2, f.keepNumDims(), false);
                        return b.endTable();
                    });
                }
                case ADD -> new OpOut(ADD, OPT_ADD, in, out, activationOnly(op.activation()));
                case SUB -> new OpOut(SUB, OPT_SUB, in, out, activationOnly(op.activation()));
                case MUL -> new OpOut(MUL, OPT_MUL, in, out, activationOnly(op.activation()));
                case AVERAGE_POOL_2D -> {
                    Op.AveragePool2D p = (Op.AveragePool2D) op;
                    yield new OpOut(AVERAGE_POOL_2D, OPT_POOL_2D, in, out,
                            pool(p.padding(), p.strideW(), p.strideH(), p.filterW(), p.filterH(), p.activation()));
                }
                case MAX_POOL_2D -> {
                    Op.MaxPool2D p = (Op.MaxPool2D) op;
                    yield new OpOut(MAX_POOL_2D, OPT_POOL_2D, in, out,
                            pool(p.padding(), p.strideW(), p.strideH(), p.filterW(), p.filterH(), p.activation()));
                }
                case MEAN -> {
                    Op.Mean m = (Op.Mean) op;
                    int[] axes = m.axes().stream().mapToInt(Integer::intValue).toArray();
                    int t = constInt32(n.name() + "/axes", Shape.of(axes.length), axes);
                    yield new OpOut(MEAN, OPT_REDUCER, new int[] {in[0], t}, out, b -> {
                        b.startTable(1);
                        b.addBoolean(0, m.keepDims(), false);
                        return b.endTable();
                    });
                }
                case RESHAPE -> {
                    int[] shape = g.tensor(out[0]).shape().toArray();
                    int[] inputs = in;
                    if (shape.length > 0) {
                        inputs = new int[] {in[0], constInt32(n.name() + "/shape", Shape.of(shape.length), shape)};
                    }
                    yield new OpOut(RESHAPE, OPT_RESHAPE, inputs, out, b -> {
                        int v = intVector(b, shape);
                        b.startTable(1);
                        b.addOffset(0, v, 0);
                        return b.endTable();
                    });
                }
                case CONCATENATION -> {
                    Op.Concatenation c = (Op.Concatenation) op;
                    yield new OpOut(CONCATENATION, OPT_CONCATENATION, in, out, b -> {
                        b.startTable(2);
                        b.addInt(0, c.axis(), 0);
                        b.addByte(1, activation(c.activation()), 0);
                        return b.endTable();
                    });
                }
                case PAD -> pad(n, (Op.Pad) op, in, out);
                case SOFTMAX -> {
                    float beta = ((Op.Softmax) op).beta();
                    yield new OpOut(SOFTMAX, OPT_SOFTMAX, in, out, b -> {
                        b.startTable(1);
                        b.addFloat(0, beta, 0.0);
                        return b.endTable();
                    });
                }
                case RELU -> new OpOut(RELU, 0, in, out, null);
                case RELU6 -> new OpOut(RELU6, 0, in, out, null);
                case CLIP -> new OpOut(clipCode(n, (Op.Clip) op), 0, in, out, null);
                case LEAKY_RELU -> {
                    float alpha = ((Op.LeakyRelu) op).alpha();
                    yield new OpOut(LEAKY_RELU, OPT_LEAKY_RELU, in, out, b -> {
                        b.startTable(1);
                        b.addFloat(0, alpha, 0.0);
                        return b.endTable();
                    });
                }
                case LOGISTIC -> new OpOut(LOGISTIC, 0, in, out, null);
                case TANH -> new OpOut(TANH, 0, in, out, null);
                case LOG_SOFTMAX -> new OpOut(LOG_SOFTMAX, 0, in, out, null);
                case HARD_SWISH -> new OpOut(HARD_SWISH, OPT_HARD_SWISH, in, out, Emitter::emptyTable);
                case QUANTIZE -> {
                    if (((Op.Quantize) op).narrowed()) {
                        throw new UnsupportedOperatorException("QUANTIZE", "node '" + n.name() + "' (QUANTIZE to ["
                                + ((Op.Quantize) op).min() + ", " + ((Op.Quantize) op).max() + "]): expected "
                                + "quantization to the output type's range; TFLite has no 4- or 2-bit types "
                                + "(TFLite writer)");
                    }
                    yield new OpOut(QUANTIZE, OPT_QUANTIZE, in, out, Emitter::emptyTable);
                }
                case DEQUANTIZE -> new OpOut(DEQUANTIZE, OPT_DEQUANTIZE, in, out, Emitter::emptyTable);
                case TRANSPOSE -> {
                    int[] perm = ((Op.Transpose) op).perm().stream().mapToInt(Integer::intValue).toArray();
                    int t = constInt32(n.name() + "/perm", Shape.of(perm.length), perm);
                    yield new OpOut(TRANSPOSE, OPT_TRANSPOSE, new int[] {in[0], t}, out, Emitter::emptyTable);
                }
                case POOL -> throw new UnsupportedOperatorException("POOL", "node '" + n.name() + "' (POOL, "
                        + ((Op.Pool) op).filter().size() + "-D " + (((Op.Pool) op).max() ? "max" : "average")
                        + " pooling with dilations, explicit pads or indices) has no TFLite builtin; TFLite pools "
                        + "2-D windows without dilation (TFLite writer)");
                case BATCH_NORMALIZATION -> throw new UnsupportedOperatorException("BATCH_NORMALIZATION",
                        "node '" + n.name() + "' (BATCH_NORMALIZATION) has no TFLite builtin; expected it folded "
                                + "into the preceding convolution before writing TFLite (TFLite writer)");
            };
        }

        private OpOut pad(Node n, Op.Pad p, int[] in, int[] out) throws UnsupportedOperatorException {
            if (p.mode() != PadMode.CONSTANT) {
                throw new UnsupportedOperatorException("PAD", "node '" + n.name() + "' (PAD, " + p.mode()
                        + " mode) has no TFLite builtin; TFLite pads with a constant (TFLite writer)");
            }
            int rank = p.before().size();
            int[] pads = new int[2 * rank];
            for (int i = 0; i < rank; i++) {
                pads[2 * i] = p.before().get(i);
                pads[2 * i + 1] = p.after().get(i);
            }
            int padsT = constInt32(n.name() + "/paddings", Shape.of(rank, 2), pads);
            if (Float.compare(p.value(), 0f) == 0) {
                return new OpOut(PAD, OPT_PAD, new int[] {in[0], padsT}, out, Emitter::emptyTable);
            }
            Tensor y = g.tensor(out[0]);
            int valueT = addTensor(padValue(unique(n.name() + "/constant_values"), y, p.value()));
            return new OpOut(PADV2, OPT_PADV2, new int[] {in[0], padsT, valueT}, out, Emitter::emptyTable);
        }

        /** A one-element constant of the output's type holding the pad value (quantized like the output). */
        private static Tensor padValue(String name, Tensor y, float value) {
            ByteBuffer b = ByteBuffer.allocate(y.type().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            QuantParams q = y.quant().orElse(null);
            double v = value;
            if (q != null && q.isPerTensor() && y.type() != DataType.FLOAT32 && y.type() != DataType.FLOAT16) {
                v = Math.rint(value / q.scale()) + q.zeroPoint();
            }
            switch (y.type()) {
                case FLOAT32 -> b.putFloat(0, value);
                case FLOAT16 -> b.putShort(0, Half.fromFloat(value));
                case INT8 -> b.put(0, (byte) clamp(v, -128, 127));
                case UINT8, BOOL -> b.put(0, (byte) clamp(v, 0, 255));
                case INT16 -> b.putShort(0, (short) clamp(v, Short.MIN_VALUE, Short.MAX_VALUE));
                case INT32 -> b.putInt(0, (int) clamp(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
                case INT64 -> b.putLong(0, (long) v);
            }
            Tensor t = Tensor.constant(name, y.type(), Shape.of(1), b.array());
            return q != null && q.isPerTensor() ? t.withQuant(q) : t;
        }

        private static long clamp(double v, long lo, long hi) {
            return (long) Math.max(lo, Math.min(hi, v));
        }

        private int clipCode(Node n, Op.Clip c) throws UnsupportedOperatorException {
            float lo = c.min();
            float hi = c.max();
            if (lo == -1f && hi == 1f) {
                return RELU_N1_TO_1;
            }
            if (lo == 0f && hi == 1f) {
                return RELU_0_TO_1;
            }
            if (lo == 0f && hi == 6f) {
                return RELU6;
            }
            if (lo == 0f && hi == Float.POSITIVE_INFINITY) {
                return RELU;
            }
            throw new UnsupportedOperatorException("CLIP", "node '" + n.name() + "' (CLIP [" + lo + ", " + hi
                    + "]) has no TFLite builtin; expected bounds [-1, 1], [0, 1], [0, 6] or [0, inf) (TFLite writer)");
        }

        private int constInt32(String base, Shape shape, int[] values) {
            return addTensor(Tensor.ofInts(unique(base), shape, values));
        }

        private int addTensor(Tensor t) {
            tensors.add(t);
            return tensors.size() - 1;
        }

        private String unique(String base) {
            String name = base;
            for (int k = 1; !names.add(name); k++) {
                name = base + "_" + k;
            }
            return name;
        }

        private static Options activationOnly(Activation a) {
            return b -> {
                b.startTable(1);
                b.addByte(0, activation(a), 0);
                return b.endTable();
            };
        }

        private static Options pool(Padding p, int sw, int sh, int fw, int fh, Activation a) {
            return b -> {
                b.startTable(6);
                b.addByte(0, padding(p), 0);
                b.addInt(1, sw, 0);
                b.addInt(2, sh, 0);
                b.addInt(3, fw, 0);
                b.addInt(4, fh, 0);
                b.addByte(5, activation(a), 0);
                return b.endTable();
            };
        }

        private static int emptyTable(FlatBufferBuilder b) {
            b.startTable(0);
            return b.endTable();
        }

        private static byte padding(Padding p) {
            return (byte) (p == Padding.SAME ? PADDING_SAME : PADDING_VALID);
        }

        private static byte activation(Activation a) {
            return (byte) switch (a) {
                case NONE -> ACT_NONE;
                case RELU -> ACT_RELU;
                case RELU_N1_TO_1 -> ACT_RELU_N1_TO_1;
                case RELU6 -> ACT_RELU6;
                case TANH -> ACT_TANH;
            };
        }

        private static int dataBuffer(FlatBufferBuilder b, byte[] data) {
            ByteBuffer v = b.createUnintializedVector(1, data.length, DATA_ALIGNMENT);
            v.put(data);
            int vec = b.endVector();
            b.startTable(BUFFER_FIELDS);
            b.addOffset(BUFFER_DATA, vec, 0);
            return b.endTable();
        }

        private static int intVector(FlatBufferBuilder b, int[] values) {
            b.startVector(4, values.length, 4);
            for (int i = values.length - 1; i >= 0; i--) {
                b.addInt(values[i]);
            }
            return b.endVector();
        }

        private static int tensor(FlatBufferBuilder b, Tensor t, int buffer) {
            int shape = intVector(b, t.shape().toArray());
            int name = b.createString(t.name());
            int quant = 0;
            if (t.quant().isPresent()) {
                QuantParams q = t.quant().get();
                float[] scales = q.scales();
                long[] zps = q.zeroPoints();
                b.startVector(4, scales.length, 4);
                for (int i = scales.length - 1; i >= 0; i--) {
                    b.addFloat(scales[i]);
                }
                int sv = b.endVector();
                b.startVector(8, zps.length, 8);
                for (int i = zps.length - 1; i >= 0; i--) {
                    b.addLong(zps[i]);
                }
                int zv = b.endVector();
                b.startTable(QUANT_FIELDS);
                b.addOffset(QUANT_SCALE, sv, 0);
                b.addOffset(QUANT_ZERO_POINT, zv, 0);
                b.addInt(QUANT_QUANTIZED_DIMENSION, Math.max(q.axis(), 0), 0);
                quant = b.endTable();
            }
            b.startTable(TENSOR_FIELDS);
            b.addOffset(TENSOR_SHAPE, shape, 0);
            b.addByte(TENSOR_TYPE, typeCode(t.type()), 0);
            b.addInt(TENSOR_BUFFER, buffer, 0);
            b.addOffset(TENSOR_NAME, name, 0);
            b.addOffset(TENSOR_QUANTIZATION, quant, 0);
            return b.endTable();
        }
    }
}
