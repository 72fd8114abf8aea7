package io.tinyml.prune;

import io.tinyml.core.ir.Model;

import java.util.Map;

/**
 * A model whose weights were zeroed (unstructured or N:M sparsity) and how sparse each layer is.
 * The tensors keep their dense shapes: the zeros pay off only with a sparse kernel or compression.
 * Immutable.
 *
 * @param model the model with zeroed weights
 * @param layerSparsity fraction of zero weights per weighted node name, in graph order
 * @param sparsity fraction of zero weights over all weighted layers
 */
public record SparsityResult(Model model, Map<String, Double> layerSparsity, double sparsity) {
    /** Copies the map. */
    public SparsityResult {
        layerSparsity = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(layerSparsity));
    }
}
