/**
 * Executing a model in an engine, behind one interface ({@link io.tinyml.core.runner.ModelRunner}): our
 * interpreter ({@link io.tinyml.core.runner.InterpreterRunner}), TensorFlow Java running a SavedModel
 * ({@link io.tinyml.core.runner.SavedModelRunner}) and PyTorch through DJL running TorchScript
 * ({@link io.tinyml.core.runner.TorchScriptRunner}); {@link io.tinyml.core.runner.ModelRunners} opens the right
 * one for a path. The framework engines are optional dependencies, loaded only when chosen.
 * Depends on {@code io} (readers) and {@code runtime}; {@code eval} measures agreement over these runners.
 */
package io.tinyml.core.runner;
