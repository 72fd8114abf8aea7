package io.tinyml.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Cross-entropy or mean squared error of a classifier's outputs against class-index labels, averaged
 * over the batch. Outputs are logits, or probabilities when the model ends in a softmax.
 */
public final class ClassifierLoss extends Loss {
    private final boolean crossEntropy;
    private final boolean probabilities;
    private final int classes;

    /**
     * Creates the loss.
     *
     * @param crossEntropy cross-entropy when true, else mean squared error against one-hot labels
     * @param probabilities whether the outputs are already softmax probabilities
     * @param classes the number of classes
     */
    public ClassifierLoss(boolean crossEntropy, boolean probabilities, int classes) {
        super(crossEntropy ? "cross_entropy" : "mse");
        this.crossEntropy = crossEntropy;
        this.probabilities = probabilities;
        this.classes = classes;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray pred = predictions.singletonOrThrow();
        pred = pred.reshape(pred.getShape().get(0), classes);
        NDArray oneHot = labels.singletonOrThrow().oneHot(classes);
        if (crossEntropy) {
            NDArray logp = probabilities ? pred.clip(1e-12f, 1f).log() : pred.logSoftmax(1);
            return logp.mul(oneHot).sum(new int[] {1}).neg().mean();
        }
        return pred.sub(oneHot).square().mean();
    }
}
