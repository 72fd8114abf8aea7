/**
 * Per-node profiles of a model (device side from the estimator, edge side measured with the
 * reference interpreter), the planner's cost graph built from them, and the prefix and suffix
 * models of a cut.
 */
package io.tinyml.offload.profile;
