/**
 * Placeholder for the tinyml-devices module; its capability lands with its own issue.
 */
package io.tinyml.devices;
