package io.tinyml.core.io.tflite;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class TfliteWriterTest {

    /** Adds a node named after its output tensor (the name the reader gives it back). */
    private static int node(GraphBuilder b, Op op, Tensor out, int... in) {
        int y = b.addTensor(out);
        b.addNode(out.name(), op, java.util.Arrays.stream(in).boxed().toList(), List.of(y));
        return y;
    }

    private static Tensor f(String name, int... dims) {
        return Tensor.activation(name, DataType.FLOAT32, Shape.of(dims));
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % 7 - 3) * 0.125f;
        }
        return v;
    }

    /** A float graph using every operator the TFLite writer supports, plus a quantized tail. */
    static Model everyOperator() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(f("x", 1, 4, 4, 2));
        int p = node(b, new Op.Pad(List.of(0, 1, 1, 0), List.of(0, 1, 1, 0), 0.5f), f("p", 1, 6, 6, 2), x);
        int w = b.addTensor(Tensor.ofFloats("w", Shape.of(3, 3, 3, 2), ramp(54)));
        int bias = b.addTensor(Tensor.ofFloats("bias", Shape.of(3), ramp(3)));
        int c = node(b, new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.RELU), f("c", 1, 4, 4, 3), p, w, bias);
        int dw = b.addTensor(Tensor.ofFloats("dw", Shape.of(1, 3, 3, 6), ramp(54)));
        int d = node(b, new Op.DepthwiseConv2D(1, 1, 1, 1, Padding.SAME, 2, Activation.RELU6), f("d", 1, 4, 4, 6),
                c, dw, Node.ABSENT);
        int m = node(b, new Op.MaxPool2D(2, 2, 2, 2, Padding.VALID, Activation.NONE), f("m", 1, 2, 2, 6), d);
        int a = node(b, new Op.AveragePool2D(1, 1, 1, 1, Padding.SAME, Activation.NONE), f("a", 1, 2, 2, 6), m);
        int s = node(b, new Op.Add(Activation.NONE), f("s", 1, 2, 2, 6), m, a);
        int mm = node(b, new Op.Mul(Activation.RELU_N1_TO_1), f("mm", 1, 2, 2, 6), s, s);
        int ss = node(b, new Op.Sub(Activation.TANH), f("ss", 1, 2, 2, 6), mm, s);
        int h = node(b, new Op.HardSwish(), f("h", 1, 2, 2, 6), ss);
        int l = node(b, new Op.LeakyRelu(0.1f), f("l", 1, 2, 2, 6), h);
        int c1 = node(b, new Op.Clip(-1f, 1f), f("c1", 1, 2, 2, 6), l);
        int c2 = node(b, new Op.Clip(0f, 1f), f("c2", 1, 2, 2, 6), c1);
        int r6 = node(b, new Op.Relu6(), f("r6", 1, 2, 2, 6), c2);
        int r = node(b, new Op.Relu(), f("r", 1, 2, 2, 6), r6);
        int lg = node(b, new Op.Logistic(), f("lg", 1, 2, 2, 6), r);
        int th = node(b, new Op.Tanh(), f("th", 1, 2, 2, 6), lg);
        int cc = node(b, new Op.Concatenation(3, Activation.NONE), f("cc", 1, 2, 2, 12), th, lg);
        int tr = node(b, new Op.Transpose(List.of(0, 3, 1, 2)), f("tr", 1, 12, 2, 2), cc);
        int mn = node(b, new Op.Mean(List.of(2, 3), false), f("mn", 1, 12), tr);
        int rs = node(b, new Op.Reshape(), f("rs", 3, 4), mn);
        int fw = b.addTensor(Tensor.ofFloats("fw", Shape.of(5, 4), ramp(20)));
        int fc = node(b, new Op.FullyConnected(Activation.NONE, true), f("fc", 3, 5), rs, fw, Node.ABSENT);
        int sm = node(b, new Op.Softmax(1.5f), f("sm", 3, 5), fc);
        QuantParams qp = QuantParams.perTensor(0.125f, -3);
        int q = node(b, new Op.Quantize(), Tensor.activation("q", DataType.INT8, Shape.of(3, 5)).withQuant(qp), sm);
        int qpad = node(b, new Op.Pad(List.of(1, 0), List.of(0, 1), 0.25f),
                Tensor.activation("qpad", DataType.INT8, Shape.of(4, 6)).withQuant(qp), q);
        int dq = node(b, new Op.Dequantize(), f("dq", 4, 6), qpad);
        b.addOutput(dq);
        Graph g = b.build();
        return Model.of(g, Map.of("description", "every operator", "min_runtime_version", "1.5.0"),
                Provenance.builtInCode("TfliteWriterTest"));
    }

    /** An int8 convolution with per-channel weights and bias. */
    static Model perChannelConv() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.INT8, Shape.of(1, 4, 4, 2))
                .withQuant(QuantParams.perTensor(0.02f, -128)));
        byte[] wv = new byte[3 * 3 * 3 * 2];
        for (int i = 0; i < wv.length; i++) {
            wv[i] = (byte) (i * 37 % 255 - 127);
        }
        int w = b.addTensor(Tensor.ofInt8("w", Shape.of(3, 3, 3, 2), wv)
                .withQuant(QuantParams.perAxis(new float[] {0.01f, 0.02f, 0.03f}, new long[3], 0)));
        int bias = b.addTensor(Tensor.ofInts("b", Shape.of(3), new int[] {100, -200, 300})
                .withQuant(QuantParams.perAxis(new float[] {2e-4f, 4e-4f, 6e-4f}, new long[3], 0)));
        int y = node(b, new Op.Conv2D(2, 2, 1, 1, Padding.SAME, Activation.RELU6),
                Tensor.activation("y", DataType.INT8, Shape.of(1, 2, 2, 3)).withQuant(QuantParams.perTensor(0.05f, -10)),
                x, w, bias);
        b.addOutput(y);
        return Model.of(b.build(), Provenance.builtInCode("TfliteWriterTest"));
    }

    @Test
    void everyOperatorRoundTrips() throws Exception {
        for (Model m : List.of(everyOperator(), perChannelConv())) {
            byte[] bytes = TfliteWriter.write(m);
            Model back = TfliteReader.read(bytes, "written");
            assertEquals(m.graph(), back.graph());
            assertEquals(m.metadata(), back.metadata());
            assertArrayEquals(bytes, TfliteWriter.write(back));
        }
    }

    @Test
    void writtenFileHasTheSchemaStructure() throws Exception {
        Model m = everyOperator();
        byte[] bytes = TfliteWriter.write(m);
        FlatReader fb = new FlatReader(bytes);
        int model = fb.root();
        assertEquals(3, fb.getUint(model, TfliteSchema.MODEL_VERSION, "version"));
        // Buffer 0 is empty; every other buffer's data starts on a 16-byte boundary.
        FlatReader.Vec buffers = fb.vector(model, TfliteSchema.MODEL_BUFFERS, 4, "buffers");
        int b0 = fb.tableAt(buffers, 0, "buffer 0");
        assertEquals(0, fb.vector(b0, TfliteSchema.BUFFER_DATA, 1, "data").length());
        for (int i = 1; i < buffers.length(); i++) {
            FlatReader.Vec data = fb.vector(fb.tableAt(buffers, i, "b"), TfliteSchema.BUFFER_DATA, 1, "data");
            assertTrue(data.length() > 0);
            assertEquals(0, data.start() % 16, "buffer " + i + " data at " + data.start());
        }
        // Operator codes: RELU_0_TO_1 (152) is clamped to 127 in the deprecated field.
        FlatReader.Vec codes = fb.vector(model, TfliteSchema.MODEL_OPERATOR_CODES, 4, "codes");
        List<Integer> builtins = new ArrayList<>();
        for (int i = 0; i < codes.length(); i++) {
            int c = fb.tableAt(codes, i, "code");
            int builtin = fb.getInt(c, TfliteSchema.OPCODE_BUILTIN_CODE, 0, "code");
            int deprecated = fb.getByte(c, TfliteSchema.OPCODE_DEPRECATED_BUILTIN_CODE, 0, "code");
            assertEquals(Math.min(builtin, 127), deprecated);
            builtins.add(builtin);
        }
        assertTrue(builtins.containsAll(List.of(152, 20, 60, 39, 40, 22, 117, 114, 6, 98, 2, 25)), builtins.toString());
        // Reshape carries its new shape both as an int32 input and in ReshapeOptions.
        int sg = fb.tableAt(fb.vector(model, TfliteSchema.MODEL_SUBGRAPHS, 4, "sg"), 0, "sg");
        FlatReader.Vec ops = fb.vector(sg, TfliteSchema.SUBGRAPH_OPERATORS, 4, "ops");
        FlatReader.Vec tensors = fb.vector(sg, TfliteSchema.SUBGRAPH_TENSORS, 4, "tensors");
        boolean sawReshape = false;
        for (int i = 0; i < ops.length(); i++) {
            int op = fb.tableAt(ops, i, "op");
            int code = fb.tableAt(codes, fb.getInt(op, TfliteSchema.OP_OPCODE_INDEX, 0, "op"), "code");
            if (fb.getInt(code, TfliteSchema.OPCODE_BUILTIN_CODE, 0, "code") != TfliteSchema.RESHAPE) {
                continue;
            }
            sawReshape = true;
            int[] in = fb.ints(fb.vector(op, TfliteSchema.OP_INPUTS, 4, "in"));
            assertEquals(2, in.length);
            int shapeTensor = fb.tableAt(tensors, in[1], "t");
            assertEquals("rs/shape", fb.string(shapeTensor, TfliteSchema.TENSOR_NAME, "name"));
            assertEquals(2, fb.getByte(shapeTensor, TfliteSchema.TENSOR_TYPE, 0, "type"));
            int opts = fb.subTable(op, TfliteSchema.OP_BUILTIN_OPTIONS, "opts");
            assertArrayEquals(new int[] {3, 4}, fb.ints(fb.vector(opts, 0, 4, "new_shape")));
        }
        assertTrue(sawReshape);
    }

    @Test
    void operatorsWithoutATfliteBuiltinAreRefused() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(f("x", 1, 4));
        int y = node(b, new Op.Clip(-2f, 2f), f("y", 1, 4), x);
        b.addOutput(y);
        Model clip = Model.of(b.build(), Provenance.builtInCode("test"));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> TfliteWriter.write(clip));
        assertEquals("CLIP", e.operator());
        assertTrue(e.getMessage().contains("node 'y'"), e.getMessage());

        GraphBuilder g = new GraphBuilder();
        int in = g.addInput(f("x", 1, 2));
        int[] p = new int[4];
        for (int i = 0; i < 4; i++) {
            p[i] = g.addTensor(Tensor.ofFloats("p" + i, Shape.of(2), new float[] {1, 1}));
        }
        int out = node(g, new Op.BatchNormalization(1e-3f), f("bn", 1, 2), in, p[0], p[1], p[2], p[3]);
        g.addOutput(out);
        Model bn = Model.of(g.build(), Provenance.builtInCode("test"));
        e = assertThrows(UnsupportedOperatorException.class, () -> TfliteWriter.write(bn));
        assertEquals("BATCH_NORMALIZATION", e.operator());
    }

    @Test
    void writingToAPathIsAtomicAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.tflite");
        Files.write(target, new byte[] {1, 2, 3});
        Model m = perChannelConv();
        TfliteWriter.write(m, target);
        assertArrayEquals(TfliteWriter.write(m), Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
        assertEquals(m.graph(), TfliteReader.read(target).graph());
        // The new file gets the permissions of any new file, not the owner-only ones of a temp file.
        Path fresh = dir.resolve("fresh.tflite");
        TfliteWriter.write(m, fresh);
        Path reference = Files.write(dir.resolve("reference"), new byte[1]);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(fresh));
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileUntouched(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.tflite");
        Files.write(target, new byte[] {1, 2, 3});
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(f("x", 1, 4));
        int y = node(b, new Op.Clip(-2f, 2f), f("y", 1, 4), x);
        b.addOutput(y);
        Model bad = Model.of(b.build(), Provenance.builtInCode("test"));
        assertThrows(UnsupportedOperatorException.class, () -> TfliteWriter.write(bad, target));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }
}
