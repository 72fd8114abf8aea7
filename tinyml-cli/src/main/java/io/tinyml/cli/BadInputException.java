package io.tinyml.cli;

/**
 * Bad input detected by a command (exit status 2); the message is the one-line reason.
 */
public final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the reason
     */
    public BadInputException(String message) {
        super(message);
    }
}
