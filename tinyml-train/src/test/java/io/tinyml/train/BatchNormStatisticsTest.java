package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.train.internal.BatchNormInsertion;
import io.tinyml.train.internal.TrainingData;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Re-measured batch-norm statistics equal the population statistics the reference interpreter measures:
 * batch norm is inserted into tiny_digits with the interpreter's per-channel mean and variance of each
 * convolution's output over 250 digits (the oracle), the running statistics are then wiped (mean 0,
 * variance 1) and re-measured by DJL over the same 250 digits in one training-mode batch.
 */
class BatchNormStatisticsTest {

    @Test
    void remeasuredStatisticsEqualTheInterpretersPopulationStatistics() throws Exception {
        Model m = Digits.tinyDigits();
        Dataset d = Digits.mnist(0, 250);
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(Digits.SCALE).build();
        TrainingData data = TrainingData.of(d, map, 10, "data");
        Model oracle = BatchNormInsertion.apply(m, data, 250);
        Graph g = oracle.graph();
        GraphBuilder wiped = GraphBuilder.from(g);
        for (Node n : g.nodes()) {
            if (n.op().kind() == OpKind.BATCH_NORMALIZATION) {
                wiped.setTensor(n.input(3), filled(g.tensor(n.input(3)), 0f));
                wiped.setTensor(n.input(4), filled(g.tensor(n.input(4)), 1f));
            }
        }
        Model stale = oracle.withGraph(wiped.build(), new AppliedPass("wipe-statistics", Map.of()));
        Model remeasured = BatchNormStatistics.reestimate(stale, data, 250);
        int checked = 0;
        double worstMean = 0;
        double worstVar = 0;
        for (Node n : g.nodes()) {
            if (n.op().kind() != OpKind.BATCH_NORMALIZATION) {
                continue;
            }
            float[] mean = g.tensor(n.input(3)).floats();
            float[] var = g.tensor(n.input(4)).floats();
            float[] mean2 = remeasured.graph().tensor(n.input(3)).floats();
            float[] var2 = remeasured.graph().tensor(n.input(4)).floats();
            for (int c = 0; c < mean.length; c++) {
                // the mean's error in units of the channel's standard deviation
                worstMean = Math.max(worstMean, Math.abs(mean2[c] - mean[c]) / Math.sqrt(var[c] + 1e-6));
                // PyTorch keeps the unbiased variance of the batch: population variance x n / (n - 1) over the
                // n = 250 x H x W values of a channel
                int count = 250 * spatial(g.tensor(n.input(0)));
                double unbiased = var[c] * count / (count - 1.0);
                worstVar = Math.max(worstVar, Math.abs(var2[c] - unbiased) / (1e-3 + unbiased));
            }
            checked++;
        }
        System.out.printf("re-measured batch norm vs interpreter over 250 digits: worst mean error %.3g "
                + "standard deviations, worst relative variance error %.3g, %d batch norms%n", worstMean, worstVar, checked);
        assertEquals(7, checked);
        assertEquals(0, worstMean, 1e-3);
        assertEquals(0, worstVar, 1e-3);
        assertEquals("batchnorm-statistics", remeasured.provenance().passes()
                .get(remeasured.provenance().passes().size() - 1).name());
    }

    private static Tensor filled(Tensor t, float v) {
        float[] a = new float[t.shape().elementCount()];
        Arrays.fill(a, v);
        return Tensor.ofFloats(t.name(), t.shape(), a);
    }

    private static int spatial(Tensor t) {
        return t.shape().dim(1) * t.shape().dim(2);
    }
}
