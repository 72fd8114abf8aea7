/**
 * DJL (PyTorch engine) glue for the TorchScript runner; the only package that touches DJL types.
 * Not API.
 */
package io.tinyml.core.runner.internal;
