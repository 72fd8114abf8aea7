package io.tinyml.core;

/**
 * A model file or graph violates its format or the IR's rules: truncated, corrupt, inconsistent
 * shapes, out-of-range indices, cycles. The message names the problem and where it is.
 */
public class MalformedModelException extends ModelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and where
     */
    public MalformedModelException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong and where
     * @param cause the underlying problem
     */
    public MalformedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
