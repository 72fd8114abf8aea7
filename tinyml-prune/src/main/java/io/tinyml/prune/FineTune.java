package io.tinyml.prune;

import io.tinyml.core.data.Dataset;

/**
 * A fine-tuning recipe for {@link StructuredPruning#finetune(io.tinyml.core.data.Dataset, FineTune)}: the
 * pruned model is trained by tinyml-train (Adam, cosine schedule, batch 32, seed 1, batch normalization
 * re-inserted for training and folded again) for {@code epochs} epochs, optionally learning from the
 * unpruned model's softened outputs (knowledge distillation) and on randomly shifted images. Immutable.
 *
 * @param epochs epochs, at least 0 (0: no fine-tuning)
 * @param learningRate Adam's base learning rate, positive
 * @param distillation the share of the loss taken by distillation from the unpruned model, in [0, 1]
 *     (0: labels only)
 * @param temperature the distillation temperature, at least 1
 * @param shift the largest random image shift in pixels (0 to 8; 0: no augmentation; image models only)
 * @param quantizationAware epochs of quantization-aware training after the fine-tuning, at least 0 (0: none):
 *     the forward passes see int8 weights and activations (tinyml-train's
 *     {@code optQuantizationAware}, 200 calibration samples), batch normalization folded, a tenth of the
 *     learning rate, the same distillation and shifts; the result is still a float model, which then
 *     quantizes with less loss
 * @param validation labelled data held out from the training data, or null: when present, each training
 *     stage validates the starting weights and every epoch's on it and keeps the weights of the highest
 *     validation accuracy (tinyml-train's {@code optValidateInitial} and {@code optSelectByAccuracy}), so
 *     fine-tuning never returns a model that classifies the held-out data worse than the one it was given
 */
public record FineTune(int epochs, float learningRate, double distillation, float temperature, int shift,
                       int quantizationAware, Dataset validation) {

    /**
     * Validates the recipe.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public FineTune {
        if (epochs < 0) {
            throw new IllegalArgumentException("expected at least 0 fine-tuning epochs, found " + epochs);
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("expected a positive learning rate, found " + learningRate);
        }
        if (!(distillation >= 0 && distillation <= 1) || !(temperature >= 1) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("expected a distillation share in [0, 1] and a temperature >= 1, found "
                    + distillation + " and " + temperature);
        }
        if (shift < 0 || shift > 8) {
            throw new IllegalArgumentException("expected a random shift of 0 to 8 pixels, found " + shift);
        }
        if (quantizationAware < 0) {
            throw new IllegalArgumentException("expected at least 0 quantization-aware epochs, found "
                    + quantizationAware);
        }
    }

    /**
     * A recipe without validation data.
     *
     * @param epochs epochs, at least 0
     * @param learningRate Adam's base learning rate, positive
     * @param distillation the distillation share of the loss, in [0, 1]
     * @param temperature the distillation temperature, at least 1
     * @param shift the largest random image shift in pixels, 0 to 8
     * @param quantizationAware quantization-aware epochs, at least 0
     * @throws IllegalArgumentException if a value is out of range
     */
    public FineTune(int epochs, float learningRate, double distillation, float temperature, int shift,
                    int quantizationAware) {
        this(epochs, learningRate, distillation, temperature, shift, quantizationAware, null);
    }

    /**
     * The plain recipe: labels only, Adam at 0.01, no augmentation.
     *
     * @param epochs epochs, at least 0
     * @return the recipe
     * @throws IllegalArgumentException if epochs is negative
     */
    public static FineTune plain(int epochs) {
        return new FineTune(epochs, 1e-2f, 0, 4f, 0, 0);
    }

    /**
     * The distilled recipe: 70 % of the loss from the unpruned model's outputs softened at temperature 4
     * (30 % from the labels), Adam at 0.01, random shifts of up to 1 pixel. Chosen on mnist10k[7000:8000]
     * after pruning and training on [0:7000] (see the module README for the candidates and figures); the
     * recommended use, best there for both models, is {@code distilled(20)} with
     * {@link StructuredPruning#steps(int) steps(2)}: half the channels removed, 10 epochs, the rest, 20
     * epochs.
     *
     * @param epochs epochs, at least 0
     * @return the recipe
     * @throws IllegalArgumentException if epochs is negative
     */
    public static FineTune distilled(int epochs) {
        return new FineTune(epochs, 1e-2f, 0.7, 4f, 1, 0);
    }

    /**
     * Returns a copy with another learning rate.
     *
     * @param lr Adam's base learning rate, positive
     * @return the new recipe
     */
    public FineTune withLearningRate(float lr) {
        return new FineTune(epochs, lr, distillation, temperature, shift, quantizationAware, validation);
    }

    /**
     * Returns a copy with another distillation share and temperature.
     *
     * @param share the distillation share in [0, 1]
     * @param t the temperature, at least 1
     * @return the new recipe
     */
    public FineTune withDistillation(double share, float t) {
        return new FineTune(epochs, learningRate, share, t, shift, quantizationAware, validation);
    }

    /**
     * Returns a copy with another random shift.
     *
     * @param pixels the largest shift, 0 to 8
     * @return the new recipe
     */
    public FineTune withShift(int pixels) {
        return new FineTune(epochs, learningRate, distillation, temperature, pixels, quantizationAware, validation);
    }

    /**
     * Returns a copy followed by quantization-aware training.
     *
     * @param qatEpochs quantization-aware epochs after the fine-tuning, at least 0 (0: none)
     * @return the new recipe
     */
    public FineTune withQuantizationAware(int qatEpochs) {
        return new FineTune(epochs, learningRate, distillation, temperature, shift, qatEpochs, validation);
    }

    /**
     * Returns a copy that validates on held-out data and keeps the weights of the best validation accuracy
     * (see the record's {@code validation}). The data must not overlap the training data nor the data the
     * pruned model is finally evaluated on.
     *
     * @param d labelled validation data, or null for none
     * @return the new recipe
     */
    public FineTune withValidation(Dataset d) {
        return new FineTune(epochs, learningRate, distillation, temperature, shift, quantizationAware, d);
    }
}
