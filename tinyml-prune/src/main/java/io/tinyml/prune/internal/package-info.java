/**
 * Channel dependency analysis, graph surgery and least-squares refit behind {@link io.tinyml.prune.Pruner};
 * not API.
 */
package io.tinyml.prune.internal;
