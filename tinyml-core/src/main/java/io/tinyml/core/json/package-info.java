/**
 * The SDK's one JSON facility, over Jackson: a strict, bounded parser for untrusted files (Keras
 * configurations, target files, device registries) and the writer of the SDK's JSON reports and of the
 * CLI's {@code --json} output.
 */
package io.tinyml.core.json;
