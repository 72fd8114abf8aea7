package io.tinyml.devices.harness;

/** A device did not finish its answer ({@code m-ready}) within the command's timeout. */
public final class DeviceTimeoutException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message a one-line reason naming the device, the command and the timeout
     */
    public DeviceTimeoutException(String message) {
        super(message);
    }
}
