package io.tinyml.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.train.internal.IrBlock;
import io.tinyml.train.internal.TrainingData;

import java.util.Map;

/**
 * Re-estimates the batch-norm running statistics of trained weights over training samples, as
 * PyTorch's {@code torch.optim.swa_utils.update_bn} does: training-mode forward passes in batches, no
 * gradients, with the running statistics set to the cumulative average of the batch statistics (batch
 * {@code i} weighs {@code 1/i}). During training the running statistics are an exponential average
 * (PyTorch's 0.1 per batch) over the last few dozen batches of weights that kept changing; averaged
 * weights never had statistics of their own. Stateless.
 */
final class BatchNormStatistics {
    /** Samples per forward pass while measuring. */
    static final int BATCH = 250;

    private BatchNormStatistics() {
    }

    /**
     * Returns whether a model has batch normalization.
     *
     * @param m the model
     * @return whether any node is a batch norm
     */
    static boolean present(Model m) {
        return m.graph().nodes().stream().anyMatch(n -> n.op().kind() == OpKind.BATCH_NORMALIZATION);
    }

    /**
     * Returns the model with its batch-norm running statistics measured on the first samples of the data.
     *
     * @param m a float model with batch norm
     * @param data mapped training samples
     * @param samples the most samples to measure on
     * @return the model with new running means and variances (everything else unchanged), its provenance
     *     recording a {@code batchnorm-statistics} step
     */
    static Model reestimate(Model m, TrainingData data, int samples) {
        Shape in = m.graph().inputTensor(0).shape();
        int n = Math.min(samples, data.size());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        try (TrainableModel net = TrainableModel.of(m);
             NDManager mgr = net.djl().getNDManager().newSubManager()) {
            IrBlock block = net.block();
            int batches = 0;
            for (int from = 0; from < n; from += BATCH) {
                int to = Math.min(n, from + BATCH);
                batches++;
                block.setBatchNormMomentum((batches - 1f) / batches);
                try (NDManager b = mgr.newSubManager()) {
                    NDList x = new NDList(Training.batchArray(b, data, idx, from, to, in));
                    block.forward(new ParameterStore(b, false), x, true);
                }
            }
            GraphBuilder g = GraphBuilder.from(m.graph());
            block.exportConstants().forEach(g::setTensor);
            return m.withGraph(g.build(), new AppliedPass("batchnorm-statistics", Map.of("samples",
                    Integer.toString(n), "batch", Integer.toString(BATCH))));
        } catch (UnsupportedOperatorException e) {
            throw new IllegalStateException("expected a trained model to rebuild, found: " + e.getMessage(), e);
        }
    }
}
