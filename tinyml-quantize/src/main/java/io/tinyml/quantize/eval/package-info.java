/**
 * Measuring what quantization costs: top-1 accuracy and per-layer SNR / cosine similarity between a
 * float model and its quantized counterpart.
 */
package io.tinyml.quantize.eval;
