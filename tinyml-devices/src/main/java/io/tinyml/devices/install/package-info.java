/**
 * Installing firmware on boards: one {@link io.tinyml.devices.install.Installer} per tool (QEMU, OpenOCD,
 * pyOCD, st-flash, esptool, arduino-cli, picotool, UF2 copy), each detected on the PATH, with a dry run
 * that prints the exact command and a one-line hint naming the package of a missing tool; and a check
 * that the firmware fits the board ({@link io.tinyml.devices.install.FirmwareSize}).
 */
package io.tinyml.devices.install;
