/**
 * Boards and how to reach them: transports ({@link io.tinyml.devices.transport}), the MLPerf Tiny
 * harness protocol client ({@link io.tinyml.devices.harness}), an emulated board under QEMU
 * ({@link io.tinyml.devices.emulator}), installers ({@link io.tinyml.devices.install}) and a local
 * registry of devices ({@link io.tinyml.devices.registry}).
 */
package io.tinyml.devices;
