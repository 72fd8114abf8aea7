package io.tinyml.core.data;

import java.io.IOException;

/**
 * A data set cannot be read or written: a malformed or hostile file (bad magic number, truncated
 * data, ragged CSV row, an archive entry that escapes its root or inflates beyond the limits), or a
 * target that must not be overwritten. The message names the file, line or archive entry and what
 * was expected. Like any exception, not meant to be shared between threads while mutated.
 */
public class DatasetException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and where
     */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong and where
     * @param cause the underlying problem
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
