package io.tinyml.offload.runtime;

import java.io.IOException;

/**
 * A received message broke the wire format; the message says which rule. The connection that carried
 * it stays usable: the reader has consumed the bad frame (or resynchronised on the next magic).
 */
public final class MalformedMessageException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param reason which rule the message broke */
    public MalformedMessageException(String reason) {
        super(reason);
    }
}
