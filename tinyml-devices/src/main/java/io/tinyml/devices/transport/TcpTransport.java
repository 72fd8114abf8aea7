package io.tinyml.devices.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A TCP connection to a board's UART (QEMU's {@code -serial tcp:...}, a network-to-serial bridge).
 * Not thread-safe except for {@link #close()}.
 */
public final class TcpTransport implements Transport {
    private final String host;
    private final int port;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean closed;

    private TcpTransport(String host, int port, Socket socket) throws IOException {
        this.host = host;
        this.port = port;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to {@code host:port}.
     *
     * @param host the host
     * @param port the port
     * @param connectTimeout the longest wait for the connection
     * @return the open transport
     * @throws IOException if nobody accepts the connection in time, with a one-line message naming the address
     */
    public static TcpTransport connect(String host, int port, Duration connectTimeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
            return new TcpTransport(host, port, s);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect to tcp:" + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String address() {
        return "tcp:" + host + ":" + port;
    }

    @Override
    public void write(byte[] data) throws IOException {
        ensureOpen();
        try {
            out.write(data);
            out.flush();
        } catch (IOException e) {
            closed = true;
            throw new TransportClosedException(address() + " closed the connection (" + e.getMessage() + ")");
        }
    }

    @Override
    public int read(byte[] buffer, Duration timeout) throws IOException {
        ensureOpen();
        try {
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            int n = in.read(buffer);
            if (n < 0) {
                closed = true;
                throw new TransportClosedException(address() + " closed the connection");
            }
            return n;
        } catch (SocketTimeoutException e) {
            return 0;
        } catch (TransportClosedException e) {
            throw e;
        } catch (IOException e) {
            closed = true;
            throw new TransportClosedException(address() + " closed the connection (" + e.getMessage() + ")");
        }
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket twice or after a reset has nothing left to release
        }
    }

    private void ensureOpen() throws TransportClosedException {
        if (closed) {
            throw new TransportClosedException(address() + " is closed");
        }
    }

    @Override
    public String toString() {
        return address();
    }
}
