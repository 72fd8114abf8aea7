package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hand-crafted hostile ONNX files: each must end in a MalformedModelException or an
 * UnsupportedOperatorException whose message names the problem.
 */
class OnnxCraftedTest {

    /** A tiny ONNX model under construction. */
    static final class Raw {
        long opset = 13;
        final List<OnnxProtoWriter> nodes = new ArrayList<>();
        final List<OnnxProtoWriter> inits = new ArrayList<>();
        final List<OnnxProtoWriter> inputs = new ArrayList<>();
        final List<OnnxProtoWriter> outputs = new ArrayList<>();
        final List<OnnxProtoWriter> extraAttrs = new ArrayList<>();

        static OnnxProtoWriter value(String name, long... dims) {
            OnnxProtoWriter shape = new OnnxProtoWriter();
            for (long d : dims) {
                shape.message(1, new OnnxProtoWriter().varint(1, d));
            }
            return new OnnxProtoWriter().string(1, name).message(2, new OnnxProtoWriter().message(1,
                    new OnnxProtoWriter().varint(1, OnnxProto.FLOAT).message(2, shape)));
        }

        Raw node(String op, String name, List<String> in, List<String> out, OnnxProtoWriter... attrs) {
            OnnxProtoWriter n = new OnnxProtoWriter();
            in.forEach(s -> n.string(1, s));
            out.forEach(s -> n.string(2, s));
            n.string(3, name).string(4, op);
            for (OnnxProtoWriter a : attrs) {
                n.message(5, a);
            }
            nodes.add(n);
            return this;
        }

        byte[] build() {
            OnnxProtoWriter g = new OnnxProtoWriter();
            nodes.forEach(n -> g.message(1, n));
            g.string(2, "crafted");
            inits.forEach(t -> g.message(5, t));
            inputs.forEach(v -> g.message(11, v));
            outputs.forEach(v -> g.message(12, v));
            return new OnnxProtoWriter().varint(1, 8).message(7, g)
                    .message(8, new OnnxProtoWriter().string(1, "").varint(2, opset)).toByteArray();
        }
    }

    static Raw relu() {
        Raw r = new Raw();
        r.inputs.add(Raw.value("x", 1, 3, 4, 4));
        r.outputs.add(Raw.value("y", 1, 3, 4, 4));
        r.node("Relu", "relu1", List.of("x"), List.of("y"));
        return r;
    }

    static String malformed(byte[] bytes) {
        return assertThrows(MalformedModelException.class, () -> OnnxReader.read(bytes, "crafted")).getMessage();
    }

    static UnsupportedOperatorException unsupported(byte[] bytes) {
        return assertThrows(UnsupportedOperatorException.class, () -> OnnxReader.read(bytes, "crafted"));
    }

    @Test
    void theBaseModelReadsAsNhwcWithLayoutMetadata() throws Exception {
        Model m = OnnxReader.read(relu().build(), "crafted");
        assertEquals(Shape.of(1, 4, 4, 3), m.graph().inputTensor(0).shape());
        assertEquals("NCHW", m.metadata().get("layout.input.x"));
        assertEquals("NCHW", m.metadata().get("layout.output.y"));
        assertEquals("relu1", m.graph().nodes().get(0).name());
        assertEquals("onnx-reader/1", m.provenance().reader());
    }

    @Test
    void unknownOperatorsNameTheOpAndTheNode() {
        Raw r = relu();
        r.nodes.clear();
        r.node("Erf", "my_erf", List.of("x"), List.of("y"));
        UnsupportedOperatorException e = unsupported(r.build());
        assertEquals("Erf", e.operator());
        assertTrue(e.getMessage().contains("node 'my_erf' (Erf)"), e.getMessage());
    }

    @Test
    void hugeDimensionsAreRefusedBeforeAllocation() {
        Raw r = new Raw();
        r.inputs.add(Raw.value("x", 100_000, 100_000, 100_000));
        r.outputs.add(Raw.value("y", 100_000, 100_000, 100_000));
        r.node("Relu", "relu1", List.of("x"), List.of("y"));
        String msg = malformed(r.build());
        assertTrue(msg.contains("graph input 'x': declares over 268435456 bytes"), msg);
    }

    @Test
    void totalActivationBytesAreBounded() {
        Raw r = new Raw();
        r.inputs.add(Raw.value("t0", 1, 60_000_000));
        for (int i = 1; i < 6; i++) {
            r.node("Relu", "r" + i, List.of("t" + (i - 1)), List.of("t" + i));
        }
        r.outputs.add(Raw.value("t5", 1, 60_000_000));
        String msg = malformed(r.build());
        assertTrue(msg.contains("activations declare") && msg.contains("1073741824 bytes (1 GiB)"), msg);
    }

    @Test
    void initializerDataMustMatchItsDims() {
        Raw r = relu();
        r.inits.add(new OnnxProtoWriter().varint(1, 1000).varint(1, 1000).varint(2, OnnxProto.FLOAT).string(8, "w")
                .bytes(9, new byte[16]));
        String msg = malformed(r.build());
        assertTrue(msg.contains("tensor 'w': expected 4000000 bytes of raw_data for FLOAT32[1000, 1000], found 16"), msg);
    }

    @Test
    void externalDataIsRefusedClearly() {
        Raw r = relu();
        r.inits.add(new OnnxProtoWriter().varint(1, 4).varint(2, OnnxProto.FLOAT).string(8, "w")
                .message(13, new OnnxProtoWriter().string(1, "location").string(2, "weights.bin")).varint(14, 1));
        String msg = malformed(r.build());
        assertTrue(msg.contains("tensor 'w' stores its data in an external file"), msg);
    }

    @Test
    void protobufGroupsAreRefusedWithoutRecursion() {
        byte[] deep = new byte[200_000];
        Arrays.fill(deep, (byte) 0x1b); // field 3, wire type 3 (start group), nested 200,000 times
        String msg = malformed(deep);
        assertTrue(msg.contains("expected no protobuf groups"), msg);
    }

    @Test
    void graphAttributesAreSkippedAndRefused() {
        Raw r = relu();
        r.nodes.clear();
        // a Loop-like node whose body attribute nests graphs 50 deep: never parsed
        OnnxProtoWriter g = new OnnxProtoWriter().string(2, "inner");
        for (int i = 0; i < 50; i++) {
            OnnxProtoWriter attr = new OnnxProtoWriter().string(1, "body").message(6, g).varint(20, 5);
            g = new OnnxProtoWriter().message(1, new OnnxProtoWriter().string(4, "If").message(5, attr));
        }
        r.node("If", "cond", List.of("x"), List.of("y"), new OnnxProtoWriter().string(1, "then_branch").message(6, g)
                .varint(20, 5));
        UnsupportedOperatorException e = unsupported(r.build());
        assertTrue(e.getMessage().contains("no graph-valued attributes"), e.getMessage());
    }

    @Test
    void truncatedFilesAreMalformed() {
        byte[] b = relu().build();
        String msg = malformed(Arrays.copyOf(b, b.length - 7));
        assertTrue(msg.contains("'crafted'"), msg);
    }

    @Test
    void opsetsOutsideTheReadRangeAreRefused() {
        Raw r = relu();
        r.opset = 3;
        UnsupportedOperatorException e = unsupported(r.build());
        assertTrue(e.getMessage().contains("expected a default-domain opset in [6, 25], found 3"), e.getMessage());
    }

    @Test
    void valuesMustBeProducedOnceAndBeforeUse() {
        Raw r = relu();
        r.node("Relu", "again", List.of("x"), List.of("y"));
        assertTrue(malformed(r.build()).contains("expected value 'y' to be produced once"));
        Raw s = relu();
        s.nodes.clear();
        s.node("Relu", "early", List.of("z"), List.of("y"));
        s.node("Relu", "late", List.of("x"), List.of("z"));
        assertTrue(malformed(s.build()).contains("input 'z' produced before the node"));
    }

    @Test
    void wrongWireTypesAreMalformed() {
        byte[] b = new OnnxProtoWriter().string(1, "not a varint").toByteArray();
        assertTrue(malformed(b).contains("ir_version: expected wire type 0, found 2"));
    }

    @Test
    void hugeRanksAreRefused() {
        Raw r = new Raw();
        long[] dims = new long[40];
        Arrays.fill(dims, 1);
        r.inputs.add(Raw.value("x", dims));
        r.outputs.add(Raw.value("y", dims));
        r.node("Relu", "relu1", List.of("x"), List.of("y"));
        assertTrue(malformed(r.build()).contains("expected a shape of rank at most 16"));
    }
}
