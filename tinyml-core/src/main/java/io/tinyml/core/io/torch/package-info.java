/**
 * PyTorch TorchScript execution through DJL's PyTorch engine (an optional dependency):
 * {@link io.tinyml.core.io.torch.TorchScriptRunner} runs a {@code .pt} file as a reference for models
 * exported to ONNX and imported into the IR.
 */
package io.tinyml.core.io.torch;
