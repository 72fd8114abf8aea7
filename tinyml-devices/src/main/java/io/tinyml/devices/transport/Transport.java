package io.tinyml.devices.transport;

import java.io.IOException;
import java.time.Duration;

/**
 * A bidirectional byte stream to a board: a serial port, a pty or a TCP socket.
 *
 * <p>Reads are bounded: {@link #read(byte[], Duration)} returns 0 when nothing arrived within the
 * timeout and throws {@link TransportClosedException} once the peer is gone (cable unplugged, process
 * killed, socket closed). Implementations are not thread-safe, except that {@link #close()} may be
 * called from any thread to unblock a reader. Closing is idempotent; use after close throws
 * {@link TransportClosedException}.
 *
 * <pre>
 * try (Transport t = Transports.open("tcp:127.0.0.1:4000", 115200)) {
 *     t.write("name%".getBytes(StandardCharsets.US_ASCII));
 * }
 * </pre>
 */
public interface Transport extends AutoCloseable {
    /**
     * Returns the address this transport was opened with ({@code tcp:HOST:PORT} or a port path).
     *
     * @return the address
     */
    String address();

    /**
     * Writes all bytes.
     *
     * @param data the bytes
     * @throws TransportClosedException if the peer is gone or the transport was closed
     * @throws IOException if the write fails otherwise
     */
    void write(byte[] data) throws IOException;

    /**
     * Reads the bytes available, waiting at most {@code timeout} for the first one.
     *
     * @param buffer where to put them
     * @param timeout the longest wait; must be positive
     * @return the number of bytes read, 0 if none arrived in time
     * @throws TransportClosedException if the peer is gone or the transport was closed
     * @throws IOException if the read fails otherwise
     */
    int read(byte[] buffer, Duration timeout) throws IOException;

    /**
     * Tells whether the transport is still open (not closed by us and no end of stream seen).
     *
     * @return true while open
     */
    boolean isOpen();

    /** Closes the transport; idempotent and callable from any thread. */
    @Override
    void close();
}
