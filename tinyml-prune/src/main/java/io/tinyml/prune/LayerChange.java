package io.tinyml.prune;

/**
 * The channels of one channel group before and after pruning.
 *
 * @param layer the name of the first node producing the group's channels
 * @param before channels before
 * @param after channels after
 */
public record LayerChange(String layer, int before, int after) {
}
