package io.tinyml.prune;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Structured pruning on real models: exactness against the unpruned model when the removed channels
 * are dead, accuracy on mnist10k with and without least-squares recovery, residual groups of ResNet-8,
 * and the one-line errors.
 */
class StructuredPruningTest {

    private static Model mnist8() throws Exception {
        return ModelIO.read(Assets.require("models/onnx/mnist8/model.onnx"));
    }

    private static Model tinyDigits() throws Exception {
        return ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
    }

    /** Zeroes weights and bias of the given output channels of a conv node's filters. */
    private static Model killChannels(Model m, int node, int from, int to) {
        Graph g = m.graph();
        Node n = g.node(node);
        GraphBuilder b = GraphBuilder.from(g);
        Tensor w = g.tensor(n.input(1));
        float[] wv = w.floats();
        int inner = wv.length / w.shape().dim(0);
        java.util.Arrays.fill(wv, from * inner, to * inner, 0f);
        b.setTensor(n.input(1), Tensor.ofFloats(w.name(), w.shape(), wv));
        Tensor bias = g.tensor(n.input(2));
        float[] bv = bias.floats();
        java.util.Arrays.fill(bv, from, to, 0f);
        b.setTensor(n.input(2), Tensor.ofFloats(bias.name(), bias.shape(), bv));
        return m.withGraph(b.build(), new io.tinyml.core.ir.AppliedPass("test-kill", java.util.Map.of()));
    }

    @Test
    void removingDeadChannelsKeepsOutputsExactlyThroughPoolingAndTheFlattenBeforeTheFc() throws Exception {
        Model m = mnist8();
        // conv1 (node 0) channels 4..7 and conv2 (node 3) channels 0..7 produce zeros after ReLU:
        // removing them must not change any output (the FC columns follow the NHWC flatten order).
        Model dead = killChannels(killChannels(m, 0, 4, 8), 3, 0, 8);
        PruneResult r = Pruner.of(dead).structured().ratio(0.5).apply();
        Graph pg = r.model().graph();
        assertEquals(4, pg.tensor(pg.node(0).input(1)).shape().dim(0));
        assertEquals(8, pg.tensor(pg.node(3).input(1)).shape().dim(0));
        assertEquals(4, pg.tensor(pg.node(3).input(1)).shape().dim(3));
        assertEquals(128, pg.tensor(pg.node(7).input(1)).shape().dim(1));
        Interpreter a = Interpreter.create(dead);
        Interpreter b = Interpreter.create(r.model());
        Random rnd = new Random(7);
        double worst = 0;
        for (int s = 0; s < 5; s++) {
            float[] x = new float[784];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(256);
            }
            float[] ya = a.invokeFloat(x)[0];
            float[] yb = b.invokeFloat(x)[0];
            for (int k = 0; k < ya.length; k++) {
                worst = Math.max(worst, Math.abs(ya[k] - yb[k]) / Math.max(1, Math.abs(ya[k])));
            }
        }
        assertTrue(worst < 1e-4, "expected the pruned outputs to match, worst relative error " + worst);
        assertTrue(r.report().macsAfter() < r.report().macsBefore() / 2);
    }

    @Test
    void sensitivityScanRemovesTheChannelsThatCostNothingFirst() throws Exception {
        Model m = mnist8();
        // conv2 (node 3) channels 0..7 are dead: a third of all 24 prunable channels. A per-layer ratio of 1/3
        // takes channels from both layers; the sensitivity scan must take exactly the 8 dead ones (removing them
        // leaves the outputs unchanged, removing any live one does not) and keep conv1 whole.
        Model dead = killChannels(m, 3, 0, 8);
        Dataset calib = Datasets.open(Assets.require("datasets/mnist10k") + "[0:7000]");
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).build();
        List<String> tasks = new java.util.ArrayList<>();
        PruneResult r = Pruner.of(dead).structured().ratio(1.0 / 3).sensitivity(true).calibrate(calib, map, 32)
                .listener((t, d, n) -> tasks.add(t)).apply();
        Graph pg = r.model().graph();
        assertEquals(8, pg.tensor(pg.node(0).input(1)).shape().dim(0));
        assertEquals(8, pg.tensor(pg.node(3).input(1)).shape().dim(0));
        Interpreter a = Interpreter.create(dead);
        Interpreter b = Interpreter.create(r.model());
        for (int s = 0; s < 5; s++) {
            float[] x = map.toRealValues(calib.get(100 + s));
            assertArrayEquals(a.invokeFloat(x)[0], b.invokeFloat(x)[0], 1e-3f);
        }
        assertTrue(tasks.contains("sensitivity scan"), tasks.toString());
        PruneResult uniform = Pruner.of(dead).structured().ratio(1.0 / 3).calibrate(calib, map, 32).apply();
        assertEquals(5, uniform.model().graph().tensor(uniform.model().graph().node(0).input(1)).shape().dim(0));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Pruner.of(m).structured().sensitivity(true).apply());
        assertTrue(e.getMessage().contains("sensitivity scan needs calibration data"), e.getMessage());
    }

    private static double top1(Model m, Dataset eval, float scale) throws Exception {
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(scale).build();
        return Accuracy.top1(m, eval, map, ProgressListener.NONE).top1();
    }

    private static void table(String name, Model m, float scale, boolean assertGoal, Criterion crit)
            throws Exception {
        Dataset calib = Datasets.open(Assets.require("datasets/mnist10k") + "[0:8000]");
        Dataset eval = Datasets.open(Assets.require("datasets/mnist10k") + "[8000:10000]");
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(scale).build();
        double base = top1(m, eval, scale);
        System.out.printf("%s: baseline top-1 %.4f%n", name, base);
        for (double ratio : new double[] {0.25, 0.5, 0.75}) {
            PruneResult plain = Pruner.of(m).structured().ratio(ratio).criterion(crit).calibrate(calib, map, 256)
                    .apply();
            long[] steps = new long[1];
            PruneResult ls = Pruner.of(m).structured().ratio(ratio).criterion(crit).calibrate(calib, map, 256)
                    .recover(Recovery.LEAST_SQUARES).listener((t, d, n) -> steps[0] = d).apply();
            double a = top1(plain.model(), eval, scale);
            double b = top1(ls.model(), eval, scale);
            PruneReport rep = ls.report();
            System.out.printf("%s %s ratio %.2f: top-1 %.4f plain, %.4f least-squares; MACs %d -> %d (-%.1f %%), "
                            + "weight bytes %d -> %d (-%.1f %%)%n", name, crit, ratio, a, b, rep.macsBefore(),
                    rep.macsAfter(), 100.0 - 100.0 * rep.macsAfter() / rep.macsBefore(), rep.weightBytesBefore(),
                    rep.weightBytesAfter(), 100.0 - 100.0 * rep.weightBytesAfter() / rep.weightBytesBefore());
            assertEquals(plain.report(), new PruneReport(plain.report().layers(), rep.macsBefore(), rep.macsAfter(),
                    rep.weightBytesBefore(), rep.weightBytesAfter(), 0), "same surgery with and without recovery");
            assertEquals(rep.refitLayers(), steps[0], "progress reported per refitted layer");
            assertTrue(rep.macsAfter() < rep.macsBefore() && rep.weightBytesAfter() < rep.weightBytesBefore());
            assertTrue(b > a, "expected least-squares recovery to raise top-1 at ratio " + ratio + ": " + b + " vs " + a);
            if (ratio == 0.25 && assertGoal) {
                assertTrue(base - b <= 0.015, "expected top-1 within 1.5 pp at 0.25 with recovery, found " + b
                        + " vs " + base);
            }
        }
    }

    @Test
    void tinyDigitsAccuracyVersusRatio() throws Exception {
        table("tiny_digits", tinyDigits(), 1f / 255, false, Criterion.ACTIVATION);
        table("tiny_digits", tinyDigits(), 1f / 255, false, Criterion.L1);
    }

    @Test
    void mnist8AccuracyVersusRatio() throws Exception {
        table("mnist8", mnist8(), 1f, true, Criterion.ACTIVATION);
        table("mnist8", mnist8(), 1f, false, Criterion.L1);
    }

    @Test
    void resnet8ResidualGroupsStayConsistent() throws Exception {
        Model m = ModelIO.read(Assets.require("models/tflite/ic_resnet8_float.tflite"));
        PruneResult r = Pruner.of(m).structured().ratio(0.5).multipleOf(4).apply();
        Graph g = r.model().graph();
        for (Node n : g.nodes()) {
            if (n.op().kind() == OpKind.ADD) {
                assertEquals(g.tensor(n.input(0)).shape(), g.tensor(n.input(1)).shape(), n.name());
                assertEquals(g.tensor(n.input(0)).shape(), g.tensor(n.output(0)).shape(), n.name());
            }
            if (n.op().kind() == OpKind.CONV_2D) {
                assertEquals(g.tensor(n.input(0)).shape().dim(3), g.tensor(n.input(1)).shape().dim(3), n.name());
                assertEquals(0, g.tensor(n.input(1)).shape().dim(0) % 4, n.name());
            }
        }
        System.out.print("resnet8 at 0.5:\n" + r.report().toText());
        float[] x = new float[32 * 32 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        float[] y = Interpreter.create(r.model()).invokeFloat(x)[0];
        assertEquals(10, y.length);
        double sum = 0;
        for (float v : y) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-4, "softmax output");
        assertTrue(r.report().macsAfter() < r.report().macsBefore() * 0.5);
    }

    @Test
    void badInputGetsOneLineErrorsAndTheInputModelIsUntouched() throws Exception {
        Model m = tinyDigits();
        Graph before = m.graph();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pruner.of(m).structured().ratio(1.0));
        assertEquals("expected a pruning ratio in [0, 1), found 1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pruner.of(m).structured().ratio(-0.1));
        e = assertThrows(IllegalArgumentException.class, () -> Pruner.of(m).structured().ratio(0.95).apply());
        assertTrue(e.getMessage().contains("would remove all 8 channels"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> Pruner.of(m).structured().recover(Recovery.LEAST_SQUARES).apply());
        Pruner.of(m).structured().ratio(0.5).apply();
        assertEquals(before, m.graph());
        Model hello = ModelIO.read(Assets.require("models/onnx/hello_world.onnx"));
        Model single = fcOnly();
        e = assertThrows(IllegalArgumentException.class, () -> Pruner.of(single).structured().apply());
        assertTrue(e.getMessage().startsWith("expected a model with a prunable layer"), e.getMessage());
        assertNotNull(hello);
    }

    private static Model fcOnly() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", io.tinyml.core.ir.DataType.FLOAT32,
                io.tinyml.core.ir.Shape.of(1, 4)));
        int w = b.addTensor(Tensor.ofFloats("w", io.tinyml.core.ir.Shape.of(3, 4), new float[12]));
        int y = b.addTensor(Tensor.activation("y", io.tinyml.core.ir.DataType.FLOAT32,
                io.tinyml.core.ir.Shape.of(1, 3)));
        b.addNode("fc", new io.tinyml.core.ir.Op.FullyConnected(io.tinyml.core.ir.Activation.NONE, false),
                java.util.List.of(x, w), java.util.List.of(y));
        b.addOutput(y);
        return Model.of(b.build(), io.tinyml.core.ir.Provenance.builtInCode("test"));
    }
}
