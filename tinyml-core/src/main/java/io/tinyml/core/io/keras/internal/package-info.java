/**
 * Internals of the Keras reader (not API): typed configuration access,
 * the Sequential/Functional graph translation and the HDF5 weight layouts.
 */
package io.tinyml.core.io.keras.internal;
