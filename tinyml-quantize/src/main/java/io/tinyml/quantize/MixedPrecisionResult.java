package io.tinyml.quantize;

import io.tinyml.core.ir.Model;
import java.util.List;

/**
 * The outcome of mixed-precision quantization.
 *
 * @param model the quantized model
 * @param layers the choice for each weighted layer, in graph order
 * @param floatTop1 top-1 of the float model on the validation samples
 * @param quantTop1 top-1 of the chosen model on the validation samples
 * @param outputNoise the chosen model's output noise-to-signal ratio on calibration inputs
 * @param targetMet whether the accuracy-drop target was met
 */
public record MixedPrecisionResult(Model model, List<LayerChoice> layers, double floatTop1, double quantTop1,
                                   double outputNoise, boolean targetMet) {
    /** Copies the layer list. */
    public MixedPrecisionResult {
        layers = List.copyOf(layers);
    }
}
