package io.tinyml.offload.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A real TCP proxy whose byte rate can be limited at run time: the "slow link" of the fault tests. */
final class ThrottledProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile long bytesPerSecond;
    private volatile boolean closed;

    ThrottledProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** @param bps bytes per second each way, 0 for unlimited */
    void throttle(long bps) {
        bytesPerSecond = bps;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket a = server.accept();
                Socket b = new Socket(InetAddress.getLoopbackAddress(), target);
                a.setTcpNoDelay(true);
                b.setTcpNoDelay(true);
                sockets.add(a);
                sockets.add(b);
                pump(a, b);
                pump(b, a);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[512];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    long bps = bytesPerSecond;
                    if (bps > 0) {
                        Thread.sleep(Math.max(1, n * 1000L / bps));
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the other side closed: the pump ends
            } finally {
                try {
                    to.close();
                    from.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
