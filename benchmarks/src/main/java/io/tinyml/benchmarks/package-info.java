/**
 * JMH benchmarks, one concern per class. Models are read from the shared assets directory
 * (system property {@code tinyml.assets}, default {@code ../shared/assets}).
 */
package io.tinyml.benchmarks;
