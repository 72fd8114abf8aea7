package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression through {@link Training#fitRegression}: the error is measured by our interpreter on the exported
 * IR model, on points the training never saw.
 */
class RegressionTrainingTest {

    /** A 1-8-1 ReLU network with small random weights. */
    private static Model net(long seed) {
        Random r = new Random(seed);
        float[] w1 = new float[8];
        float[] b1 = new float[8];
        float[] w2 = new float[8];
        for (int i = 0; i < 8; i++) {
            w1[i] = (float) r.nextGaussian();
            b1[i] = (float) (r.nextGaussian() * 0.1);
            w2[i] = (float) (r.nextGaussian() * 0.3);
        }
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 1)));
        int wa = b.addTensor(Tensor.ofFloats("w1", Shape.of(8, 1), w1));
        int ba = b.addTensor(Tensor.ofFloats("b1", Shape.of(8), b1));
        int h = b.addTensor(Tensor.activation("h", DataType.FLOAT32, Shape.of(1, 8)));
        b.addNode("h", new Op.FullyConnected(Activation.RELU, false), List.of(x, wa, ba), List.of(h));
        int wb = b.addTensor(Tensor.ofFloats("w2", Shape.of(1, 8), w2));
        int bb = b.addTensor(Tensor.ofFloats("b2", Shape.of(1), new float[1]));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 1)));
        b.addNode("y", new Op.FullyConnected(Activation.NONE, false), List.of(h, wb, bb), List.of(y));
        b.addOutput(y);
        return Model.of(b.build(), Provenance.builtInCode("RegressionTrainingTest"));
    }

    private static double target(double x) {
        return Math.abs(x) - 0.5;
    }

    /** Mean squared error of the model on 101 evenly spaced points of [-1, 1], by the interpreter. */
    private static double mse(Model m) throws Exception {
        Interpreter in = Interpreter.create(m);
        double s = 0;
        for (int i = 0; i <= 100; i++) {
            float x = -1f + i / 50f;
            double d = in.invokeFloat(new float[] {x})[0][0] - target(x);
            s += d * d;
        }
        return s / 101;
    }

    @Test
    void fitsARealTargetByMeanSquaredError() throws Exception {
        Random r = new Random(3);
        Dataset.Builder d = Dataset.builder(Shape.of(1));
        float[] y = new float[512];
        for (int i = 0; i < y.length; i++) {
            float x = (float) (r.nextDouble() * 2 - 1);
            d.add(new float[] {x}, 0);
            y[i] = (float) target(x);
        }
        Model m = net(5);
        Training t = Training.builder().optLoss(LossFunction.MSE).optOptimizer(OptimizerSpec.adam(1e-2f))
                .optEpochs(20).optBatchSize(32).optSeed(1).build();
        TrainingResult res = t.fitRegression(m, d.build(), y);
        double before = mse(m);
        double after = mse(res.model());
        System.out.printf("|x| - 0.5 on [-1, 1]: interpreter MSE before %.5f, after 20 epochs %.5f; last epoch %s%n",
                before, after, res.history().get(19));
        assertEquals(20, res.history().size());
        assertTrue(after < before / 10 && after < 0.01, "MSE before " + before + " after " + after);
        // the history's loss is DJL's, on the training points: same order as the interpreter's on unseen ones
        assertTrue(Math.abs(res.history().get(19).loss() - after) < 0.01, res.history().toString());
        // deterministic: the same configuration gives the same weights
        assertEquals(after, mse(t.fitRegression(m, d.build(), y).model()));
    }

    @Test
    void refusesWhatItCannotTrain() {
        Dataset d = Dataset.builder(Shape.of(1)).add(new float[] {0.5f}, 0).build();
        Model m = net(1);
        IllegalArgumentException ce = assertThrows(IllegalArgumentException.class,
                () -> Training.builder().build().fitRegression(m, d, new float[] {1f}));
        assertEquals("expected the MSE loss for regression, found CROSS_ENTROPY", ce.getMessage());
        Training mse = Training.builder().optLoss(LossFunction.MSE).build();
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                () -> mse.fitRegression(m, d, new float[] {1f, 2f}));
        assertEquals("expected 1 x 1 targets, found 2", n.getMessage());
        assertThrows(io.tinyml.core.data.DatasetException.class,
                () -> mse.fitRegression(m, d, new float[] {Float.NaN}));
    }
}
