package io.tinyml.quantize;

/**
 * The precision chosen for one weighted layer by mixed-precision quantization.
 *
 * @param name the node name
 * @param precision the chosen precision
 * @param sensitivity the output noise-to-signal ratio when only this layer is int8 (higher = more sensitive)
 * @param weightBytes bytes of the layer's weights and bias in the chosen precision
 */
public record LayerChoice(String name, Precision precision, double sensitivity, long weightBytes) {
}
