package io.tinyml.core.io.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.tinyml.core.MalformedModelException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of the ONNX protobuf messages the reader needs, decoded by hand. Field numbers are
 * those of {@code onnx.proto}. Nested graphs (attributes of type GRAPH, functions, training info)
 * are skipped without being parsed, so nesting depth is bounded; counts and lengths are bounded
 * by {@link #MAX_ITEMS} and by the input size. Not thread-safe; one instance per read.
 */
final class OnnxProto {
    /** Bound on the number of nodes, tensors, attributes or names in one message list. */
    static final int MAX_ITEMS = 1 << 20;
    /** Bound on the rank of a tensor. */
    static final int MAX_RANK = 16;

    // ONNX TensorProto.DataType codes
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8,
            BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13;
    // AttributeProto.AttributeType codes
    static final int A_FLOAT = 1, A_INT = 2, A_STRING = 3, A_TENSOR = 4, A_GRAPH = 5, A_FLOATS = 6, A_INTS = 7;

    record Model(long irVersion, Map<String, Long> opsets, Graph graph, Map<String, String> metadata,
                 String producer) {
    }

    record Graph(String name, List<Node> nodes, List<TensorP> initializers, List<ValueInfo> inputs,
                 List<ValueInfo> outputs, List<ValueInfo> valueInfo, int sparseInitializers) {
    }

    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                Map<String, Attr> attrs) {
    }

    record Attr(String name, int type, float f, long i, byte[] s, TensorP t, float[] floats, long[] ints,
                boolean hasGraph) {
        String string() {
            return s == null ? null : new String(s, StandardCharsets.UTF_8);
        }
    }

    /** A TensorProto: only the fields holding data the reader uses. */
    record TensorP(String name, int dataType, long[] dims, byte[] raw, float[] floatData, int[] int32Data,
                   long[] int64Data, double[] doubleData, long[] uint64Data, boolean external) {
    }

    /**
     * A ValueInfoProto of a tensor type; {@code dims} holds -1 for unknown dimensions; {@code dims}
     * is null when no shape is given; {@code elemType} 0 when unknown or not a tensor.
     */
    record ValueInfo(String name, int elemType, long[] dims) {
    }

    private final String source;

    OnnxProto(String source) {
        this.source = source;
    }

    Model parseModel(byte[] bytes) throws MalformedModelException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            long ir = -1;
            Map<String, Long> opsets = new LinkedHashMap<>();
            Graph graph = null;
            Map<String, String> meta = new LinkedHashMap<>();
            String producer = "";
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> ir = varint(in, tag, "ir_version");
                    case 2 -> producer = string(in, tag, "producer_name");
                    case 7 -> {
                        int old = enter(in, tag, "graph");
                        graph = parseGraph(in);
                        in.popLimit(old);
                    }
                    case 8 -> {
                        int old = enter(in, tag, "opset_import");
                        String domain = "";
                        long version = -1;
                        int t;
                        while ((t = in.readTag()) != 0) {
                            switch (WireFormat.getTagFieldNumber(t)) {
                                case 1 -> domain = string(in, t, "opset domain");
                                case 2 -> version = varint(in, t, "opset version");
                                default -> skip(in, t);
                            }
                        }
                        in.popLimit(old);
                        bound(opsets.size(), "opset imports");
                        opsets.put(domain, version);
                    }
                    case 14 -> {
                        int old = enter(in, tag, "metadata_props");
                        String[] kv = keyValue(in);
                        in.popLimit(old);
                        bound(meta.size(), "metadata entries");
                        meta.put(kv[0], kv[1]);
                    }
                    default -> skip(in, tag);
                }
            }
            if (graph == null) {
                throw malformed("expected a graph (ModelProto field 7), found none");
            }
            return new Model(ir, opsets, graph, meta, producer);
        } catch (IOException e) {
            throw malformed("corrupt protobuf: " + e.getMessage(), e);
        }
    }

    /** Parses a TensorProto held alone in a byte array (the test data format). */
    TensorP parseTensor(byte[] bytes) throws MalformedModelException {
        try {
            return parseTensor(CodedInputStream.newInstance(bytes));
        } catch (IOException e) {
            throw malformed("corrupt TensorProto: " + e.getMessage(), e);
        }
    }

    private Graph parseGraph(CodedInputStream in) throws IOException, MalformedModelException {
        String name = "";
        List<Node> nodes = new ArrayList<>();
        List<TensorP> inits = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        List<ValueInfo> info = new ArrayList<>();
        int sparse = 0;
        int tag;
        while ((tag = in.readTag()) != 0) {
            int f = WireFormat.getTagFieldNumber(tag);
            switch (f) {
                case 1 -> {
                    bound(nodes.size(), "nodes");
                    int old = enter(in, tag, "node");
                    nodes.add(parseNode(in));
                    in.popLimit(old);
                }
                case 2 -> name = string(in, tag, "graph name");
                case 5 -> {
                    bound(inits.size(), "initializers");
                    int old = enter(in, tag, "initializer");
                    inits.add(parseTensor(in));
                    in.popLimit(old);
                }
                case 11, 12, 13 -> {
                    List<ValueInfo> l = f == 11 ? inputs : f == 12 ? outputs : info;
                    bound(l.size(), "value infos");
                    int old = enter(in, tag, "value info");
                    l.add(parseValueInfo(in));
                    in.popLimit(old);
                }
                case 15 -> {
                    sparse++;
                    skip(in, tag);
                }
                default -> skip(in, tag);
            }
        }
        return new Graph(name, nodes, inits, inputs, outputs, info, sparse);
    }

    private Node parseNode(CodedInputStream in) throws IOException, MalformedModelException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String op = "";
        String domain = "";
        Map<String, Attr> attrs = new LinkedHashMap<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    bound(inputs.size(), "node inputs");
                    inputs.add(string(in, tag, "node input"));
                }
                case 2 -> {
                    bound(outputs.size(), "node outputs");
                    outputs.add(string(in, tag, "node output"));
                }
                case 3 -> name = string(in, tag, "node name");
                case 4 -> op = string(in, tag, "op_type");
                case 5 -> {
                    bound(attrs.size(), "attributes");
                    int old = enter(in, tag, "attribute");
                    Attr a = parseAttr(in);
                    in.popLimit(old);
                    attrs.put(a.name(), a);
                }
                case 7 -> domain = string(in, tag, "node domain");
                default -> skip(in, tag);
            }
        }
        return new Node(name, op, domain, inputs, outputs, attrs);
    }

    private Attr parseAttr(CodedInputStream in) throws IOException, MalformedModelException {
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        byte[] s = null;
        TensorP t = null;
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        boolean graph = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = string(in, tag, "attribute name");
                case 2 -> {
                    check(tag, WireFormat.WIRETYPE_FIXED32, "attribute f");
                    f = in.readFloat();
                }
                case 3 -> i = varint(in, tag, "attribute i");
                case 4 -> s = bytes(in, tag, "attribute s");
                case 5 -> {
                    int old = enter(in, tag, "attribute t");
                    t = parseTensor(in);
                    in.popLimit(old);
                }
                case 6, 11 -> {
                    graph = true;
                    skip(in, tag);
                }
                case 7 -> floats.read(in, tag, this, "attribute floats");
                case 8 -> ints.read(in, tag, false, this, "attribute ints");
                case 20 -> type = (int) varint(in, tag, "attribute type");
                default -> skip(in, tag);
            }
        }
        return new Attr(name, type, f, i, s, t, floats.toArray(), ints.toArray(), graph);
    }

    private TensorP parseTensor(CodedInputStream in) throws IOException, MalformedModelException {
        LongList dims = new LongList();
        int type = 0;
        FloatList floats = new FloatList();
        LongList int32 = new LongList();
        LongList int64 = new LongList();
        LongList uint64 = new LongList();
        DoubleList doubles = new DoubleList();
        String name = "";
        byte[] raw = null;
        boolean external = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    dims.read(in, tag, false, this, "dims");
                    if (dims.size > MAX_RANK) {
                        throw malformed("tensor '" + name + "': expected a rank of at most " + MAX_RANK + ", found "
                                + dims.size + " dims or more");
                    }
                }
                case 2 -> type = (int) varint(in, tag, "data_type");
                case 4 -> floats.read(in, tag, this, "float_data");
                case 5 -> int32.read(in, tag, false, this, "int32_data");
                case 7 -> int64.read(in, tag, false, this, "int64_data");
                case 8 -> name = string(in, tag, "tensor name");
                case 9 -> raw = bytes(in, tag, "raw_data");
                case 10 -> doubles.read(in, tag, this, "double_data");
                case 11 -> uint64.read(in, tag, false, this, "uint64_data");
                case 13 -> {
                    external = true;
                    skip(in, tag);
                }
                case 14 -> external |= varint(in, tag, "data_location") == 1;
                default -> skip(in, tag);
            }
        }
        long[] i32 = int32.toArray();
        int[] i32s = new int[i32.length];
        for (int k = 0; k < i32.length; k++) {
            i32s[k] = (int) i32[k];
        }
        return new TensorP(name, type, dims.toArray(), raw, floats.toArray(), i32s, int64.toArray(),
                doubles.toArray(), uint64.toArray(), external);
    }

    private ValueInfo parseValueInfo(CodedInputStream in) throws IOException, MalformedModelException {
        String name = "";
        int elem = 0;
        long[] dims = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = string(in, tag, "value name");
                case 2 -> { // TypeProto
                    int old = enter(in, tag, "type");
                    int t;
                    while ((t = in.readTag()) != 0) {
                        if (WireFormat.getTagFieldNumber(t) == 1) { // tensor_type
                            int old2 = enter(in, t, "tensor_type");
                            int u;
                            while ((u = in.readTag()) != 0) {
                                switch (WireFormat.getTagFieldNumber(u)) {
                                    case 1 -> elem = (int) varint(in, u, "elem_type");
                                    case 2 -> {
                                        int old3 = enter(in, u, "shape");
                                        dims = parseShape(in);
                                        in.popLimit(old3);
                                    }
                                    default -> skip(in, u);
                                }
                            }
                            in.popLimit(old2);
                        } else {
                            skip(in, t);
                        }
                    }
                    in.popLimit(old);
                }
                default -> skip(in, tag);
            }
        }
        return new ValueInfo(name, elem, dims);
    }

    private long[] parseShape(CodedInputStream in) throws IOException, MalformedModelException {
        LongList dims = new LongList();
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                if (dims.size >= MAX_RANK) {
                    throw malformed("expected a shape of rank at most " + MAX_RANK + ", found more dimensions");
                }
                int old = enter(in, tag, "dimension");
                long v = -1;
                int t;
                while ((t = in.readTag()) != 0) {
                    if (WireFormat.getTagFieldNumber(t) == 1) {
                        v = varint(in, t, "dim_value");
                    } else {
                        skip(in, t);
                    }
                }
                in.popLimit(old);
                dims.add(v < 0 ? -1 : v);
            } else {
                skip(in, tag);
            }
        }
        return dims.toArray();
    }

    // ---- primitive helpers ----

    private int enter(CodedInputStream in, int tag, String what) throws IOException, MalformedModelException {
        check(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, what);
        int len = in.readRawVarint32();
        if (len < 0 || len > in.getBytesUntilLimit() && in.getBytesUntilLimit() >= 0) {
            throw malformed(what + ": expected a length within the enclosing message, found " + len);
        }
        return in.pushLimit(len);
    }

    private long varint(CodedInputStream in, int tag, String what) throws IOException, MalformedModelException {
        check(tag, WireFormat.WIRETYPE_VARINT, what);
        return in.readInt64();
    }

    private String string(CodedInputStream in, int tag, String what) throws IOException, MalformedModelException {
        return new String(bytes(in, tag, what), StandardCharsets.UTF_8);
    }

    private byte[] bytes(CodedInputStream in, int tag, String what) throws IOException, MalformedModelException {
        check(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, what);
        return in.readByteArray();
    }

    /** Skips a field; groups (unused by ONNX) are refused so that skipping never recurses. */
    private void skip(CodedInputStream in, int tag) throws IOException, MalformedModelException {
        int wt = WireFormat.getTagWireType(tag);
        if (wt == WireFormat.WIRETYPE_START_GROUP || wt == WireFormat.WIRETYPE_END_GROUP || wt > 5) {
            throw malformed("expected no protobuf groups, found wire type " + wt + " in field "
                    + WireFormat.getTagFieldNumber(tag));
        }
        in.skipField(tag);
    }

    void check(int tag, int wireType, String what) throws MalformedModelException {
        if (WireFormat.getTagWireType(tag) != wireType) {
            throw malformed(what + ": expected wire type " + wireType + ", found " + WireFormat.getTagWireType(tag));
        }
    }

    private void bound(int size, String what) throws MalformedModelException {
        if (size >= MAX_ITEMS) {
            throw malformed("expected at most " + MAX_ITEMS + " " + what + ", found more");
        }
    }

    MalformedModelException malformed(String message) {
        return new MalformedModelException("'" + source + "': " + message);
    }

    MalformedModelException malformed(String message, Throwable cause) {
        return new MalformedModelException("'" + source + "': " + message, cause);
    }

    /** A growable long list reading packed or unpacked varints (or fixed64 when asked). */
    static final class LongList {
        long[] a = new long[4];
        int size;

        void add(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = v;
        }

        void read(CodedInputStream in, int tag, boolean fixed, OnnxProto p, String what)
                throws IOException, MalformedModelException {
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int len = in.readRawVarint32();
                if (len < 0) {
                    throw p.malformed(what + ": expected a non-negative packed length, found " + len);
                }
                int old = in.pushLimit(len);
                while (in.getBytesUntilLimit() > 0) {
                    add(in.readInt64());
                }
                in.popLimit(old);
            } else {
                p.check(tag, WireFormat.WIRETYPE_VARINT, what);
                add(in.readInt64());
            }
        }

        long[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    /** A growable float list reading packed or unpacked fixed32 values. */
    static final class FloatList {
        float[] a = new float[4];
        int size;

        void read(CodedInputStream in, int tag, OnnxProto p, String what) throws IOException, MalformedModelException {
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int len = in.readRawVarint32();
                if (len < 0 || len % 4 != 0) {
                    throw p.malformed(what + ": expected a packed length that is a multiple of 4, found " + len);
                }
                int old = in.pushLimit(len);
                ensure(len / 4);
                while (in.getBytesUntilLimit() > 0) {
                    a[size++] = in.readFloat();
                }
                in.popLimit(old);
            } else {
                p.check(tag, WireFormat.WIRETYPE_FIXED32, what);
                ensure(1);
                a[size++] = in.readFloat();
            }
        }

        private void ensure(int more) {
            if (size + more > a.length) {
                a = Arrays.copyOf(a, Math.max(a.length * 2, size + more));
            }
        }

        float[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    /** A growable double list reading packed or unpacked fixed64 values. */
    static final class DoubleList {
        double[] a = new double[4];
        int size;

        void read(CodedInputStream in, int tag, OnnxProto p, String what) throws IOException, MalformedModelException {
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int len = in.readRawVarint32();
                if (len < 0 || len % 8 != 0) {
                    throw p.malformed(what + ": expected a packed length that is a multiple of 8, found " + len);
                }
                int old = in.pushLimit(len);
                while (in.getBytesUntilLimit() > 0) {
                    add(in.readDouble());
                }
                in.popLimit(old);
            } else {
                p.check(tag, WireFormat.WIRETYPE_FIXED64, what);
                add(in.readDouble());
            }
        }

        private void add(double v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    private String[] keyValue(CodedInputStream in) throws IOException, MalformedModelException {
        String k = "";
        String v = "";
        int t;
        while ((t = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> k = string(in, t, "metadata key");
                case 2 -> v = string(in, t, "metadata value");
                default -> skip(in, t);
            }
        }
        return new String[] {k, v};
    }
}
