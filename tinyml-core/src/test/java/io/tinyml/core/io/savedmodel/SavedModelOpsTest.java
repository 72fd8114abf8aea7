package io.tinyml.core.io.savedmodel;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.eval.Verify;
import io.tinyml.core.eval.VerifyResult;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.runner.InterpreterRunner;
import io.tinyml.core.runner.SavedModelRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operator mapping of the SavedModel reader on small graphs built and exported with TensorFlow Java
 * itself (operators at the top level of the graph, constants instead of variables), each checked
 * against TensorFlow's own execution.
 */
class SavedModelOpsTest {
    @TempDir
    Path tmp;

    private final SplittableRandom rnd = new SplittableRandom(17);

    private Operand<TFloat32> constant(Ops tf, long... dims) {
        int n = 1;
        for (long d : dims) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return tf.constant(org.tensorflow.ndarray.Shape.of(dims), DataBuffers.of(v, true, false));
    }

    /** Builds x -> body(tf, x) -> y and exports it as a SavedModel with a serving_default signature. */
    private Path export(String name, long[] inputShape, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> body)
            throws Exception {
        Path dir = tmp.resolve(name);
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(org.tensorflow.ndarray.Shape.of(inputShape)));
            Operand<TFloat32> y = body.apply(tf, x);
            Signature sig = Signature.builder().key("serving_default").input("x", x).output("y", y).build();
            SavedModelBundle.exporter(dir.toString()).withFunction(SessionFunction.create(sig, s)).export();
        }
        return dir;
    }

    private static VerifyResult check(Path dir, Model m) throws Exception {
        try (InterpreterRunner ours = new InterpreterRunner(m); SavedModelRunner tf = SavedModelRunner.open(dir)) {
            return Verify.random(ours, tf, 5, 99L);
        }
    }

    @Test
    void convolutionsPoolsAndDenseLayers() throws Exception {
        Path dir = export("cnn", new long[] {1, 9, 9, 3}, (tf, x) -> {
            Operand<TFloat32> p = tf.pad(x, tf.constant(new int[][] {{0, 0}, {1, 2}, {2, 1}, {0, 0}}),
                    tf.constant(0f));
            Operand<TFloat32> c = tf.nn.conv2d(p, constant(tf, 3, 3, 3, 8), List.of(1L, 2L, 2L, 1L), "VALID");
            c = tf.nn.relu6(tf.nn.biasAdd(c, constant(tf, 8)));
            Operand<TFloat32> d = tf.nn.depthwiseConv2dNative(c, constant(tf, 3, 3, 8, 2), List.of(1L, 1L, 1L, 1L),
                    "SAME");
            d = tf.nn.relu(tf.nn.biasAdd(d, constant(tf, 16)));
            Operand<TFloat32> mp = tf.nn.maxPool(d, tf.constant(new int[] {1, 2, 2, 1}),
                    tf.constant(new int[] {1, 2, 2, 1}), "SAME");
            Operand<TFloat32> ap = tf.nn.avgPool(d, List.of(1L, 3L, 3L, 1L), List.of(1L, 2L, 2L, 1L), "SAME");
            Operand<TFloat32> sum = tf.math.add(mp, ap);
            Operand<TFloat32> mean = tf.math.mean(sum, tf.constant(new int[] {1, 2}), Mean.keepDims(false));
            Operand<TFloat32> fc = tf.linalg.matMul(mean, constant(tf, 5, 16), MatMul.transposeB(true));
            fc = tf.nn.biasAdd(fc, constant(tf, 5));
            return tf.nn.softmax(tf.identity(fc));
        });
        Model m = SavedModelReader.read(dir);
        List<OpKind> kinds = m.graph().nodes().stream().map(n -> n.op().kind()).toList();
        assertEquals(List.of(OpKind.PAD, OpKind.CONV_2D, OpKind.RELU6, OpKind.DEPTHWISE_CONV_2D, OpKind.RELU,
                OpKind.MAX_POOL_2D, OpKind.AVERAGE_POOL_2D, OpKind.ADD, OpKind.MEAN, OpKind.FULLY_CONNECTED,
                OpKind.RESHAPE, OpKind.SOFTMAX), kinds);
        Node conv = m.graph().node(1);
        assertEquals(new Op.Conv2D(2, 2, 1, 1, Padding.VALID, io.tinyml.core.ir.Activation.NONE), conv.op());
        assertEquals(Shape.of(8, 3, 3, 3), m.graph().tensor(conv.input(1)).shape());
        assertEquals(Shape.of(1, 3, 3, 16), m.graph().tensor(m.graph().node(3).input(1)).shape());
        assertEquals(2, ((Op.DepthwiseConv2D) m.graph().node(3).op()).depthMultiplier());
        assertEquals(Shape.of(5, 16), m.graph().tensor(m.graph().node(9).input(1)).shape());
        assertEquals(Shape.of(1, 5), m.graph().outputTensor(0).shape());
        VerifyResult r = check(dir, m);
        System.out.printf("SavedModel ops (Pad, Conv2D, BiasAdd, Relu6, DepthwiseConv2dNative, Relu, MaxPoolV2, AvgPool, "
                + "Add, Mean, MatMul^T, Identity, Softmax) vs TensorFlow Java: max abs %.3g%n", r.maxAbsError());
        assertTrue(r.maxAbsError() <= 1e-5, "max abs " + r.maxAbsError());
        assertEquals(1.0, r.argmaxAgreement());
    }

    @Test
    void reshapesSqueezesBatchNormAndAddV2() throws Exception {
        Path dir = export("shapes", new long[] {-1, 4, 1, 6}, (tf, x) -> {
            Operand<TFloat32> bn = tf.nn.fusedBatchNorm(x, constant(tf, 6), constant(tf, 6), constant(tf, 6),
                    tf.constant(new float[] {0.5f, 1f, 2f, 0.25f, 3f, 1.5f}), org.tensorflow.op.nn.FusedBatchNorm.isTraining(false),
                    org.tensorflow.op.nn.FusedBatchNorm.epsilon(0.01f)).y();
            Operand<TFloat32> sq = tf.squeeze(bn, Squeeze.axis(List.of(2L)));
            Operand<TFloat32> flat = tf.reshape(sq, tf.constant(new int[] {-1, 24}));
            Operand<TFloat32> dense = tf.linalg.matMul(flat, constant(tf, 24, 7));
            // TensorFlow Java has no AddV2 wrapper (Keras emits it): build the raw operation
            Operand<TFloat32> bias = constant(tf, 7);
            return ((Graph) tf.scope().env()).opBuilder("AddV2", "add_v2", tf.scope())
                    .addInput(dense.asOutput()).addInput(bias.asOutput()).build().<TFloat32>output(0);
        });
        Model m = SavedModelReader.read(dir);
        List<OpKind> kinds = m.graph().nodes().stream().map(n -> n.op().kind()).toList();
        assertEquals(List.of(OpKind.BATCH_NORMALIZATION, OpKind.RESHAPE, OpKind.RESHAPE, OpKind.FULLY_CONNECTED,
                OpKind.ADD), kinds);
        assertEquals(0.01f, ((Op.BatchNormalization) m.graph().node(0).op()).epsilon());
        assertEquals(Shape.of(1, 4, 6), m.graph().tensor(m.graph().node(1).output(0)).shape());
        assertEquals(Shape.of(1, 4, 1, 6), m.graph().inputTensor(0).shape());
        VerifyResult r = check(dir, m);
        System.out.printf("SavedModel ops (FusedBatchNorm, Squeeze, Reshape, MatMul, AddV2) vs TensorFlow Java: "
                + "max abs %.3g%n", r.maxAbsError());
        assertTrue(r.maxAbsError() <= 1e-5, "max abs " + r.maxAbsError());
    }

    @Test
    void unknownOperatorIsNamedWithItsNode() throws Exception {
        Path dir = export("sin", new long[] {1, 3}, (tf, x) -> tf.withName("wave").math.sin(tf.nn.relu(x)));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> SavedModelReader.read(dir));
        assertEquals("Sin", e.operator());
        assertTrue(e.getMessage().contains("'wave'"), e.getMessage());
        assertTrue(e.getMessage().startsWith("operator Sin at node 'wave' is not supported by the SavedModel reader"),
                e.getMessage());
    }
}
