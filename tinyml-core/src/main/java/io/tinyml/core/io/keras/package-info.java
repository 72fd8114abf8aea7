/**
 * Keras models: {@link io.tinyml.core.io.keras.KerasReader} reads Keras 2 / TF-Keras HDF5 files and
 * Keras 3 {@code .keras} archives into the IR (its JSON through {@link io.tinyml.core.json.Json}). Configuration accessors, graph
 * translation and HDF5 weight layouts live in {@code io.tinyml.core.io.keras.internal}.
 */
package io.tinyml.core.io.keras;
