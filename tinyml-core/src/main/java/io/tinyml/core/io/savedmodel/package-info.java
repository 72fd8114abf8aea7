/**
 * TensorFlow SavedModel support through TensorFlow Java (an optional dependency):
 * {@link io.tinyml.core.io.savedmodel.SavedModelReader} imports the serving signature into the IR;
 * {@link io.tinyml.core.runner.SavedModelRunner} executes it with TensorFlow as a reference.
 */
package io.tinyml.core.io.savedmodel;
