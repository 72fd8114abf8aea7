package io.tinyml.core.ir;

/**
 * The kind of an {@link Op}, one constant per operator record.
 *
 * <p>Switch expressions over this enum are checked for exhaustiveness by the compiler, which is how
 * code that handles every operator (kernels, writers, estimators) stays complete when an operator
 * is added: every place that decides per operator is a switch expression without {@code default}, so
 * a new constant does not compile until each place has an arm that supports it or refuses it with a
 * reason. What each part supports is computed per constant by the CLI's {@code OperatorSupportTest}
 * into {@code docs/operators.md}. Thread-safe (an enum).
 */
public enum OpKind {
    CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN,
    RESHAPE, CONCATENATION, PAD, SOFTMAX, RELU, RELU6, CLIP, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH,
    QUANTIZE, DEQUANTIZE, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL
}
