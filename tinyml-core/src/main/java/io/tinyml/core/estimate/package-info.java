/**
 * Know before you flash: flash, RAM, latency and energy of a model on a {@link io.tinyml.core.target.Target}
 * with a {@link io.tinyml.core.estimate.KernelLibrary}, per layer, with a fit check and reports
 * (text, JSON, Markdown, SVG). Every coefficient names its source in {@code CostModel}.
 */
package io.tinyml.core.estimate;
