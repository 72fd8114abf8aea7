/**
 * Placeholder for the tinyml-offload module; its capability lands with its own issue.
 */
package io.tinyml.offload;
