/**
 * The model intermediate representation: immutable {@link io.tinyml.core.ir.Model},
 * {@link io.tinyml.core.ir.Graph}, {@link io.tinyml.core.ir.Node} and
 * {@link io.tinyml.core.ir.Tensor}, and the typed operators under the sealed
 * {@link io.tinyml.core.ir.Op} interface.
 *
 * <p>Layout is NHWC for 4-D activations; weights are stored as TFLite stores them: OHWI for
 * convolutions, 1HWO for depthwise convolutions, [out, in] for fully-connected layers. Readers of
 * NCHW formats convert at the edge; nothing below them sees NCHW.
 *
 * <p>Graphs are built with {@link io.tinyml.core.ir.GraphBuilder}, which validates indices, types,
 * shapes and acyclicity and names the offending node in its message.
 */
package io.tinyml.core.ir;
