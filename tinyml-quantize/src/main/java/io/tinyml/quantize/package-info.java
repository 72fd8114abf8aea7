/**
 * Post-training quantization: the staged {@link io.tinyml.quantize.Quantizer} (int8 per-channel,
 * int16x8, fp16, dynamic range, mixed precision), calibration methods and their results.
 */
package io.tinyml.quantize;
