package io.tinyml.devices.harness;

/** A device answered a command with an {@code e-[...]} error line. */
public final class DeviceErrorException extends DeviceException {
    private static final long serialVersionUID = 1L;
    private final String errorLine;

    /**
     * Creates the exception.
     *
     * @param message a one-line reason naming the device and the command
     * @param errorLine the device's {@code e-} line
     */
    public DeviceErrorException(String message, String errorLine) {
        super(message);
        this.errorLine = errorLine;
    }

    /** @return the device's {@code e-} line as received */
    public String errorLine() {
        return errorLine;
    }
}
