/**
 * Pruning that shrinks a float model before quantization: structured (channel) pruning with graph
 * surgery on the IR and training-free least-squares recovery. Entry point: {@link io.tinyml.prune.Pruner}.
 */
package io.tinyml.prune;
