/**
 * The reference interpreter: runs a {@link io.tinyml.core.ir.Model} on the JVM, float32 and
 * integer kernels bit-exact with TensorFlow Lite Micro's reference kernels, with a per-node
 * observation hook.
 */
package io.tinyml.core.runtime;
