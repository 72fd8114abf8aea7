/**
 * Split computing: run the first part of a model on the device and the rest on an edge server.
 *
 * <p>{@link io.tinyml.offload.profile} measures and estimates per-node costs, {@link io.tinyml.offload.plan}
 * chooses where to cut (every topological cut of the graph, exactly), {@link io.tinyml.offload.runtime}
 * carries the cut tensors between device and edge, and {@link io.tinyml.offload.firmware} generates
 * the device half as C.
 */
package io.tinyml.offload;
