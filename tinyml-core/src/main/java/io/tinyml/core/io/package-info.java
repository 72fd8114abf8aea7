/**
 * Model file formats: {@link io.tinyml.core.io.ModelIO} reads and writes a
 * {@link io.tinyml.core.ir.Model}, choosing the format ({@link io.tinyml.core.io.ModelFormat}) from
 * the file's content and extension. Each format lives in a subpackage ({@code tflite}); readers turn
 * any malformed or hostile file into a {@link io.tinyml.core.MalformedModelException} or an
 * {@link io.tinyml.core.UnsupportedOperatorException}.
 */
package io.tinyml.core.io;
