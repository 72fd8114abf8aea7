package io.tinyml.train;

/**
 * The loss a classifier is trained with. Labels are class indices; a model whose last operator is a
 * softmax is trained on the logarithm of its probabilities, any other on its outputs as logits.
 */
public enum LossFunction {
    /** Softmax cross-entropy (negative log-likelihood of the labelled class), averaged over the batch. */
    CROSS_ENTROPY,
    /** Mean squared error between the outputs and the one-hot labels. */
    MSE
}
