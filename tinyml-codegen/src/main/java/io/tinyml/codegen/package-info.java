/**
 * Placeholder for the tinyml-codegen module; its capability lands with its own issue.
 */
package io.tinyml.codegen;
