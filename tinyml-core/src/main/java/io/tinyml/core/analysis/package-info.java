/**
 * Static facts about a graph computed without running it: multiply-accumulate counts per node
 * and per operator kind, parameter counts.
 */
package io.tinyml.core.analysis;
