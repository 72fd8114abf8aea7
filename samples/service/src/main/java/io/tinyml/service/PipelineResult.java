package io.tinyml.service;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a pipeline run produced. Immutable.
 *
 * @param report the JSON-ready report (sizes, accuracy, estimate, per-stage and per-layer figures)
 * @param archive the zip with the optimized model and the generated C project
 * @param optimizedSizeBytes the optimized model file's size
 * @param accuracyBefore the original model's accuracy (or agreement), or null
 * @param accuracyAfter the optimized model's, or null
 */
public record PipelineResult(Map<String, Object> report, Path archive, long optimizedSizeBytes, Double accuracyBefore,
                             Double accuracyAfter) {
}
