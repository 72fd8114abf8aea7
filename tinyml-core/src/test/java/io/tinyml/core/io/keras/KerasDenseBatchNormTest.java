package io.tinyml.core.io.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.keras.KerasFixtures.Weights;
import io.tinyml.core.io.keras.KerasReference.T;
import io.tinyml.core.ir.Model;
import org.junit.jupiter.api.Test;

/**
 * The shape of MLPerf Tiny's anomaly-detection autoencoder (Dense → BatchNormalization → ReLU,
 * nine times, around a bottleneck, then a last Dense), in a Keras 2 {@code .h5} with Keras 2.3's
 * layer names ({@code dense_1} … {@code dense_10}, {@code batch_normalization_1} …), moving
 * variances from 1e-4 to 2 and gamma, beta and means of both signs: read as stored and after the
 * standard passes (BN folded into the Dense), against a float64 evaluation of the layer math.
 * No Keras-written Dense→BN file is among the assets, so the file is written with the test
 * fixtures' HDF5 writer in Keras 2's layout.
 */
class KerasDenseBatchNormTest {
    private static final int[] UNITS = {12, 8, 8, 8, 4, 8, 8, 8, 8, 16};
    private static final int INPUT = 16;

    static String config() {
        StringBuilder s = new StringBuilder("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"ae\", \"layers\": [\n");
        for (int i = 0; i < UNITS.length; i++) {
            s.append(i == 0 ? "" : ",\n").append("{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_")
                    .append(i + 1).append("\", ");
            if (i == 0) {
                s.append("\"batch_input_shape\": [null, ").append(INPUT).append("], \"dtype\": \"float32\", ");
            }
            s.append("\"units\": ").append(UNITS[i]).append(", \"activation\": \"linear\", \"use_bias\": true}}");
            if (i < UNITS.length - 1) {
                s.append(",\n{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"batch_normalization_")
                        .append(i + 1).append("\", \"axis\": [1], \"momentum\": 0.99, \"epsilon\": 0.001, ")
                        .append("\"center\": true, \"scale\": true}},\n")
                        .append("{\"class_name\": \"Activation\", \"config\": {\"name\": \"activation_").append(i + 1)
                        .append("\", \"activation\": \"relu\"}}");
            }
        }
        return s.append("]}}").toString();
    }

    static Weights weights() {
        Weights w = new Weights(9);
        int in = INPUT;
        for (int i = 0; i < UNITS.length; i++) {
            w.add("dense_" + (i + 1), "kernel", -0.6f, 0.6f, in, UNITS[i]);
            w.add("dense_" + (i + 1), "bias", -0.2f, 0.2f, UNITS[i]);
            if (i < UNITS.length - 1) {
                String bn = "batch_normalization_" + (i + 1);
                w.add(bn, "gamma", -1.5f, 1.5f, UNITS[i]);
                w.add(bn, "beta", -0.5f, 0.5f, UNITS[i]);
                w.add(bn, "moving_mean", -1f, 1f, UNITS[i]);
                float[] var = w.add(bn, "moving_variance", 0f, 2f, UNITS[i]);
                var[0] = 1e-4f; // a nearly dead unit: its scale is amplified by 1/sqrt(var + eps)
            }
            in = UNITS[i];
        }
        return w;
    }

    static float[] reference(Weights w, float[] input) {
        T x = new T(new int[] {INPUT}, input);
        for (int i = 0; i < UNITS.length; i++) {
            String d = "dense_" + (i + 1);
            x = KerasReference.dense(x, KerasFixtureTest.v(w, d, 0), UNITS[i], KerasFixtureTest.v(w, d, 1));
            if (i < UNITS.length - 1) {
                String bn = "batch_normalization_" + (i + 1);
                x = KerasReference.batchNorm(x, KerasFixtureTest.v(w, bn, 0), KerasFixtureTest.v(w, bn, 1),
                        KerasFixtureTest.v(w, bn, 2), KerasFixtureTest.v(w, bn, 3), 0.001);
                x = KerasReference.act(x, "relu");
            }
        }
        return x.v();
    }

    @Test
    void denseBatchNormReluStackMatchesTheLayerMath() throws Exception {
        Weights w = weights();
        Model m = KerasReader.read(KerasFixtures.h5(config(), w), "autoencoder.h5");
        io.tinyml.core.runtime.Interpreter asRead = io.tinyml.core.runtime.Interpreter.create(m);
        Model folded = io.tinyml.core.pass.PassPipeline.standard().run(m);
        assertTrue(folded.graph().nodes().stream().noneMatch(
                n -> n.op().kind() == io.tinyml.core.ir.OpKind.BATCH_NORMALIZATION), "every BN folded");
        io.tinyml.core.runtime.Interpreter afterPasses = io.tinyml.core.runtime.Interpreter.create(folded);
        double worst = 0;
        double largest = 0;
        for (float[] x : KerasFixtureTest.input(INPUT, 5)) {
            float[] want = reference(w, x);
            for (float[][] got : new float[][][] {asRead.invokeFloat(x), afterPasses.invokeFloat(x)}) {
                for (int i = 0; i < want.length; i++) {
                    largest = Math.max(largest, Math.abs(want[i]));
                    worst = Math.max(worst, Math.abs(got[0][i] - want[i]) / Math.max(1.0, Math.abs(want[i])));
                }
            }
        }
        System.out.printf("Dense-BN autoencoder: largest output %.3g, worst error relative to max(1, |x|) %.3g%n",
                largest, worst);
        assertTrue(worst <= 1e-5, "worst relative error " + worst + " (largest output " + largest + ")");
    }
}
