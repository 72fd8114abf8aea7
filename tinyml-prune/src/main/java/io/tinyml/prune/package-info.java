/**
 * Placeholder for the tinyml-prune module; its capability lands with its own issue.
 */
package io.tinyml.prune;
