/**
 * The DJL side of tinyml-train: the block that runs an IR graph with PyTorch operators, weight layout
 * conversion between the IR (NHWC, TFLite layouts) and PyTorch (NCHW), and engine set-up. Not API.
 */
package io.tinyml.train.internal;
