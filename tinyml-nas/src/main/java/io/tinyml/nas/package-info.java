/**
 * Hardware-aware neural architecture search and the {@code fit} pipeline.
 *
 * <p>{@link io.tinyml.nas.SearchSpace} describes DS-CNN / MobileNetV2-style networks with per-stage
 * choices; {@link io.tinyml.nas.Search} runs a seeded, resumable NSGA-II search (accuracy vs latency vs
 * flash) whose candidates are checked against {@link io.tinyml.nas.Constraints} by the estimator, after
 * int8 quantization, before any training; {@link io.tinyml.nas.Fit} takes a user's model through
 * quantization, structured pruning and architecture search until one meets every budget.
 */
package io.tinyml.nas;
