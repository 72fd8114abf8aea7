package io.tinyml.devices.harness;

import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device under test that we did not write into our firmware: a TCP peer that answers the MLPerf Tiny
 * harness commands as the public protocol description says (mlcommons/tiny benchmark/api: '%'-terminated
 * commands of at most 80 characters, m-/e- lines, m-ready after every answer), computing its results with
 * our interpreter. Line faults can be switched on: a dropped, an invalid or a flipped hex digit in one
 * {@code db} chunk, a command it never answers, and a peer that dies after some chunks.
 */
final class HarnessPeer implements AutoCloseable {
    private static final int CMD_SIZE = 80;
    private final ServerSocket server;
    private final Interpreter interpreter;
    private final Tensor out;
    private final byte[] buffer;
    private final Thread thread;
    private volatile Socket socket;
    private int size;
    private int pos;
    private byte[] lastOutput;
    private long fakeMicros = 1000;
    /** The chunk (counted from 0 over the peer's lifetime) whose first digit is dropped, -1 for none. */
    volatile int dropDigitInChunk = -1;
    /** The chunk whose first digit becomes 'z' (invalid hex), -1 for none. */
    volatile int invalidDigitInChunk = -1;
    /** The chunk whose first digit is changed to another valid hex digit, -1 for none. */
    volatile int flipDigitInChunk = -1;
    /** Closes the connection on receiving this chunk, -1 for never. */
    volatile int dieAtChunk = -1;
    /** A command word the peer never answers, null for none. */
    volatile String silentOn;
    final AtomicInteger chunks = new AtomicInteger();
    final AtomicInteger commands = new AtomicInteger();

    HarnessPeer(Model model) throws Exception {
        interpreter = Interpreter.create(model);
        out = model.graph().outputTensor(0);
        buffer = new byte[model.graph().inputTensor(0).byteSize()];
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "harness-peer");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve() {
        try (Socket s = server.accept()) {
            socket = s;
            InputStream in = s.getInputStream();
            OutputStream o = s.getOutputStream();
            print(o, "m-timestamp-mode-performance");
            print(o, "m-init-done");
            print(o, "m-ready");
            StringBuilder cmd = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '%') {
                    commands.incrementAndGet();
                    if (!handle(cmd.toString(), o)) {
                        return;
                    }
                    cmd.setLength(0);
                } else if (cmd.length() < CMD_SIZE) {
                    cmd.append((char) c);
                } else {
                    cmd.setCharAt(CMD_SIZE - 1, (char) c);
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }

    /** Answers one command; false to hang up. */
    private boolean handle(String line, OutputStream o) throws IOException {
        String[] tok = line.trim().split(" +");
        String word = tok[0];
        if (word.equals(silentOn)) {
            return true;
        }
        switch (word) {
            case "name" -> print(o, "m-name-dut-[peer]");
            case "profile" -> {
                print(o, "m-profile-[protocol peer]");
                print(o, "m-model-[test]");
            }
            case "timestamp" -> print(o, "m-lap-us-" + (fakeMicros += 17));
            case "db" -> {
                if (!db(tok, o)) {
                    return false;
                }
            }
            case "infer" -> infer(tok, o);
            case "results" -> results(o);
            default -> print(o, "e-[Unknown command: " + word + "]");
        }
        print(o, "m-ready");
        return true;
    }

    private boolean db(String[] tok, OutputStream o) throws IOException {
        if (tok.length < 2) {
            print(o, "e-[Command 'db' requires a subcommand]");
        } else if (tok[1].equals("load")) {
            int n = tok.length > 2 ? Integer.parseInt(tok[2]) : 0;
            if (n <= 0) {
                print(o, "e-[Command 'db load' must be >0 bytes]");
            } else if (n > buffer.length) {
                print(o, "Supplied buffer size " + n + " exceeds maximum of " + buffer.length);
            } else {
                size = n;
                pos = 0;
                print(o, "m-[Expecting " + n + " bytes]");
            }
        } else if (tok[1].equals("print")) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < size; i++) {
                sb.append(i % 8 == 0 ? "m-buffer-" : "-").append(String.format("%02x", buffer[i] & 0xff));
                if (i % 8 == 7 || i == size - 1) {
                    print(o, sb.toString());
                    sb.setLength(0);
                }
            }
        } else {
            int k = chunks.getAndIncrement();
            if (k == dieAtChunk) {
                socket.close();
                return false;
            }
            String hex = fault(tok[1], k);
            if ((hex.length() & 1) != 0) {
                print(o, "e-[Insufficent number of hex digits]");
                return true;
            }
            for (int i = 0; i < hex.length(); i += 2) {
                int hi = Character.digit(hex.charAt(i), 16);
                int lo = Character.digit(hex.charAt(i + 1), 16);
                if (hi < 0 || lo < 0) {
                    print(o, "e-[Invalid hex digit '" + hex.substring(i, i + 2) + "']");
                    return true;
                }
                buffer[pos++] = (byte) (hi * 16 + lo);
                if (pos == size) {
                    print(o, "m-load-done");
                    return true;
                }
            }
        }
        return true;
    }

    private String fault(String hex, int k) {
        if (k == dropDigitInChunk) {
            return hex.substring(1);
        }
        if (k == invalidDigitInChunk) {
            return "z" + hex.substring(1);
        }
        if (k == flipDigitInChunk) {
            return (hex.charAt(0) == '0' ? '1' : '0') + hex.substring(1);
        }
        return hex;
    }

    private void infer(String[] tok, OutputStream o) throws IOException {
        int n = tok.length > 1 ? Integer.parseInt(tok[1]) : 1;
        int w = tok.length > 2 ? Integer.parseInt(tok[2]) : 10;
        if (n <= 0) {
            print(o, "e-[Inference iterations must be >0]");
            return;
        }
        print(o, "m-warmup-start-" + w);
        for (int i = 0; i < w; i++) {
            lastOutput = interpreter.invoke(buffer.clone())[0];
        }
        print(o, "m-warmup-done");
        print(o, "m-infer-start-" + n);
        print(o, "m-lap-us-" + fakeMicros);
        for (int i = 0; i < n; i++) {
            lastOutput = interpreter.invoke(buffer.clone())[0];
        }
        // a peer without a clock of its own: 250 us per inference, so the client's arithmetic is checkable
        fakeMicros += 250L * n;
        print(o, "m-lap-us-" + fakeMicros);
        print(o, "m-infer-done");
        results(o);
    }

    private void results(OutputStream o) throws IOException {
        StringBuilder sb = new StringBuilder("m-results-[");
        QuantParams q = out.requireQuant();
        for (int i = 0; lastOutput != null && i < lastOutput.length; i++) {
            sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f",
                    (lastOutput[i] - q.zeroPoint()) * q.scale()));
        }
        print(o, sb.append(']').toString());
    }

    private static void print(OutputStream o, String line) throws IOException {
        o.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        o.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
