package io.tinyml.core.io.tflite;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.internal.ReaderEntry;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a TFLite flatbuffer (schema version 3, identifier {@code TFL3}) into the IR.
 *
 * <p>Only subgraph 0, the main graph, is read. Tensors keep their type, shape, quantization
 * (per-tensor or per-axis) and constant data (from the buffer's data vector or from its
 * offset/size form); operators become the IR's typed records, with constant operator inputs that
 * the IR carries as attributes (reshape shapes, mean axes, paddings, permutations) folded into the
 * record and dropped from the node. Node names come from the first output tensor's name. The
 * model's description and its {@code min_runtime_version} metadata become model metadata
 * ({@code description}, {@code min_runtime_version}); the provenance records the source, the
 * SHA-256 of the bytes and the reader {@value #READER}.
 *
 * <p>Every offset and length in the file is checked before use; hostile input ends in a
 * {@link MalformedModelException} or an {@link UnsupportedOperatorException} naming the problem.
 * Any single tensor over {@value #MAX_TENSOR_BYTES} bytes (256 MiB) and activations over
 * {@value #MAX_ACTIVATION_BYTES} bytes (1 GiB) in total are refused. Stateless and thread-safe.
 *
 * <pre>{@code
 * Model m = TfliteReader.read(Path.of("person_detect.tflite"));
 * Tensor in = m.graph().inputTensor(0); // INT8 [1, 96, 96, 1]
 * }</pre>
 */
public final class TfliteReader {
    /** The reader name and version recorded in provenance. */
    public static final String READER = "tflite-reader/1";
    /** The largest tensor accepted, in bytes. */
    public static final long MAX_TENSOR_BYTES = 256L << 20;
    /** The largest total of activation (non-constant) tensor bytes accepted. */
    public static final long MAX_ACTIVATION_BYTES = 1L << 30;

    private static final Logger log = LoggerFactory.getLogger(TfliteReader.class);

    /** A tensor as the file declares it, before it becomes an IR tensor. */
    record RawTensor(int index, String name, int typeCode, int[] dims, long bufferIndex, int quantTable,
                     boolean sparse) {
    }

    private final FlatReader fb;
    private final byte[] bytes;
    private final String source;
    private final List<RawTensor> tensors = new ArrayList<>();
    private final Map<Integer, byte[]> dataCache = new LinkedHashMap<>();
    private FlatReader.Vec buffers = FlatReader.Vec.ABSENT;
    private long constantBytes;

    private TfliteReader(byte[] bytes, String source) {
        this.bytes = bytes;
        this.source = source;
        this.fb = new FlatReader(bytes);
    }

    /**
     * Reads a TFLite file.
     *
     * @param path the file
     * @return the model, its provenance naming the path
     * @throws IOException if the file cannot be read ({@link java.nio.file.NoSuchFileException} if missing)
     * @throws MalformedModelException if the file is not a valid TFLite flatbuffer or breaks an IR rule
     * @throws UnsupportedOperatorException if the graph uses an operator or variant the IR lacks
     */
    public static Model read(Path path) throws IOException, MalformedModelException, UnsupportedOperatorException {
        return read(ReaderEntry.readFile(path, "a TFLite file"), path.toString());
    }

    /**
     * Reads a TFLite flatbuffer held in memory.
     *
     * @param bytes the file's bytes; not modified, not retained
     * @param sourceName the name recorded in provenance and used in messages (a path or a description)
     * @return the model
     * @throws IOException never for in-memory input; declared for symmetry with {@link #read(Path)}
     * @throws MalformedModelException if the bytes are not a valid TFLite flatbuffer or break an IR rule
     * @throws UnsupportedOperatorException if the graph uses an operator or variant the IR lacks
     */
    public static Model read(byte[] bytes, String sourceName)
            throws IOException, MalformedModelException, UnsupportedOperatorException {
        return ReaderEntry.guarded(sourceName, "corrupt TFLite flatbuffer '" + sourceName + "': ",
                () -> new TfliteReader(bytes, sourceName).readModel());
    }

    private Model readModel() throws MalformedModelException, UnsupportedOperatorException {
        if (bytes.length < 8) {
            throw new MalformedModelException("'" + source + "': expected a TFLite flatbuffer of at least 8 bytes, found "
                    + bytes.length);
        }
        String id = new String(bytes, 4, 4, StandardCharsets.ISO_8859_1);
        if (!id.equals(TfliteSchema.IDENTIFIER)) {
            throw new MalformedModelException("'" + source + "': expected file identifier 'TFL3' at offset 4, found "
                    + describeId(bytes));
        }
        int model = fb.root();
        long version = fb.getUint(model, TfliteSchema.MODEL_VERSION, "model version");
        if (version != TfliteSchema.VERSION) {
            throw new MalformedModelException("'" + source + "': expected TFLite schema version 3, found " + version);
        }
        List<OpCode> opcodes = readOpcodes(model);
        buffers = fb.vector(model, TfliteSchema.MODEL_BUFFERS, 4, "buffers");
        FlatReader.Vec subgraphs = fb.vector(model, TfliteSchema.MODEL_SUBGRAPHS, 4, "subgraphs");
        if (subgraphs.length() == 0) {
            throw new MalformedModelException("'" + source + "': expected at least one subgraph, found none");
        }
        if (subgraphs.length() > 1) {
            log.debug("{}: reading subgraph 0 of {}", source, subgraphs.length());
        }
        int sg = fb.tableAt(subgraphs, 0, "subgraph 0");
        Graph graph = readGraph(sg, opcodes);
        Map<String, String> metadata = readMetadata(model);
        Provenance prov = ReaderEntry.provenance(source, bytes, READER);
        log.debug("read {}: {} nodes, {} tensors", source, graph.nodes().size(), graph.tensors().size());
        return Model.of(graph, metadata, prov);
    }

    /** An operator code: the builtin code (the larger of the two fields) and the custom code. */
    record OpCode(int builtin, String custom) {
    }

    private List<OpCode> readOpcodes(int model) throws MalformedModelException {
        FlatReader.Vec v = fb.vector(model, TfliteSchema.MODEL_OPERATOR_CODES, 4, "operator_codes");
        List<OpCode> out = new ArrayList<>(v.length());
        for (int i = 0; i < v.length(); i++) {
            String what = "operator code " + i;
            int t = fb.tableAt(v, i, what);
            int deprecated = fb.getByte(t, TfliteSchema.OPCODE_DEPRECATED_BUILTIN_CODE, 0, what);
            int builtin = fb.getInt(t, TfliteSchema.OPCODE_BUILTIN_CODE, 0, what);
            String custom = fb.string(t, TfliteSchema.OPCODE_CUSTOM_CODE, what);
            out.add(new OpCode(Math.max(deprecated, builtin), custom));
        }
        return out;
    }

    private Graph readGraph(int sg, List<OpCode> opcodes) throws MalformedModelException, UnsupportedOperatorException {
        FlatReader.Vec tv = fb.vector(sg, TfliteSchema.SUBGRAPH_TENSORS, 4, "tensors");
        for (int i = 0; i < tv.length(); i++) {
            tensors.add(readRawTensor(i, fb.tableAt(tv, i, "tensor " + i)));
        }
        int[] graphInputs = indices(fb.vector(sg, TfliteSchema.SUBGRAPH_INPUTS, 4, "subgraph inputs"), "graph input");
        int[] graphOutputs = indices(fb.vector(sg, TfliteSchema.SUBGRAPH_OUTPUTS, 4, "subgraph outputs"), "graph output");

        FlatReader.Vec ov = fb.vector(sg, TfliteSchema.SUBGRAPH_OPERATORS, 4, "operators");
        TfliteOps ops = new TfliteOps(fb, this);
        List<TfliteOps.Mapped> mapped = new ArrayList<>(ov.length());
        for (int n = 0; n < ov.length(); n++) {
            mapped.add(ops.map(n, fb.tableAt(ov, n, "operator " + n), opcodes));
        }

        // Which tensors the IR graph refers to, in file order.
        boolean[] used = new boolean[tensors.size()];
        for (int i : graphInputs) {
            used[i] = true;
        }
        for (int i : graphOutputs) {
            used[i] = true;
        }
        for (TfliteOps.Mapped m : mapped) {
            m.inputs().forEach(i -> {
                if (i != Node.ABSENT) {
                    used[i] = true;
                }
            });
            m.outputs().forEach(i -> used[i] = true);
        }
        checkFanout(mapped);

        String[] names = uniqueNames(used);
        int[] remap = new int[tensors.size()];
        Arrays.fill(remap, -1);
        GraphBuilder b = new GraphBuilder();
        long activationBytes = 0;
        for (RawTensor r : tensors) {
            if (!used[r.index()]) {
                continue;
            }
            Tensor t = toIr(r, names[r.index()]);
            if (!t.isConstant()) {
                activationBytes += (long) t.shape().elementCount() * t.type().byteSize();
                if (activationBytes > MAX_ACTIVATION_BYTES) {
                    throw new MalformedModelException("'" + source + "': activations declare over " + activationBytes
                            + " bytes in total (at tensor '" + t.name() + "'), over the limit of "
                            + MAX_ACTIVATION_BYTES + " bytes (1 GiB)");
                }
            }
            remap[r.index()] = b.addTensor(t);
        }
        for (int i : graphInputs) {
            b.addInputIndex(remap[i]);
        }
        for (int i : graphOutputs) {
            b.addOutput(remap[i]);
        }
        Set<String> nodeNames = new HashSet<>();
        Map<String, Integer> nextNodeSuffix = new HashMap<>();
        for (TfliteOps.Mapped m : mapped) {
            String base = m.outputs().isEmpty() ? "" : names[m.outputs().get(0)];
            if (base.isEmpty()) {
                base = "op" + m.index() + "_" + m.builtinName();
            }
            String name = base;
            for (int k = nextNodeSuffix.getOrDefault(base, 1); !nodeNames.add(name); k++) {
                name = base + "_" + k;
                nextNodeSuffix.put(base, k + 1);
            }
            List<Integer> in = m.inputs().stream().map(i -> i == Node.ABSENT ? Node.ABSENT : remap[i]).toList();
            List<Integer> out = m.outputs().stream().map(i -> remap[i]).toList();
            b.addNode(name, m.op(), in, out);
        }
        return b.build();
    }

    /**
     * Refuses graphs whose tensors are read by so many nodes, so many times, that building the
     * consumer lists would take quadratic time (only crafted files get near the bound).
     */
    private void checkFanout(List<TfliteOps.Mapped> mapped) throws MalformedModelException {
        long cost = ReaderEntry.fanOutCost(tensors.size(), mapped.stream().map(TfliteOps.Mapped::inputs).toList());
        if (cost > ReaderEntry.MAX_FANOUT_COST) {
            throw new MalformedModelException("'" + source + "': expected tensors read by a moderate number of "
                    + "operators, found a read fan-out cost of " + cost + " (limit " + ReaderEntry.MAX_FANOUT_COST
                    + ")");
        }
    }

    private int[] indices(FlatReader.Vec v, String what) throws MalformedModelException {
        int[] out = fb.ints(v);
        for (int i : out) {
            checkTensorIndex(i, what);
        }
        return out;
    }

    /** Fails unless {@code i} is a tensor index of subgraph 0. */
    void checkTensorIndex(int i, String what) throws MalformedModelException {
        if (i < 0 || i >= tensors.size()) {
            throw new MalformedModelException("'" + source + "': " + what + ": expected a tensor index in [0, "
                    + tensors.size() + "), found " + i);
        }
    }

    private RawTensor readRawTensor(int i, int t) throws MalformedModelException {
        String what = "tensor " + i;
        FlatReader.Vec shape = fb.vector(t, TfliteSchema.TENSOR_SHAPE, 4, what + " shape");
        int type = fb.getByte(t, TfliteSchema.TENSOR_TYPE, 0, what);
        long buffer = fb.getUint(t, TfliteSchema.TENSOR_BUFFER, what);
        String name = fb.string(t, TfliteSchema.TENSOR_NAME, what);
        int quant = fb.subTable(t, TfliteSchema.TENSOR_QUANTIZATION, what + " quantization");
        String label = name == null || name.isEmpty() ? "#" + i : name;
        int[] dims = fb.ints(shape);
        for (int d : dims) {
            if (d < 0) {
                throw new MalformedModelException("'" + source + "': tensor '" + label
                        + "': expected non-negative dimensions, found " + dimsText(dims));
            }
        }
        long elements = 1;
        for (int d : dims) {
            elements *= d;
            if (elements > MAX_TENSOR_BYTES) {
                break;
            }
        }
        if (!TfliteSchema.isKnownType(type)) {
            throw new MalformedModelException("'" + source + "': tensor '" + label
                    + "': expected a tensor type in [0, 18], found " + type);
        }
        DataType dt = TfliteSchema.dataType(type);
        long bytesDeclared = elements * (dt == null ? 1 : dt.byteSize());
        if (bytesDeclared > MAX_TENSOR_BYTES) {
            throw new MalformedModelException("'" + source + "': tensor '" + label + "' declares "
                    + (elements > MAX_TENSOR_BYTES ? "over " + MAX_TENSOR_BYTES : String.valueOf(bytesDeclared))
                    + " bytes (shape " + dimsText(dims) + "), over the limit of " + MAX_TENSOR_BYTES
                    + " bytes (256 MiB)");
        }
        if (buffer != 0 && buffer >= buffers.length()) {
            throw new MalformedModelException("'" + source + "': tensor '" + label + "': expected a buffer index in [0, "
                    + buffers.length() + "), found " + buffer);
        }
        if (fb.getBool(t, TfliteSchema.TENSOR_IS_VARIABLE, false, what)) {
            log.debug("{}: tensor '{}' is a variable tensor; read as an activation", source, label);
        }
        boolean sparse = fb.subTable(t, TfliteSchema.TENSOR_SPARSITY, what + " sparsity") >= 0;
        return new RawTensor(i, name == null ? "" : name, type, dims, buffer, quant, sparse);
    }

    /** Returns raw tensor {@code i} (index already checked). */
    RawTensor raw(int i) {
        return tensors.get(i);
    }

    /** Returns the source name for messages. */
    String source() {
        return source;
    }

    /** Returns the constant bytes of a tensor's buffer, or null when the buffer is empty. */
    byte[] data(RawTensor r) throws MalformedModelException {
        if (r.bufferIndex() == 0) {
            return null;
        }
        if (dataCache.containsKey(r.index())) {
            return dataCache.get(r.index());
        }
        String what = "buffer " + r.bufferIndex() + " of tensor '" + label(r) + "'";
        int t = fb.tableAt(buffers, (int) r.bufferIndex(), what);
        byte[] out;
        long offset = fb.getLong(t, TfliteSchema.BUFFER_OFFSET, 0, what);
        if (offset > 1) {
            long size = fb.getLong(t, TfliteSchema.BUFFER_SIZE, 0, what);
            charge(size, what);
            out = fb.bytes(offset, size, what);
        } else {
            FlatReader.Vec v = fb.vector(t, TfliteSchema.BUFFER_DATA, 1, what);
            charge(v.length(), what);
            out = v.length() == 0 ? null : fb.bytes(v.start(), v.length(), what);
        }
        if (out != null && out.length == 0) {
            out = null;
        }
        dataCache.put(r.index(), out);
        return out;
    }

    private void charge(long size, String what) throws MalformedModelException {
        constantBytes += Math.max(size, 0);
        long max = 4L * bytes.length + (1L << 20);
        if (constantBytes > max) {
            throw new MalformedModelException("'" + source + "': " + what + ": expected constant data of at most "
                    + max + " bytes in total for a " + bytes.length + "-byte file, found over " + constantBytes
                    + " (buffers shared too often)");
        }
    }

    private Tensor toIr(RawTensor r, String name) throws MalformedModelException, UnsupportedOperatorException {
        DataType dt = TfliteSchema.dataType(r.typeCode());
        if (dt == null) {
            String typeName = TfliteSchema.typeName(r.typeCode());
            throw new UnsupportedOperatorException("TensorType." + typeName, "'" + source + "': tensor '" + name
                    + "' has type " + typeName + ", which the IR does not support; expected FLOAT32, FLOAT16, INT8, "
                    + "UINT8, INT16, INT32, INT64 or BOOL (TFLite reader)");
        }
        if (r.sparse()) {
            throw new UnsupportedOperatorException("SparsityParameters", "'" + source + "': tensor '" + name
                    + "' is stored sparse, which the TFLite reader does not support; expected dense tensors");
        }
        Shape shape = Shape.of(r.dims());
        byte[] data = data(r);
        QuantParams q = quant(r, name);
        try {
            Tensor t;
            if (data != null) {
                long expected = (long) shape.elementCount() * dt.byteSize();
                if (data.length != expected) {
                    throw new MalformedModelException("'" + source + "': tensor '" + name + "' " + dt + shape
                            + ": expected " + expected + " data bytes in buffer " + r.bufferIndex() + ", found "
                            + data.length);
                }
                t = Tensor.constant(name, dt, shape, data);
            } else {
                t = Tensor.activation(name, dt, shape);
            }
            return q == null ? t : t.withQuant(q);
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException("'" + source + "': tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    private QuantParams quant(RawTensor r, String name) throws MalformedModelException, UnsupportedOperatorException {
        int q = r.quantTable();
        if (q < 0) {
            return null;
        }
        String what = "quantization of tensor '" + name + "'";
        FlatReader.Vec sv = fb.vector(q, TfliteSchema.QUANT_SCALE, 4, what + " scales");
        FlatReader.Vec zv = fb.vector(q, TfliteSchema.QUANT_ZERO_POINT, 8, what + " zero points");
        if (fb.getUbyte(q, TfliteSchema.QUANT_DETAILS_TYPE, 0, what) != 0) {
            throw new UnsupportedOperatorException("CustomQuantization", "'" + source + "': tensor '" + name
                    + "' uses custom quantization details, which the TFLite reader does not support");
        }
        if (sv.length() == 0) {
            return null;
        }
        if (zv.length() != 0 && zv.length() != sv.length()) {
            throw new MalformedModelException("'" + source + "': " + what + ": expected " + sv.length()
                    + " zero points (one per scale), found " + zv.length());
        }
        float[] scales = new float[sv.length()];
        long[] zps = new long[sv.length()];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = fb.floatAt(sv, i);
            zps[i] = zv.length() == 0 ? 0 : fb.longAt(zv, i);
        }
        int axis = fb.getInt(q, TfliteSchema.QUANT_QUANTIZED_DIMENSION, 0, what);
        int[] dims = r.dims();
        if (scales.length > 1 && (axis < 0 || axis >= dims.length) && dims.length == 1 && dims[0] == scales.length) {
            // Old converters copy the filter's quantized_dimension (3) onto the rank-1 bias.
            log.debug("{}: tensor '{}': per-axis quantization on axis {} of a rank-1 tensor read as axis 0",
                    source, name, axis);
            axis = 0;
        }
        try {
            return scales.length == 1 ? QuantParams.perTensor(scales[0], zps[0])
                    : QuantParams.perAxis(scales, zps, axis);
        } catch (IllegalArgumentException e) {
            throw new MalformedModelException("'" + source + "': " + what + ": " + e.getMessage(), e);
        }
    }

    /** Returns a tensor's name for messages. */
    static String label(RawTensor r) {
        return r.name().isEmpty() ? "#" + r.index() : r.name();
    }

    private String[] uniqueNames(boolean[] used) {
        String[] raw = new String[tensors.size()];
        for (RawTensor r : tensors) {
            if (used[r.index()]) {
                raw[r.index()] = r.name();
            }
        }
        return new UniqueNames().assign(raw);
    }

    private Map<String, String> readMetadata(int model) throws MalformedModelException {
        Map<String, String> out = new LinkedHashMap<>();
        String description = fb.string(model, TfliteSchema.MODEL_DESCRIPTION, "model description");
        if (description != null && !description.isEmpty()) {
            out.put("description", description);
        }
        FlatReader.Vec mv = fb.vector(model, TfliteSchema.MODEL_METADATA, 4, "metadata");
        for (int i = 0; i < mv.length(); i++) {
            String what = "metadata " + i;
            int t = fb.tableAt(mv, i, what);
            String name = fb.string(t, TfliteSchema.METADATA_NAME, what);
            if (!"min_runtime_version".equals(name)) {
                continue;
            }
            long buffer = fb.getUint(t, TfliteSchema.METADATA_BUFFER, what);
            if (buffer >= buffers.length()) {
                throw new MalformedModelException("'" + source + "': metadata '" + name
                        + "': expected a buffer index in [0, " + buffers.length() + "), found " + buffer);
            }
            int bt = fb.tableAt(buffers, (int) buffer, what);
            FlatReader.Vec v = fb.vector(bt, TfliteSchema.BUFFER_DATA, 1, what);
            byte[] raw = fb.bytes(v.start() < 0 ? 0 : v.start(), v.length(), what);
            int end = 0;
            while (end < raw.length && raw[end] != 0) {
                end++;
            }
            out.put(name, new String(raw, 0, end, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** A shape for messages, shortened when the rank is large. */
    static String dimsText(int[] dims) {
        if (dims.length <= 8) {
            return Arrays.toString(dims);
        }
        return Arrays.toString(Arrays.copyOf(dims, 8)).replace("]", ", ... (rank " + dims.length + ")]");
    }

    private static String describeId(byte[] b) {
        StringBuilder s = new StringBuilder("'");
        for (int i = 4; i < 8; i++) {
            int c = b[i] & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.append("'").toString();
    }
}
