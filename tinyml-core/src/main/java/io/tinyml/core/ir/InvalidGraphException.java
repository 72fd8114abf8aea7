package io.tinyml.core.ir;

/**
 * A graph under construction breaks an IR rule (bad index, shape, type, cycle, duplicate name).
 * The message names the node or tensor concerned. Readers turn it into a
 * {@link io.tinyml.core.MalformedModelException}.
 */
public class InvalidGraphException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the node or tensor
     */
    public InvalidGraphException(String message) {
        super(message);
    }
}
