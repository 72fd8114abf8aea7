/**
 * Graph passes: each maps a {@link io.tinyml.core.ir.Model} to a new model and is recorded in its
 * provenance. A {@link io.tinyml.core.pass.PassPipeline} chains passes, checks their requirements
 * and lets {@link io.tinyml.core.pass.PassInstrument}s watch each one.
 *
 * <pre>{@code
 * Model optimized = PassPipeline.standard().run(model);
 * }</pre>
 */
package io.tinyml.core.pass;
