package io.tinyml.offload.runtime;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * {@link Transport} over one TCP connection (Nagle off). Not thread-safe; close is idempotent.
 *
 * <pre>{@code
 * try (TcpTransport t = TcpTransport.connect("127.0.0.1", port, Duration.ofSeconds(2), Duration.ofSeconds(10))) {
 *     t.send(request);
 *     SplitMessage reply = t.receive();
 * }
 * }</pre>
 */
public final class TcpTransport implements Transport {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TcpTransport.class);
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long bytesSent;
    private long bytesReceived;

    private TcpTransport(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream()) {
            @Override
            public synchronized int read() throws IOException {
                int r = super.read();
                if (r >= 0) {
                    bytesReceived++;
                }
                return r;
            }

            @Override
            public synchronized int read(byte[] b, int off, int len) throws IOException {
                int r = super.read(b, off, len);
                if (r > 0) {
                    bytesReceived += r;
                }
                return r;
            }
        };
        this.out = socket.getOutputStream();
    }

    /**
     * Connects.
     *
     * @param host the edge host
     * @param port its binary channel port
     * @param connectTimeout the longest wait for the connection
     * @param readTimeout the longest wait in {@link #receive()}
     * @return the transport
     * @throws IOException if the connection fails or times out
     */
    public static TcpTransport connect(String host, int port, Duration connectTimeout, Duration readTimeout)
            throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            s.setSoTimeout((int) readTimeout.toMillis());
            return new TcpTransport(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void send(SplitMessage m) throws IOException {
        sendRaw(MessageCodec.encode(m));
    }

    /**
     * Sends bytes as they are (a frame, or anything else: tests use it to inject damaged frames).
     *
     * @param bytes the bytes
     * @throws IOException if the connection fails
     */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        bytesSent += bytes.length;
    }

    @Override
    public SplitMessage receive() throws IOException {
        SplitMessage m = MessageCodec.read(in);
        if (m == null) {
            throw new EOFException("the edge closed the connection");
        }
        return m;
    }

    /** @return bytes written so far */
    public long bytesSent() {
        return bytesSent;
    }

    /** @return bytes read so far */
    public long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", socket, e.toString());
        }
    }
}
