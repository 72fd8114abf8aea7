/**
 * The device half of a split as firmware: the prefix model's C from tinyml-codegen with a driver
 * that prints the cut tensors, built for and run on QEMU Cortex-M4 (mps2-an386).
 */
package io.tinyml.offload.firmware;
