/**
 * Byte streams to a board: a serial port (jSerialComm, also a pty opened by path) or TCP (an emulated
 * board's UART), behind one {@link io.tinyml.devices.transport.Transport} interface with bounded reads.
 */
package io.tinyml.devices.transport;
