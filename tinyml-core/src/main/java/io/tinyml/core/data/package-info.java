/**
 * Labelled data sets for calibration, evaluation and examples: the immutable
 * {@link io.tinyml.core.data.Dataset} of {@link io.tinyml.core.data.Sample}s, readers
 * ({@link io.tinyml.core.data.Datasets}: IDX, CSV, class folders of images, zip archives read safely
 * in memory), writers ({@link io.tinyml.core.data.DatasetWriter}) and
 * {@link io.tinyml.core.data.InputMapping}, which turns a sample into the bytes of a model input tensor
 * (resize, grey/RGB, scale and offset, quantization).
 *
 * <pre>{@code
 * Dataset calib = Datasets.open("datasets/mnist10k[:500]");
 * InputMapping m = InputMapping.builder().setInput(input).optScale(1f / 255).build();
 * byte[] bytes = m.toInputBytes(calib.get(0));
 * }</pre>
 */
package io.tinyml.core.data;
