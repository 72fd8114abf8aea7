package io.tinyml.devices.harness;

import io.tinyml.core.ProgressListener;
import io.tinyml.devices.transport.Transport;
import io.tinyml.devices.transport.TransportClosedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Talks the MLPerf Tiny test-harness protocol to any compliant firmware over a {@link Transport}:
 * identify, load an input in {@code db} chunks, infer with warm-up, read results and the board's own
 * timestamps. Every wait is bounded by {@link HarnessOptions}; a timed-out command is sent again after
 * the line is resynchronised, a chunk the board rejects with {@code e-[...]} is sent again, and a load
 * that got out of step (or whose read-back differs) is started over.
 *
 * <pre>
 * try (Transport t = Transports.open("tcp:127.0.0.1:4000", 115200, Duration.ofSeconds(5));
 *      DeviceClient c = DeviceClient.connect(t, HarnessOptions.defaults())) {
 *     c.load(input);
 *     InferenceResult r = c.infer(10, 1);
 * }
 * </pre>
 *
 * <p>Not thread-safe: one client per transport, used by one thread. Closing the client closes the transport.
 */
public final class DeviceClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceClient.class);
    /** The reference firmware's command buffer (EE_CMD_SIZE). */
    public static final int MAX_COMMAND = 80;
    private static final Duration QUIET = Duration.ofMillis(200);

    private final Transport transport;
    private final HarnessOptions options;
    private final Consumer<String> lineListener;
    private final StringBuilder partial = new StringBuilder();
    private final byte[] buf = new byte[4096];
    private int resends;

    private DeviceClient(Transport transport, HarnessOptions options, Consumer<String> lineListener) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.options = Objects.requireNonNull(options, "options");
        this.lineListener = Objects.requireNonNull(lineListener, "lineListener");
    }

    /**
     * Wraps a transport without talking to the device yet (for {@link #readLine(Duration)} watchers).
     *
     * @param transport the open transport
     * @param options timeouts and retries
     * @param lineListener receives every line the device sends (for logging and {@code watch})
     * @return the client
     */
    public static DeviceClient wrap(Transport transport, HarnessOptions options, Consumer<String> lineListener) {
        return new DeviceClient(transport, options, lineListener);
    }

    /**
     * Wraps a transport and synchronises with the device: discards what it printed before (a boot
     * banner, a half-finished answer) and waits for a complete answer to {@code name%}.
     *
     * @param transport the open transport
     * @param options timeouts and retries
     * @return the client
     * @throws DeviceException if the device does not answer {@code name%} within the command timeout
     * @throws IOException if the transport fails
     */
    public static DeviceClient connect(Transport transport, HarnessOptions options) throws IOException {
        DeviceClient c = new DeviceClient(transport, options, line -> log.debug("{} < {}", transport, line));
        c.sync();
        return c;
    }

    /**
     * Synchronises with the device: drains pending output, sends {@code %} (ends a half-received
     * command) and {@code name%}, and reads until the {@code m-ready} that follows the {@code m-name} line.
     *
     * @throws DeviceException if no such answer arrives within the command timeout
     * @throws IOException if the transport fails
     */
    public void sync() throws IOException {
        drain();
        send("name");
        long deadline = System.nanoTime() + options.commandTimeout().toNanos();
        boolean named = false;
        while (true) {
            String line = readLine(remaining(deadline));
            if (line == null) {
                throw new DeviceTimeoutException(transport.address() + ": no answer to 'name%' within "
                        + options.commandTimeout().toMillis() + " ms (not an MLPerf Tiny harness, wrong baud rate,"
                        + " or the board is not running?)");
            }
            named |= line.startsWith("m-name-");
            if (named && line.equals("m-ready")) {
                return;
            }
        }
    }

    /**
     * Sends one command and returns the lines of its answer up to (not including) {@code m-ready}. No retry.
     *
     * @param command the command without the {@code %} terminator
     * @param timeout the longest wait for {@code m-ready}
     * @return the answer lines
     * @throws DeviceErrorException if the answer holds an {@code e-} line
     * @throws DeviceTimeoutException if {@code m-ready} does not arrive in time
     * @throws DeviceException if the device closes the line
     * @throws IOException if the transport fails otherwise
     * @throws IllegalArgumentException if the command holds {@code %} or exceeds 80 characters
     */
    public List<String> command(String command, Duration timeout) throws IOException {
        if (command.indexOf('%') >= 0 || command.length() > MAX_COMMAND) {
            throw new IllegalArgumentException("expected a command of at most " + MAX_COMMAND
                    + " characters without '%', found '" + shorten(command) + "'");
        }
        send(command);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        String error = null;
        while (true) {
            String line = readLine(remaining(deadline));
            if (line == null) {
                throw new DeviceTimeoutException(transport.address() + ": no answer to '" + shorten(command)
                        + "%' within " + timeout.toMillis() + " ms" + (lines.isEmpty() ? ""
                        : " (" + lines.size() + " lines but no m-ready)"));
            }
            if (line.equals("m-ready")) {
                break;
            }
            if (line.startsWith("e-") && error == null) {
                error = line;
            }
            lines.add(line);
        }
        if (error != null) {
            throw new DeviceErrorException(transport.address() + " rejected '" + shorten(command) + "%': " + error,
                    error);
        }
        return lines;
    }

    /**
     * Reads the device's name, vendor and (if it answers {@code profile%}) firmware and model.
     *
     * @return the identity
     * @throws DeviceException if the device answers without an {@code m-name} line or not at all
     * @throws IOException if the transport fails
     */
    public DeviceIdentity identify() throws IOException {
        List<String> lines = withRetry("name", options.commandTimeout());
        String nameLine = lines.stream().filter(l -> l.startsWith("m-name-")).findFirst()
                .orElseThrow(() -> new DeviceException(transport.address() + ": expected m-name-NAME-[VENDOR] in the"
                        + " answer to 'name%', found " + lines));
        String rest = nameLine.substring("m-name-".length());
        int br = rest.indexOf("-[");
        String name = br < 0 ? rest : rest.substring(0, br);
        String vendor = br < 0 ? "" : rest.substring(br + 2, rest.endsWith("]") ? rest.length() - 1 : rest.length());
        String profile = "";
        String model = "";
        try {
            for (String l : withRetry("profile", options.commandTimeout())) {
                if (l.startsWith("m-profile-[")) {
                    profile = bracket(l);
                } else if (l.startsWith("m-model-[")) {
                    model = bracket(l);
                }
            }
        } catch (DeviceErrorException e) {
            log.debug("{} has no profile command: {}", transport, e.errorLine());
        }
        return new DeviceIdentity(name, vendor, profile, model);
    }

    /**
     * Asks for the board's timestamp ({@code timestamp%}, performance mode).
     *
     * @return the board's microseconds
     * @throws DeviceException if the answer has no {@code m-lap-us} line (an energy-mode firmware)
     * @throws IOException if the transport fails
     */
    public long timestampMicros() throws IOException {
        List<String> laps = laps(withRetry("timestamp", options.commandTimeout()));
        if (laps.isEmpty()) {
            throw new DeviceException(transport.address() + ": no m-lap-us line in the answer to 'timestamp%'"
                    + " (a firmware in energy mode?)");
        }
        return lap(laps.get(0));
    }

    /**
     * Loads an input into the device's buffer: {@code db load N}, then {@code db HEX} chunks, then
     * (if enabled) a {@code db print} read-back. A chunk the device rejects is sent again; a load out of
     * step or with a differing read-back starts over, at most {@code retries} times.
     *
     * @param data the input bytes
     * @param progress receives ("load", bytes sent, total) after each chunk
     * @throws DeviceException if the device refuses the size or the load fails after all retries
     * @throws IOException if the transport fails
     * @throws IllegalArgumentException if data is empty
     */
    public void load(byte[] data, ProgressListener progress) throws IOException {
        if (data.length == 0) {
            throw new IllegalArgumentException("expected at least one input byte, found none");
        }
        DeviceException last = null;
        for (int attempt = 0; attempt <= options.retries(); attempt++) {
            if (attempt > 0) {
                resends++;
                log.info("{}: loading the input again ({}): {}", transport, attempt, last.getMessage());
                resync();
            }
            try {
                loadOnce(data, progress);
                return;
            } catch (DeviceErrorException | DeviceTimeoutException | OutOfStep e) {
                last = e;
            }
        }
        throw new DeviceException(transport.address() + ": could not load " + data.length + " input bytes in "
                + (options.retries() + 1) + " attempts; last: " + last.getMessage(), last);
    }

    /**
     * Loads an input without progress reports.
     *
     * @param data the input bytes
     * @throws IOException as {@link #load(byte[], ProgressListener)}
     */
    public void load(byte[] data) throws IOException {
        load(data, ProgressListener.NONE);
    }

    private void loadOnce(byte[] data, ProgressListener progress) throws IOException {
        int n = data.length;
        List<String> lines;
        try {
            lines = command("db load " + n, options.commandTimeout());
        } catch (DeviceErrorException e) {
            throw new DeviceException(transport.address() + " cannot take " + n + " input bytes: " + e.errorLine());
        }
        if (!lines.contains("m-[Expecting " + n + " bytes]")) {
            throw new DeviceException(transport.address() + " cannot take " + n + " input bytes: "
                    + (lines.isEmpty() ? "no m-[Expecting " + n + " bytes]" : String.join(" ", lines)));
        }
        HexFormat hex = HexFormat.of();
        int chunk = options.chunkBytes();
        for (int off = 0; off < n; off += chunk) {
            int end = Math.min(n, off + chunk);
            String cmd = "db " + hex.formatHex(data, off, end);
            List<String> answer = null;
            for (int tries = 0; answer == null; tries++) {
                try {
                    answer = command(cmd, options.commandTimeout());
                } catch (DeviceErrorException e) {
                    if (tries >= options.retries()) {
                        throw e;
                    }
                    resends++;
                    log.info("{}: re-sending the chunk at byte {}: {}", transport, off, e.errorLine());
                }
            }
            boolean done = answer.contains("m-load-done");
            if (done != (end == n)) {
                throw new OutOfStep(transport.address() + ": load out of step at byte " + end + " of " + n
                        + (done ? " (m-load-done too early)" : " (no m-load-done after the last chunk)"));
            }
            progress.progress("load", end, n);
        }
        if (options.verifyLoad()) {
            byte[] back = readBuffer();
            if (!Arrays.equals(back, data)) {
                throw new OutOfStep(transport.address() + ": 'db print' read back differs from the input sent"
                        + " (a garbled byte on the line)");
            }
        }
    }

    /**
     * Reads the device's input buffer back ({@code db print}).
     *
     * @return the bytes it printed
     * @throws DeviceException if a {@code m-buffer-} line is malformed
     * @throws IOException if the transport fails
     */
    public byte[] readBuffer() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String l : withRetry("db print", options.commandTimeout())) {
            if (!l.startsWith("m-buffer-")) {
                continue;
            }
            for (String h : l.substring("m-buffer-".length()).split("-")) {
                if (h.length() != 2 || Character.digit(h.charAt(0), 16) < 0 || Character.digit(h.charAt(1), 16) < 0) {
                    throw new OutOfStep(transport.address() + ": malformed 'db print' line: " + shorten(l));
                }
                out.write(HexFormat.fromHexDigits(h));
            }
        }
        return out.toByteArray();
    }

    /**
     * Runs {@code infer N W%}: W warm-up inferences, then N timed between two board timestamps.
     *
     * @param runs N, at least 1
     * @param warmups W, at least 0
     * @return the board's timestamps and the results of the last inference
     * @throws DeviceException if the answer lacks the two {@code m-lap-us} lines or the results
     * @throws IOException if the transport fails
     * @throws IllegalArgumentException if runs &lt; 1 or warmups &lt; 0
     */
    public InferenceResult infer(int runs, int warmups) throws IOException {
        if (runs < 1 || warmups < 0) {
            throw new IllegalArgumentException("expected runs >= 1 and warmups >= 0, found " + runs + " and "
                    + warmups);
        }
        List<String> lines = withRetry("infer " + runs + " " + warmups, options.inferTimeout());
        List<String> laps = laps(lines);
        if (laps.size() < 2) {
            throw new DeviceException(transport.address() + ": expected two m-lap-us lines around the timed"
                    + " inferences, found " + laps.size() + " (a firmware in energy mode?)");
        }
        float[] results = parseResults(lines, "infer");
        return new InferenceResult(runs, warmups, lap(laps.get(laps.size() - 2)), lap(laps.get(laps.size() - 1)),
                results);
    }

    /**
     * Asks again for the last inference's results ({@code results%}).
     *
     * @return the result vector
     * @throws DeviceException if the answer has no {@code m-results-[...]} line
     * @throws IOException if the transport fails
     */
    public float[] results() throws IOException {
        return parseResults(withRetry("results", options.commandTimeout()), "results");
    }

    /**
     * Reads the next line the device sends (for watching a board), without its line ending.
     *
     * @param timeout the longest wait
     * @return the line, or null if none completed in time
     * @throws DeviceException if the device closed the line
     * @throws IOException if the transport fails otherwise
     */
    public String readLine(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int nl = partial.indexOf("\n");
            if (nl >= 0) {
                String line = partial.substring(0, nl).strip();
                partial.delete(0, nl + 1);
                if (line.isEmpty()) {
                    continue;
                }
                lineListener.accept(line);
                return line;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            int n;
            try {
                n = transport.read(buf, Duration.ofNanos(left));
            } catch (TransportClosedException e) {
                throw new DeviceException(transport.address() + " closed the line (board reset, unplugged or"
                        + " killed?)", e);
            }
            for (int i = 0; i < n; i++) {
                partial.append((char) (buf[i] & 0xff));
            }
        }
    }

    /** @return how many commands, chunks and loads were sent again since this client was created */
    public int resends() {
        return resends;
    }

    /** @return the transport */
    public Transport transport() {
        return transport;
    }

    /** Closes the transport; idempotent. */
    @Override
    public void close() {
        transport.close();
    }

    private List<String> withRetry(String command, Duration timeout) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return command(command, timeout);
            } catch (DeviceTimeoutException e) {
                if (attempt >= options.retries()) {
                    throw e;
                }
                resends++;
                log.info("{}: {}; trying again", transport, e.getMessage());
                resync();
            }
        }
    }

    /** Ends a half-received command with a bare terminator and discards whatever the device still prints. */
    private void resync() throws IOException {
        try {
            transport.write(new byte[] {'%'});
        } catch (TransportClosedException e) {
            throw new DeviceException(transport.address() + " closed the line (board reset, unplugged or killed?)",
                    e);
        }
        drain();
    }

    private void drain() throws IOException {
        long deadline = System.nanoTime() + options.commandTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            if (readLine(QUIET) == null) {
                break;
            }
        }
        partial.setLength(0);
    }

    private void send(String command) throws IOException {
        try {
            transport.write((command + "%").getBytes(StandardCharsets.US_ASCII));
        } catch (TransportClosedException e) {
            throw new DeviceException(transport.address() + " closed the line before '" + shorten(command)
                    + "%' (board reset, unplugged or killed?)", e);
        }
    }

    private float[] parseResults(List<String> lines, String command) throws DeviceException {
        String l = lines.stream().filter(x -> x.startsWith("m-results-[")).reduce((a, b) -> b)
                .orElseThrow(() -> new DeviceException(transport.address() + ": no m-results-[...] line in the"
                        + " answer to '" + command + "%'"));
        String body = bracket(l).strip();
        if (body.isEmpty()) {
            return new float[0];
        }
        String[] parts = body.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Float.parseFloat(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new DeviceException(transport.address() + ": malformed result '" + parts[i].strip() + "' in "
                        + shorten(l));
            }
        }
        return out;
    }

    private static List<String> laps(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("m-lap-us-")).toList();
    }

    private long lap(String line) throws DeviceException {
        try {
            return Long.parseLong(line.substring("m-lap-us-".length()).strip());
        } catch (NumberFormatException e) {
            throw new DeviceException(transport.address() + ": malformed timestamp line " + shorten(line));
        }
    }

    private static String bracket(String line) {
        int a = line.indexOf('[');
        int b = line.lastIndexOf(']');
        return a < 0 || b < a ? line.substring(Math.max(0, a + 1)) : line.substring(a + 1, b);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** A load whose acknowledgements or read-back do not match what was sent; it is started over. */
    private static final class OutOfStep extends DeviceException {
        private static final long serialVersionUID = 1L;

        OutOfStep(String message) {
            super(message);
        }
    }
}
