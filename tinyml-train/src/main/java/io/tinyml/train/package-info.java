/**
 * Training through DJL (PyTorch engine), offline: the IR ⇄ DJL bridge ({@link io.tinyml.train.TrainableModel}),
 * fine-tuning any float IR model and training from a typed network description.
 */
package io.tinyml.train;
