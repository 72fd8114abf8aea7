/**
 * Measuring models: top-1 accuracy of a classifier on labelled data ({@link io.tinyml.core.eval.Accuracy}),
 * and agreement between two executions of a model — our interpreter, TensorFlow Java running a
 * SavedModel, PyTorch (DJL) running TorchScript — on the same inputs ({@link io.tinyml.core.eval.Verify}
 * over the {@link io.tinyml.core.runner.ModelRunner}s of {@code io.tinyml.core.runner}).
 */
package io.tinyml.core.eval;
