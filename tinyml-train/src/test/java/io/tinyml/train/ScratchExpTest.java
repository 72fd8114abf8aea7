package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.eval.QuantEval;
import org.junit.jupiter.api.Test;

class ScratchExpTest {
    @Test
    void sweep() throws Exception {
        String mnist = Assets.require("datasets/mnist10k").toString();
        Dataset train = Datasets.open(mnist + "[0:8000]");
        Dataset test = Datasets.open(mnist + "[8000:10000]");
        NetworkSpec mlp = NetworkSpec.builder(28, 28, 1).flatten().add(new NetworkSpec.Dense(128, Activation.RELU)).dense(10).build();
        NetworkSpec nobn = NetworkSpec.builder(28, 28, 1).add(new NetworkSpec.Conv(32, 3, 2, false, Activation.RELU))
                .add(new NetworkSpec.DepthwiseConv(3, 1, 1, false, Activation.RELU)).add(new NetworkSpec.Conv(64, 1, 1, false, Activation.RELU))
                .globalAveragePool().dense(10).build();
        NetworkSpec bn = NetworkSpec.builder(28, 28, 1).conv(32, 3, 2).depthwiseSeparable(64, 1).globalAveragePool().dense(10).build();
        for (NetworkSpec s : new NetworkSpec[] {mlp, nobn, bn}) {
            for (OptimizerSpec o : new OptimizerSpec[] {OptimizerSpec.adam(1e-3f), OptimizerSpec.sgd(0.05f, 0.9f)}) {
                TrainingResult r = Training.builder().optOptimizer(o).optBatchSize(64).optEpochs(1).optSeed(1).optInputScale(1f / 255)
                        .build().fit(s.toModel(3), train);
                System.out.printf("EXP %d layers %s -> loss %.4f test %.4f%n", s.layers().size(), o.kind(), r.history().get(0).loss(),
                        QuantEval.top1(r.model(), test, 1f / 255, 0f));
            }
        }
    }
}
