package io.tinyml.quantize.eval;

/**
 * The error of one layer's output in a quantized model against the float model, over a set of samples.
 *
 * @param name the output tensor name (shared by both models)
 * @param dtype the quantized model's type for that tensor (e.g. INT8)
 * @param snrDb signal-to-noise ratio {@code 10·log10(Σx² / Σ(x−x̂)²)} in dB (infinite if exact)
 * @param cosine cosine similarity of the concatenated float and dequantized values
 */
public record LayerError(String name, String dtype, double snrDb, double cosine) {
}
