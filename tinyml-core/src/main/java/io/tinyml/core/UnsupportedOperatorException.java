package io.tinyml.core;

/**
 * A model uses an operator (or an operator variant, such as a data-type combination) that a
 * reader, kernel library or target does not support. The message names the operator, the node and
 * what does not support it.
 */
public class UnsupportedOperatorException extends ModelException {
    private static final long serialVersionUID = 1L;

    private final String operator;

    /**
     * Creates the exception.
     *
     * @param operator the operator's name in its source format (e.g. {@code SQUARED_DIFFERENCE})
     * @param message a full message naming the operator, the node and the unsupported context
     */
    public UnsupportedOperatorException(String operator, String message) {
        super(message);
        this.operator = operator;
    }

    /**
     * Returns the unsupported operator's name.
     *
     * @return the name
     */
    public String operator() {
        return operator;
    }
}
