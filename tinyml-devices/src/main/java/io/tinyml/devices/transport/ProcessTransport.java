package io.tinyml.devices.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A program's standard input and output as a line to a device: the harness built for a Linux-class
 * board ({@code make -f harness.mk harness-host}), the same under {@code qemu-aarch64}, or over
 * {@code ssh user@board /path/harness}. The program's stderr is discarded. Closing ends the program
 * (and its children); idempotent. Not thread-safe except for {@link #close()}.
 */
public final class ProcessTransport implements Transport {
    private static final byte[] EOF = new byte[0];
    private final List<String> command;
    private final Process process;
    private final OutputStream in;
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private byte[] pending = new byte[0];
    private int pendingOff;
    private volatile boolean closed;

    private ProcessTransport(List<String> command, Process process) {
        this.command = List.copyOf(command);
        this.process = process;
        this.in = process.getOutputStream();
        Thread pump = new Thread(this::pump, "process-transport-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts a program.
     *
     * @param command the program and its arguments
     * @return the transport
     * @throws IOException if the program cannot be started (one line naming it)
     */
    public static ProcessTransport start(List<String> command) throws IOException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("expected a command, found none");
        }
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return new ProcessTransport(command, p);
        } catch (IOException e) {
            throw new IOException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private void pump() {
        byte[] buf = new byte[4096];
        try (InputStream out = process.getInputStream()) {
            int n;
            while ((n = out.read(buf)) > 0) {
                received.add(Arrays.copyOf(buf, n));
            }
        } catch (IOException e) {
            // the program's output closed: reported as the end of the line below
        }
        received.add(EOF);
    }

    @Override
    public String address() {
        return "exec:" + String.join(" ", command);
    }

    @Override
    public void write(byte[] data) throws IOException {
        ensureOpen();
        try {
            in.write(data);
            in.flush();
        } catch (IOException e) {
            closed = true;
            throw new TransportClosedException(address() + " ended (" + e.getMessage() + ")");
        }
    }

    @Override
    public int read(byte[] buffer, Duration timeout) throws IOException {
        ensureOpen();
        if (pendingOff >= pending.length) {
            byte[] next;
            try {
                next = received.poll(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading " + address(), e);
            }
            if (next == null) {
                return 0;
            }
            if (next == EOF) {
                closed = true;
                received.add(EOF);
                throw new TransportClosedException(address() + " ended");
            }
            pending = next;
            pendingOff = 0;
        }
        int n = Math.min(buffer.length, pending.length - pendingOff);
        System.arraycopy(pending, pendingOff, buffer, 0, n);
        pendingOff += n;
        return n;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Ends the program: closes its input, then terminates it and its children (bounded waits). */
    @Override
    public void close() {
        closed = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // the program may already be gone
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** @return the program's process, for callers that must watch or end it */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    private void ensureOpen() throws TransportClosedException {
        if (closed) {
            throw new TransportClosedException(address() + " ended");
        }
    }

    @Override
    public String toString() {
        return address();
    }
}
