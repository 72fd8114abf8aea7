/**
 * Placeholder for the tinyml-quantize module; its capability lands with its own issue.
 */
package io.tinyml.quantize;
