package io.tinyml.prune;

import io.tinyml.core.ir.Model;

/**
 * The pruned model and what changed. Immutable.
 *
 * @param model the pruned, validated model
 * @param report channels, MACs and weight bytes before and after
 */
public record PruneResult(Model model, PruneReport report) {
}
