/**
 * Placeholder for the tinyml-nas module; its capability lands with its own issue.
 */
package io.tinyml.nas;
