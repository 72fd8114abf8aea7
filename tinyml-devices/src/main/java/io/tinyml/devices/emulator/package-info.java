/**
 * An emulated board: QEMU running a firmware with its UART on a local TCP port, reached with the same
 * {@link io.tinyml.devices.harness.DeviceClient} as a real board.
 */
package io.tinyml.devices.emulator;
