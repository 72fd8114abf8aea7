package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.pass.FoldBatchNorm;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.train.internal.BatchNormInsertion;
import io.tinyml.train.internal.TrainingData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch norm put back behind folded convolutions is the identity, and folds away again. */
class BatchNormInsertionTest {

    @Test
    void insertedBatchNormIsTheIdentityAndFoldsBack() throws Exception {
        Model m = ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
        Dataset d = Datasets.open(Assets.require("datasets/mnist10k") + "[0:300]");
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(1f / 255).build();
        TrainingData data = TrainingData.of(d, map, 10, "data");
        Model withBn = BatchNormInsertion.apply(m, data, 200);
        long bns = withBn.graph().nodes().stream().filter(n -> n.op().kind() == OpKind.BATCH_NORMALIZATION).count();
        assertEquals(7, bns);   // 4 convolutions and 3 depthwise convolutions
        Model folded = PassPipeline.of(new FoldBatchNorm()).run(withBn);
        assertEquals(m.graph().nodes().size(), folded.graph().nodes().size());
        Interpreter a = Interpreter.create(m);
        Interpreter b = Interpreter.create(withBn);
        Interpreter c = Interpreter.create(folded);
        double worst = 0;
        for (int i = 200; i < 300; i++) {
            float[] x = map.toRealValues(d.get(i));
            float[] ya = a.invokeFloat(x)[0];
            float[] yb = b.invokeFloat(x)[0];
            float[] yc = c.invokeFloat(x)[0];
            worst = Math.max(worst, Math.max(TrainableModelTest.maxAbs(ya, yb), TrainableModelTest.maxAbs(ya, yc)));
        }
        System.out.printf("tiny_digits with re-inserted batch norm vs original: max abs %.3g%n", worst);
        assertTrue(worst < 1e-4, "max abs " + worst);
    }
}
