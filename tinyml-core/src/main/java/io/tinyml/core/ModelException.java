package io.tinyml.core;

/**
 * A model cannot be used: it is malformed, or it needs something this SDK does not provide.
 * Checked, so that callers decide what a bad model means to them.
 */
public class ModelException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the part of the model concerned
     */
    public ModelException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong
     * @param cause the underlying problem
     */
    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
