package io.tinyml.core.pass;

import io.tinyml.core.ModelException;

/**
 * A pass could not transform a model (for example, a constant subgraph uses an operator the
 * reference interpreter cannot evaluate). The message names the pass and the node.
 */
public class PassException extends ModelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, naming the pass and node
     * @param cause the underlying problem, or null
     */
    public PassException(String message, Throwable cause) {
        super(message, cause);
    }
}
