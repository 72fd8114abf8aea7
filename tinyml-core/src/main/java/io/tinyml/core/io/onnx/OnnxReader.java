package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.internal.ReaderEntry;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an ONNX model (protobuf {@code ModelProto}, default-domain opsets 6 to 25) into the IR.
 *
 * <p><b>Layout.</b> The IR is NHWC: every 4-D activation is converted from NCHW at the reader.
 * Convolution weights become OHWI (depthwise 1HWO), channel-axis attributes (Concat, Softmax,
 * BatchNormalization, Pad, ReduceMean, Transpose, Squeeze/Unsqueeze) are remapped, and a flattening
 * of NCHW data feeding a fully-connected layer with constant weights is read as a flattening of the
 * NHWC data with the weight columns permuted from CHW to HWC order, so that no transpose runs.
 * 4-D graph inputs and outputs become NHWC; their original layout is recorded in model metadata as
 * {@code layout.input.<name>=NCHW} and {@code layout.output.<name>=NCHW}. Dimensions the file leaves
 * symbolic (a batch size {@code N}) are read as 1; every other shape is inferred by the reader.
 *
 * <p><b>Constants.</b> Initializers (typed fields or {@code raw_data}; external data is refused),
 * {@code Constant} nodes, and operator inputs that the IR carries as attributes (shapes, axes,
 * paddings, clip bounds, quantization parameters) must be constants. Shape-computing subgraphs of
 * constants ({@code Shape}, {@code Gather}, {@code Concat}, {@code Unsqueeze}, ...) are folded.
 *
 * <p><b>Operators.</b> Conv (plain, depthwise, grouped; SAME/VALID/explicit pads, asymmetric pads as a
 * Pad node), Gemm and MatMul with a 2-D right operand (FullyConnected; a following Add of a bias is
 * folded), BatchNormalization, Relu, Clip, LeakyRelu, PRelu (exactly, as relu(x) + s*(x - relu(x))),
 * Sigmoid, Tanh, HardSwish, HardSigmoid, Softmax on any axis (transposes or the opset-11 flattening),
 * Add/Sub/Mul (numpy and legacy opset-6 broadcasting), Div by a constant (multiplication by its
 * reciprocal, within 1.2e-7 relative), MaxPool/AveragePool (1-D and 2-D; ceil_mode; dilated max
 * pooling whose strides are multiples of the dilations), GlobalAveragePool, ReduceMean, Flatten,
 * Reshape, Squeeze, Unsqueeze, Transpose, Concat, Pad (constant mode), Identity, Dropout,
 * QuantizeLinear/DequantizeLinear (per-tensor activations, per-axis constants; the interpreter's
 * Quantize rounds half away from zero where ONNX rounds half to even), Constant, and Shape, Gather,
 * Cast on constants. Anything else (LogSoftmax, batched MatMul, ConvInteger, QLinearConv, ...) is an
 * {@link UnsupportedOperatorException}.
 *
 * <p>Errors: a corrupt or inconsistent file ends in {@link MalformedModelException}; an operator or
 * variant the IR cannot express exactly ends in {@link UnsupportedOperatorException} naming the op
 * type and the node. Lengths, counts, ranks and tensor sizes are bounded (a tensor of at most
 * {@value OnnxTensors#MAX_TENSOR_BYTES} bytes, activations of at most 1 GiB in total); nested graphs
 * are skipped without being parsed. Stateless and thread-safe.
 *
 * <pre>{@code
 * Model m = OnnxReader.read(Path.of("mnist8.onnx"));
 * Tensor in = m.graph().inputTensor(0);            // FLOAT32 [1, 28, 28, 1] (NHWC)
 * String layout = m.metadata().get("layout.input.Input3"); // "NCHW"
 * }</pre>
 */
public final class OnnxReader {
    /** The reader name and version recorded in provenance. */
    public static final String READER = "onnx-reader/1";
    /** The lowest default-domain opset read (6: the legacy broadcast attributes are honoured). */
    public static final int MIN_OPSET = 6;
    /** The highest default-domain opset read (22 to 25 only widened the types of the ops read). */
    public static final int MAX_OPSET = 25;

    private static final Logger log = LoggerFactory.getLogger(OnnxReader.class);

    private OnnxReader() {
    }

    /**
     * Reads an ONNX file.
     *
     * @param path the file
     * @return the model, its provenance naming the path
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the file is not a valid ONNX model or breaks an IR rule
     * @throws UnsupportedOperatorException if the graph uses an operator or variant the IR lacks
     */
    public static Model read(Path path) throws IOException, MalformedModelException, UnsupportedOperatorException {
        return read(ReaderEntry.readFile(path, "an ONNX file"), path.toString());
    }

    /**
     * Reads an ONNX model held in memory.
     *
     * @param bytes the serialized ModelProto; not modified, not retained
     * @param sourceName the name recorded in provenance and used in messages
     * @return the model
     * @throws IOException never for in-memory input; declared for symmetry with {@link #read(Path)}
     * @throws MalformedModelException if the bytes are not a valid ONNX model or break an IR rule
     * @throws UnsupportedOperatorException if the graph uses an operator or variant the IR lacks
     */
    public static Model read(byte[] bytes, String sourceName)
            throws IOException, MalformedModelException, UnsupportedOperatorException {
        return read(bytes, sourceName, Map.of());
    }

    /**
     * Reads an ONNX model, binding some graph inputs to constants. This freezes inputs that the IR
     * needs as constants (a Reshape's shape, a Clip's bounds, quantization parameters) when a model
     * takes them as graph inputs; the bound inputs are no longer inputs of the IR graph.
     *
     * @param bytes the serialized ModelProto
     * @param sourceName the name recorded in provenance and used in messages
     * @param constantInputs constants by graph input name, in ONNX layout and shape
     * @return the model
     * @throws IOException never for in-memory input
     * @throws MalformedModelException if the bytes are not a valid ONNX model, or a binding names no
     *         graph input or has another type or shape than the input
     * @throws UnsupportedOperatorException if the graph uses an operator or variant the IR lacks
     */
    public static Model read(byte[] bytes, String sourceName, Map<String, Tensor> constantInputs)
            throws IOException, MalformedModelException, UnsupportedOperatorException {
        return ReaderEntry.guarded(sourceName, "'" + sourceName + "': inconsistent ONNX model: ", () -> {
            OnnxProto proto = new OnnxProto(sourceName);
            OnnxProto.Model pm = proto.parseModel(bytes);
            long opset = checkOpset(pm, sourceName);
            OnnxOps ops = new OnnxOps(sourceName, (int) opset);
            Map<String, String> metadata = new LinkedHashMap<>();
            Graph g = QdqFusion.apply(ops.readGraph(pm.graph(), constantInputs, metadata));
            pm.metadata().forEach((k, v) -> metadata.putIfAbsent("onnx." + k, v));
            if (!pm.producer().isEmpty()) {
                metadata.put("onnx.producer", pm.producer());
            }
            metadata.put("onnx.opset", Long.toString(opset));
            Provenance prov = ReaderEntry.provenance(sourceName, bytes, READER);
            log.debug("read {}: opset {}, {} nodes, {} tensors", sourceName, opset, g.nodes().size(), g.tensors().size());
            return Model.of(g, metadata, prov);
        });
    }

    /**
     * Reads a serialized ONNX {@code TensorProto} (the format of the ONNX test data sets
     * {@code input_0.pb} / {@code output_0.pb}) as an IR constant in ONNX layout.
     *
     * @param bytes the serialized TensorProto
     * @param sourceName a name for messages
     * @return the tensor, named after the TensorProto's name
     * @throws MalformedModelException if the bytes are not a valid TensorProto
     * @throws UnsupportedOperatorException if the element type has no IR type
     */
    public static Tensor readTensor(byte[] bytes, String sourceName)
            throws MalformedModelException, UnsupportedOperatorException {
        OnnxProto proto = new OnnxProto(sourceName);
        OnnxProto.TensorP t = proto.parseTensor(bytes);
        try {
            return OnnxTensors.toConstant(t, t.name().isEmpty() ? "tensor" : t.name(), "'" + sourceName + "'");
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException("'" + sourceName + "': " + e.getMessage(), e);
        }
    }

    private static long checkOpset(OnnxProto.Model pm, String source) throws UnsupportedOperatorException {
        Map<String, Long> opsets = new HashMap<>(pm.opsets());
        Long v = opsets.containsKey("") ? opsets.get("") : opsets.get("ai.onnx");
        if (v == null) {
            v = pm.irVersion() >= 3 ? null : 1L;
        }
        if (v == null || v < MIN_OPSET || v > MAX_OPSET) {
            throw new UnsupportedOperatorException("opset", "'" + source + "': expected a default-domain opset in ["
                    + MIN_OPSET + ", " + MAX_OPSET + "], found " + (v == null ? "none" : v) + " (onnx-reader)");
        }
        return v;
    }
}
