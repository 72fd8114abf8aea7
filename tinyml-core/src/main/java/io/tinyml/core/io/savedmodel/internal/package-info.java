/**
 * TensorFlow Java glue for the SavedModel reader and runner; the only package that touches
 * TensorFlow types. Not API.
 */
package io.tinyml.core.io.savedmodel.internal;
