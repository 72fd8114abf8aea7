package io.tinyml.service;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * One job's input: the stored model and dataset and the seed API's form fields. Immutable.
 *
 * @param model the model file (generated name; format already sniffed)
 * @param format the sniffed format: tflite, onnx or keras
 * @param dataset the dataset archive, or null
 * @param hardwareTarget the target name in the SDK's catalog
 * @param targetSizeKb the flash budget for the model in KiB
 * @param targetAccuracy the lowest acceptable accuracy (a fraction)
 * @param quantize whether to quantize
 * @param prune whether to prune (structured, channel pruning)
 * @param nas whether to run architecture search
 * @param quantizationType int8 or fp16
 * @param pruningSparsity the fraction of channels pruned
 */
public record JobSpec(Path model, String format, Path dataset, String hardwareTarget, int targetSizeKb,
                      double targetAccuracy, boolean quantize, boolean prune, boolean nas, String quantizationType,
                      double pruningSparsity) {
    /**
     * Builds a spec from stored params.
     *
     * @param params the validated form fields
     * @param model the model file
     * @param format the sniffed format
     * @param dataset the dataset archive, or null
     * @return the spec
     */
    static JobSpec of(Map<String, Object> params, Path model, String format, Path dataset) {
        return new JobSpec(model, format, dataset, (String) params.get("hardware_target"),
                ((Number) params.get("target_size_kb")).intValue(),
                ((Number) params.get("target_accuracy_threshold")).doubleValue(),
                Boolean.TRUE.equals(params.get("enable_quantization")), Boolean.TRUE.equals(params.get("enable_pruning")),
                Boolean.TRUE.equals(params.get("enable_nas")),
                ((String) params.get("quantization_type")).toLowerCase(Locale.ROOT),
                ((Number) params.get("pruning_sparsity")).doubleValue());
    }
}
