package io.tinyml.devices.harness;

import java.io.IOException;

/** A device did not answer as the protocol requires: an {@code e-} reply, a timeout, a garbled line. */
public class DeviceException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message a one-line reason naming the device and the command
     */
    public DeviceException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message a one-line reason naming the device and the command
     * @param cause the cause
     */
    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
