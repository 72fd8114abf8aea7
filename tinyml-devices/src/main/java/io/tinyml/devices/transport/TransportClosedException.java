package io.tinyml.devices.transport;

import java.io.IOException;

/** Thrown when a transport's peer is gone (unplugged, killed, socket closed) or the transport was closed. */
public final class TransportClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message a one-line reason naming the address
     */
    public TransportClosedException(String message) {
        super(message);
    }
}
