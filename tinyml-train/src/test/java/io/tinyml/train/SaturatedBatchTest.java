package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A model so confident that every sample's softmax is exactly one-hot in float32 and right (its classifier
 * scaled by 1000, labels = its own predictions) has gradients that are exactly zero: training must leave
 * it unchanged rather than fail (DJL refuses a first step with all-zero gradients as a forgotten backward).
 */
class SaturatedBatchTest {

    @Test
    void allZeroGradientsLeaveTheWeightsUnchanged() throws Exception {
        Model m = Digits.scaledClassifier(Digits.tinyDigits(), 1000f);
        Dataset digits = Digits.mnist(0, 64);
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(Digits.SCALE).build();
        Interpreter it = Interpreter.create(m);
        Dataset.Builder b = Dataset.builder(digits.sampleShape());
        for (int i = 0; i < digits.size(); i++) {
            float[] y = it.invokeFloat(map.toRealValues(digits.get(i)))[0];
            int arg = 0;
            for (int k = 1; k < y.length; k++) {
                arg = y[k] > y[arg] ? k : arg;
            }
            b.add(digits.values(i), arg);
        }
        Model trained = Training.builder().optEpochs(1).optBatchSize(32).optSeed(1).optInputScale(Digits.SCALE)
                .build().fit(m, b.build()).model();
        Graph g = m.graph();
        for (int t = 0; t < g.tensors().size(); t++) {
            if (g.tensor(t).isConstant() && g.tensor(t).type() == io.tinyml.core.ir.DataType.FLOAT32) {
                assertArrayEquals(g.tensor(t).floats(), trained.graph().tensor(t).floats(), g.tensor(t).name());
            }
        }
    }
}
