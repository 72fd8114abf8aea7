package io.tinyml.offload.runtime;

import java.io.IOException;

/**
 * A bidirectional channel carrying {@link SplitMessage} frames between a device and an edge server.
 * Implementations: {@link TcpTransport}; serial once the devices module provides one. Not thread-safe:
 * one request at a time per transport.
 */
public interface Transport extends AutoCloseable {
    /**
     * Sends a message.
     *
     * @param m the message
     * @throws IOException if the channel fails
     */
    void send(SplitMessage m) throws IOException;

    /**
     * Receives the next message, waiting at most the transport's read timeout.
     *
     * @return the message
     * @throws java.net.SocketTimeoutException if nothing arrives in time
     * @throws MalformedMessageException if the frame breaks the format (the channel stays usable)
     * @throws IOException if the channel fails or closes
     */
    SplitMessage receive() throws IOException;

    /** Closes the channel; idempotent. */
    @Override
    void close();
}
