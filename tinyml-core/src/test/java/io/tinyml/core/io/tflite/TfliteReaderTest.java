package io.tinyml.core.io.tflite;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TfliteReaderTest {
    private static final int FLOAT32 = 0;
    private static final int INT32 = 2;
    private static final int INT8 = 9;

    private static Model read(String rel) throws Exception {
        return TfliteReader.read(SharedModels.path(rel));
    }

    private static Map<OpKind, Integer> opCounts(Graph g) {
        Map<OpKind, Integer> ops = new EnumMap<>(OpKind.class);
        for (Node n : g.nodes()) {
            ops.merge(n.op().kind(), 1, Integer::sum);
        }
        return ops;
    }

    @Test
    void everySharedModelReadsAndItsOperatorsAreListed() throws Exception {
        for (String rel : SharedModels.ALL) {
            Model m = read(rel);
            Graph g = m.graph();
            System.out.println("ops of " + rel + ": " + g.nodes().size() + " nodes " + opCounts(g) + ", inputs "
                    + g.inputs().stream().map(g::tensor).toList() + ", outputs "
                    + g.outputs().stream().map(g::tensor).toList());
            assertFalse(g.nodes().isEmpty(), rel);
            assertEquals(TfliteReader.READER, m.provenance().reader());
            assertEquals(SharedModels.path(rel).toString(), m.provenance().source());
        }
    }

    @Test
    void personDetectHasItsKnownShapesAndOperators() throws Exception {
        Model m = read("models/tflite/person_detect/person_detect.tflite");
        Graph g = m.graph();
        assertEquals(1, g.inputs().size());
        assertEquals(DataType.INT8, g.inputTensor(0).type());
        assertEquals(Shape.of(1, 96, 96, 1), g.inputTensor(0).shape());
        assertEquals(Shape.of(1, 2), g.outputTensor(0).shape());
        assertEquals(Map.of(OpKind.CONV_2D, 14, OpKind.DEPTHWISE_CONV_2D, 14, OpKind.AVERAGE_POOL_2D, 1,
                OpKind.RESHAPE, 1, OpKind.SOFTMAX, 1), opCounts(g));
        // First layer: a depthwise conv from 1 to 8 channels; the multiplier comes from the shapes.
        Node first = g.node(0);
        Op.DepthwiseConv2D dw = assertInstanceOf(Op.DepthwiseConv2D.class, first.op());
        assertEquals(8, dw.depthMultiplier());
        assertEquals(2, dw.strideH());
        assertEquals(Padding.SAME, dw.padding());
        assertEquals(Activation.RELU6, dw.activation());
        QuantParams wq = g.tensor(first.input(1)).requireQuant();
        assertEquals(3, wq.axis());
        assertEquals(8, wq.size());
        // The bias declares quantized_dimension 3 on a rank-1 tensor; read as axis 0.
        QuantParams bq = g.tensor(first.input(2)).requireQuant();
        assertEquals(0, bq.axis());
        assertEquals(8, bq.size());
        assertEquals("TOCO Converted.", m.metadata().get("description"));
    }

    @Test
    void helloWorldInt8KeepsItsQuantizationAndMetadata() throws Exception {
        byte[] bytes = Files.readAllBytes(SharedModels.path("models/tflite/hello_world_int8.tflite"));
        Model m = TfliteReader.read(bytes, "hello");
        Tensor in = m.graph().inputTensor(0);
        assertEquals(DataType.INT8, in.type());
        assertEquals(Shape.of(1, 1), in.shape());
        assertEquals(0.024480116f, in.requireQuant().scale());
        assertEquals(-128, in.requireQuant().zeroPoint());
        Tensor out = m.graph().outputTensor(0);
        assertEquals(0.008290957f, out.requireQuant().scale());
        assertEquals(5, out.requireQuant().zeroPoint());
        assertEquals(Map.of(OpKind.FULLY_CONNECTED, 3), opCounts(m.graph()));
        assertEquals(Activation.RELU, m.graph().node(0).op().activation());
        assertEquals(Activation.NONE, m.graph().node(2).op().activation());
        Tensor w = m.graph().tensor(m.graph().node(0).input(1));
        assertTrue(w.isConstant());
        assertEquals(Shape.of(16, 1), w.shape());
        assertEquals(Map.of("description", "MLIR Converted.", "min_runtime_version", "1.14.0"), m.metadata());
        assertEquals("hello", m.provenance().source());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                m.provenance().sourceSha256());
    }

    @Test
    void kwsModelsHaveTheSameOperators() throws Exception {
        Map<OpKind, Integer> expected = Map.of(OpKind.CONV_2D, 5, OpKind.DEPTHWISE_CONV_2D, 4,
                OpKind.AVERAGE_POOL_2D, 1, OpKind.FULLY_CONNECTED, 1, OpKind.RESHAPE, 1, OpKind.SOFTMAX, 1);
        Model q = read("models/tflite/kws_dscnn_int8.tflite");
        Model h = read("models/tflite/kws_dscnn_hybrid.tflite");
        assertEquals(expected, opCounts(q.graph()));
        assertEquals(expected, opCounts(h.graph()));
        assertEquals(Shape.of(1, 49, 10, 1), q.graph().inputTensor(0).shape());
        assertEquals(0.5847029f, q.graph().inputTensor(0).requireQuant().scale());
        assertEquals(83, q.graph().inputTensor(0).requireQuant().zeroPoint());
        assertEquals(Shape.of(1, 12), q.graph().outputTensor(0).shape());
        // Hybrid: float activations, int8 convolution weights.
        assertEquals(DataType.FLOAT32, h.graph().inputTensor(0).type());
        Node conv = h.graph().node(0);
        assertEquals(OpKind.CONV_2D, conv.op().kind());
        assertEquals(DataType.INT8, h.graph().tensor(conv.input(1)).type());
        assertEquals(DataType.FLOAT32, h.graph().tensor(conv.output(0)).type());
    }

    @Test
    void microSpeechAndNetworkTesterAndResnet() throws Exception {
        Graph ms = read("models/tflite/micro_speech_quantized.tflite").graph();
        assertEquals(Map.of(OpKind.RESHAPE, 1, OpKind.DEPTHWISE_CONV_2D, 1, OpKind.FULLY_CONNECTED, 1,
                OpKind.SOFTMAX, 1), opCounts(ms));
        assertEquals(Shape.of(1, 1960), ms.inputTensor(0).shape());
        assertEquals(Shape.of(1, 4), ms.outputTensor(0).shape());
        // The reshape's shape input is folded into the output tensor's shape and dropped.
        Node reshape = ms.node(0);
        assertEquals(List.of(ms.inputs().get(0)), reshape.inputs());
        assertEquals(Shape.of(1, 49, 40, 1), ms.tensor(reshape.output(0)).shape());

        Graph nt = read("models/tflite/network_tester/network_model.tflite").graph();
        assertEquals(Shape.of(1, 8, 8, 16), nt.inputTensor(0).shape());
        assertEquals(Shape.of(1, 4, 4, 16), nt.outputTensor(0).shape());
        assertEquals(1, ((Op.DepthwiseConv2D) nt.node(0).op()).depthMultiplier());

        Graph rn = read("models/tflite/ic_resnet8_float.tflite").graph();
        assertEquals(Map.of(OpKind.CONV_2D, 9, OpKind.ADD, 3, OpKind.AVERAGE_POOL_2D, 1,
                OpKind.FULLY_CONNECTED, 1, OpKind.RESHAPE, 1, OpKind.SOFTMAX, 1), opCounts(rn));
        assertEquals(Shape.of(1, 32, 32, 3), rn.inputTensor(0).shape());
        assertEquals(Shape.of(1, 10), rn.outputTensor(0).shape());
        // Keras reports 78,666 parameters; the converter folds the 960 batch-norm parameters into the convs:
        // 448 + 2 x 2,320 + 4,640 + 9,248 + 544 + 18,496 + 36,928 + 2,112 + 650 = 77,706.
        assertEquals(77_706L, rn.parameterCount());
    }

    /** Crafted models for operator mappings the shared models do not use. */
    @Test
    void squeezeAndExpandDimsBecomeReshapesWithoutTheirShapeInputs() throws Exception {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 4, 1);
        int axis = m.constant("axis", INT32, new int[] {1}, RawTflite.int32(0));
        int s = m.tensor("s", FLOAT32, 4);
        int e = m.tensor("e", FLOAT32, 4, 1);
        m.op(m.code(43), new int[] {x}, new int[] {s});
        m.op(m.code(70), new int[] {s, axis}, new int[] {e});
        m.inputs = new int[] {x};
        m.outputs = new int[] {e};
        Graph g = TfliteReader.read(m.build(), "crafted").graph();
        assertEquals(List.of(new Op.Reshape(), new Op.Reshape()), g.nodes().stream().map(Node::op).toList());
        assertEquals(1, g.node(1).inputs().size());
        assertEquals(-1, g.tensorIndex("axis"), "the axis constant is dropped");
        assertEquals(Shape.of(4, 1), g.tensor(g.node(1).output(0)).shape());
    }

    @Test
    void padV2ValueIsDequantizedAndPaddingsAreRead() throws Exception {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", INT8, 1, 2, 2, 1);
        m.quant(x, new float[] {0.5f}, new long[] {-3}, 0);
        int pads = m.constant("pads", INT32, new int[] {4, 2}, RawTflite.int32(0, 0, 1, 2, 3, 0, 0, 0));
        int v = m.constant("v", INT8, new int[] {1}, new byte[] {5});
        m.quant(v, new float[] {0.5f}, new long[] {-3}, 0);
        int y = m.tensor("y", INT8, 1, 5, 5, 1);
        m.quant(y, new float[] {0.5f}, new long[] {-3}, 0);
        m.op(m.code(60), new int[] {x, pads, v}, new int[] {y});
        m.inputs = new int[] {x};
        m.outputs = new int[] {y};
        Graph g = TfliteReader.read(m.build(), "crafted").graph();
        assertEquals(new Op.Pad(List.of(0, 1, 3, 0), List.of(0, 2, 0, 0), 4.0f), g.node(0).op());
        assertEquals(List.of(g.inputs().get(0)), g.node(0).inputs());
    }

    @Test
    void activationOpsMeanTransposeAndLeakyReluMap() throws Exception {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 2, 3, 4);
        int a = m.tensor("a", FLOAT32, 1, 2, 3, 4);
        int b = m.tensor("b", FLOAT32, 1, 2, 3, 4);
        int c = m.tensor("c", FLOAT32, 1, 2, 3, 4);
        int t = m.tensor("t", FLOAT32, 1, 4, 2, 3);
        int mean = m.tensor("mean", FLOAT32, 1, 4);
        int perm = m.constant("perm", INT32, new int[] {4}, RawTflite.int32(0, 3, 1, 2));
        int axes = m.constant("axes", INT32, new int[] {2}, RawTflite.int32(-1, 2));
        m.op(m.code(20), new int[] {x}, new int[] {a});                 // RELU_N1_TO_1
        m.op(m.code(127, 152), new int[] {a}, new int[] {b});           // RELU_0_TO_1 via builtin_code
        m.op(m.code(98), new int[] {b}, new int[] {c}, 75, fb -> {      // LEAKY_RELU alpha 0.25
            fb.startTable(1);
            fb.addFloat(0, 0.25f, 0);
            return fb.endTable();
        });
        m.op(m.code(39), new int[] {c, perm}, new int[] {t});           // TRANSPOSE
        m.op(m.code(40), new int[] {t, axes}, new int[] {mean});        // MEAN over -1 and 2
        m.inputs = new int[] {x};
        m.outputs = new int[] {mean};
        Graph g = TfliteReader.read(m.build(), "crafted").graph();
        assertEquals(List.of(new Op.Clip(-1f, 1f), new Op.Clip(0f, 1f), new Op.LeakyRelu(0.25f),
                new Op.Transpose(List.of(0, 3, 1, 2)), new Op.Mean(List.of(2, 3), false)),
                g.nodes().stream().map(Node::op).toList());
    }

    @Test
    void deprecatedCodeWinsWhenLarger() throws Exception {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 4);
        int y = m.tensor("y", FLOAT32, 1, 4);
        m.op(m.code(21, 0), new int[] {x}, new int[] {y}); // old file: builtin_code absent (0), deprecated RELU6
        m.inputs = new int[] {x};
        m.outputs = new int[] {y};
        assertEquals(new Op.Relu6(), TfliteReader.read(m.build(), "crafted").graph().node(0).op());
    }

    @Test
    void depthMultiplierComesFromTheShapes() throws Exception {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 3, 3, 2);
        int w = m.constant("w", FLOAT32, new int[] {1, 1, 1, 6}, new byte[24]);
        int y = m.tensor("y", FLOAT32, 1, 3, 3, 6);
        m.op(m.code(4), new int[] {x, w, -1}, new int[] {y}, 2, fb -> {
            fb.startTable(7);
            fb.addInt(1, 1, 0);
            fb.addInt(2, 1, 0);
            fb.addInt(3, 7, 0); // inconsistent declared multiplier
            return fb.endTable();
        });
        m.inputs = new int[] {x};
        m.outputs = new int[] {y};
        Graph g = TfliteReader.read(m.build(), "crafted").graph();
        assertEquals(new Op.DepthwiseConv2D(1, 1, 1, 1, Padding.SAME, 3, Activation.NONE), g.node(0).op());
        assertEquals(Node.ABSENT, g.node(0).input(2));
    }

    @Test
    void bufferOffsetFormAndPerAxisQuantizationAreRead() throws Exception {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", INT8, 1, 2, 2, 2);
        m.quant(x, new float[] {0.1f}, new long[] {0}, 0);
        byte[] wData = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
        int w = m.constantAtOffset("w", INT8, new int[] {3, 2, 2, 2}, wData);
        m.quant(w, new float[] {0.5f, 0.25f, 0.125f}, new long[] {0, 0, 0}, 0);
        int y = m.tensor("y", INT8, 1, 1, 1, 3);
        m.quant(y, new float[] {0.2f}, new long[] {1}, 0);
        m.op(m.code(3), new int[] {x, w, -1}, new int[] {y}, 1, fb -> {
            fb.startTable(6);
            fb.addByte(0, (byte) 1, 0);
            fb.addInt(1, 1, 0);
            fb.addInt(2, 1, 0);
            return fb.endTable();
        });
        m.inputs = new int[] {x};
        m.outputs = new int[] {y};
        m.description = "crafted";
        m.minRuntime = "2.3.0";
        Model model = TfliteReader.read(m.build(), "crafted");
        Tensor wt = model.graph().tensor(model.graph().tensorIndex("w"));
        assertArrayEquals(wData, wt.bytes());
        assertEquals(QuantParams.perAxis(new float[] {0.5f, 0.25f, 0.125f}, new long[] {0, 0, 0}, 0),
                wt.requireQuant());
        assertEquals(Map.of("description", "crafted", "min_runtime_version", "2.3.0"), model.metadata());
    }

    @Test
    void duplicateAndEmptyNamesAreMadeUnique() throws Exception {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 4);
        int y = m.tensor("x", FLOAT32, 1, 4);
        int z = m.tensor("", FLOAT32, 1, 4);
        m.op(m.code(19), new int[] {x}, new int[] {y});
        m.op(m.code(14), new int[] {y}, new int[] {z});
        m.inputs = new int[] {x};
        m.outputs = new int[] {z};
        Graph g = TfliteReader.read(m.build(), "crafted").graph();
        assertEquals(List.of("x", "x_1", "t2"), g.tensors().stream().map(Tensor::name).toList());
        assertEquals(List.of("x_1", "t2"), g.nodes().stream().map(Node::name).toList());
    }
}
