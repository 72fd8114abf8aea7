package io.tinyml.core.io.keras;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the MLPerf Tiny ResNet-8 Keras 2 HDF5 file and checks its structure and weights. */
class KerasReaderTest {
    static final String RESNET8_H5 = "models/keras/ic_resnet8.h5";

    static Map<OpKind, Integer> opCounts(Graph g) {
        Map<OpKind, Integer> ops = new EnumMap<>(OpKind.class);
        for (Node n : g.nodes()) {
            ops.merge(n.op().kind(), 1, Integer::sum);
        }
        return ops;
    }

    @Test
    void resnet8ReadsWithItsLayersOpsAndParameters() throws Exception {
        Path p = Assets.require(RESNET8_H5);
        Model m = KerasReader.read(p);
        Graph g = m.graph();
        Map<OpKind, Integer> ops = opCounts(g);
        System.out.println("Keras ic_resnet8.h5: " + g.nodes().size() + " nodes " + ops + ", "
                + g.tensors().size() + " tensors, parameters " + g.parameterCount() + ", metadata " + m.metadata()
                + ", input " + g.inputTensor(0) + ", output " + g.outputTensor(0));

        // 30 Keras layers: 1 InputLayer, 9 Conv2D, 7 BatchNormalization, 7 Activation, 3 Add,
        // 1 AveragePooling2D, 1 Flatten, 1 Dense (softmax activation becomes its own node)
        assertEquals(9, ops.get(OpKind.CONV_2D));
        assertEquals(7, ops.get(OpKind.BATCH_NORMALIZATION));
        assertEquals(7, ops.get(OpKind.RELU));
        assertEquals(3, ops.get(OpKind.ADD));
        assertEquals(1, ops.get(OpKind.AVERAGE_POOL_2D));
        assertEquals(1, ops.get(OpKind.RESHAPE));
        assertEquals(1, ops.get(OpKind.FULLY_CONNECTED));
        assertEquals(1, ops.get(OpKind.SOFTMAX));
        assertEquals(30, g.nodes().size());
        assertEquals(78_666, g.parameterCount());

        assertEquals(Tensor.activation("input_1", DataType.FLOAT32, Shape.of(1, 32, 32, 3)), g.inputTensor(0));
        assertEquals(Shape.of(1, 10), g.outputTensor(0).shape());
        assertEquals("2.4.0", m.metadata().get("keras_version"));
        assertEquals("tensorflow", m.metadata().get("backend"));
        assertEquals(KerasReader.READER, m.provenance().reader());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))),
                m.provenance().sourceSha256());

        Node conv = g.nodes().stream().filter(n -> n.name().equals("conv2d")).findFirst().orElseThrow();
        assertEquals(new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.NONE), conv.op());
        Tensor w = g.tensor(conv.input(1));
        assertEquals(Shape.of(16, 3, 3, 3), w.shape());
        Node fc = g.nodes().stream().filter(n -> n.op().kind() == OpKind.FULLY_CONNECTED).findFirst().orElseThrow();
        assertEquals(Shape.of(10, 64), g.tensor(fc.input(1)).shape());
        Node down = g.nodes().stream().filter(n -> n.name().equals("conv2d_3")).findFirst().orElseThrow();
        assertEquals(2, ((Op.Conv2D) down.op()).strideH());
        assertArrayEquals(new int[] {1, 16, 16, 32}, g.tensor(down.output(0)).shape().toArray());
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.AveragePool2D a && a.filterH() == 8));
    }
}
