/**
 * The split runtime: a versioned binary message with CRC32 and strict decoding, a TCP transport,
 * the edge server (Javalin REST API plus the binary channel), a device manager, and a device-side
 * client that re-plans when the measured link drifts and falls back to device-only when the edge is
 * unreachable.
 */
package io.tinyml.offload.runtime;
