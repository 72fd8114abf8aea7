/**
 * Kernel machinery of the reference interpreter: fixed-point arithmetic, tensor arrays and the
 * per-operator kernels. Not API: may change without notice.
 */
package io.tinyml.core.runtime.internal;
