/**
 * The split planner: a cost graph (per-node device and edge costs, tensor sizes on the wire), link
 * models with cited presets, and an exact search over every topological cut of the graph.
 */
package io.tinyml.offload.plan;
