/**
 * Integer numerics shared by the reference interpreter and the C code generator, as public API:
 * window geometry ({@link io.tinyml.core.quant.ConvGeometry}), TFLite's requantization
 * ({@link io.tinyml.core.quant.FixedPoint}: {@code QuantizeMultiplier}, {@code MultiplyByQuantizedMultiplier}),
 * gemmlowp's fixed-point functions ({@link io.tinyml.core.quant.GemmlowpFixedPoint}), quantization helpers
 * ({@link io.tinyml.core.quant.Quant}) and the per-node prepared parameters that both engines consume, each
 * computed by one function from the IR node and its tensors' quantization. Bit-exactness of generated C with
 * the interpreter rests on both reading these same values.
 */
package io.tinyml.core.quant;
