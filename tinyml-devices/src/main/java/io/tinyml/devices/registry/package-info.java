/**
 * A small local store of registered devices: one JSON file per device under
 * {@code ${tinyml.home}/devices} (system property {@code tinyml.home}, default {@code ~/.tinyml}).
 */
package io.tinyml.devices.registry;
