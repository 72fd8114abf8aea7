package io.tinyml.devices.emulator;

import io.tinyml.devices.install.InstallOptions;
import io.tinyml.devices.install.Installer;
import io.tinyml.devices.install.Tools;
import io.tinyml.devices.transport.SerialTransport;
import io.tinyml.devices.transport.TcpTransport;
import io.tinyml.devices.transport.Transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU Cortex-M board running a firmware, its first UART on {@code tcp:127.0.0.1:PORT}
 * ({@code qemu-system-arm -M mps2-an386 -nographic -serial tcp:127.0.0.1:PORT,server=on,wait=on -kernel fw.elf},
 * as {@code make -f harness.mk run-harness-m4} runs it). QEMU holds the firmware until the first
 * client connects, so the boot banner is never lost.
 *
 * <pre>
 * try (EmulatedBoard b = EmulatedBoard.start(Path.of("build/harness-m4/firmware.elf"), "mps2-an386",
 *         Duration.ofSeconds(10));
 *      DeviceClient c = DeviceClient.connect(b.connect(), HarnessOptions.defaults())) { ... }
 * </pre>
 *
 * <p>Closing stops QEMU (bounded wait, then killed); idempotent. Not thread-safe except {@link #close()}.
 */
public final class EmulatedBoard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmulatedBoard.class);
    private static final java.util.regex.Pattern PTY = java.util.regex.Pattern.compile("redirected to (\\S+)");
    private final Process process;
    private final int port;
    private String ptyPath;
    private final Path logFile;
    private final List<String> command;

    private EmulatedBoard(Process process, int port, Path logFile, List<String> command) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.command = command;
    }

    /**
     * The QEMU command line that runs a firmware with its UART on a TCP port.
     *
     * @param qemu the qemu-system-arm executable
     * @param machine the QEMU machine ({@code mps2-an386} Cortex-M4, {@code mps2-an500} Cortex-M7)
     * @param elf the firmware
     * @param port the TCP port
     * @return the command
     */
    public static List<String> command(String qemu, String machine, Path elf, int port) {
        return Installer.QEMU.command(qemu, elf, InstallOptions.defaults().withChip(machine).withTcpPort(port));
    }

    /**
     * Starts QEMU on a free local port and waits until it listens.
     *
     * @param elf the firmware (built for the machine)
     * @param machine the QEMU machine ({@code mps2-an386}, {@code mps2-an500})
     * @param timeout the longest wait for QEMU to listen
     * @return the running board
     * @throws IOException if qemu-system-arm is missing, the firmware is missing, or QEMU exits or does
     *     not listen in time (one-line message with QEMU's own first line)
     * @throws InterruptedException if interrupted while waiting
     */
    public static EmulatedBoard start(Path elf, String machine, Duration timeout)
            throws IOException, InterruptedException {
        return start(elf, machine, timeout, false);
    }

    /**
     * Starts QEMU with the board's UART on a pseudo-terminal ({@code -serial pty}), reached like a USB
     * serial adapter through jSerialComm; QEMU does not wait for a client, so the boot banner may be gone.
     *
     * @param elf the firmware
     * @param machine the QEMU machine
     * @param timeout the longest wait for QEMU to report its pty
     * @return the running board; {@link #address()} is the pty path
     * @throws IOException as {@link #start(Path, String, Duration)}
     * @throws InterruptedException if interrupted while waiting
     */
    public static EmulatedBoard startOnPty(Path elf, String machine, Duration timeout)
            throws IOException, InterruptedException {
        return start(elf, machine, timeout, true);
    }

    private static EmulatedBoard start(Path elf, String machine, Duration timeout, boolean pty)
            throws IOException, InterruptedException {
        Path qemu = Tools.find("qemu-system-arm").orElseThrow(() -> new IOException(
                "qemu-system-arm not found on PATH (Debian package qemu-system-arm)"));
        if (!Files.isRegularFile(elf)) {
            throw new IOException("no firmware " + elf);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(command(qemu.toString(), machine, elf, port));
        if (pty) {
            cmd.set(cmd.indexOf("-serial") + 1, "pty");
        }
        return launch(cmd, port, pty, timeout);
    }

    /**
     * Starts a QEMU command line whose first UART is {@code tcp:127.0.0.1:PORT,server=on,...} and waits
     * until it listens; the caller decides whether to close it (an installed board outlives the CLI).
     *
     * @param cmd the command (from {@link #command(String, String, Path, int)} or an installer)
     * @param port its TCP port
     * @param timeout the longest wait for QEMU to listen
     * @return the running board
     * @throws IOException if QEMU exits or does not listen in time (one line with QEMU's first line)
     * @throws InterruptedException if interrupted while waiting
     */
    public static EmulatedBoard launch(List<String> cmd, int port, Duration timeout)
            throws IOException, InterruptedException {
        return launch(cmd, port, false, timeout);
    }

    private static EmulatedBoard launch(List<String> cmd, int port, boolean pty, Duration timeout)
            throws IOException, InterruptedException {
        Path logFile = Files.createTempFile("tinyml-qemu-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        EmulatedBoard b = new EmulatedBoard(p, port, logFile, List.copyOf(cmd));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String out = Files.readString(logFile, StandardCharsets.UTF_8);
            if (!pty && out.contains("waiting for connection")) {
                log.debug("QEMU listening on {}", port);
                return b;
            }
            java.util.regex.Matcher m = PTY.matcher(out);
            if (pty && m.find()) {
                b.ptyPath = m.group(1);
                return b;
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                b.close();
                String first = out.strip().lines().findFirst().orElse("no output");
                throw new IOException("QEMU did not start" + (p.isAlive() ? " within " + timeout.toMillis() + " ms"
                        : " (exit " + p.exitValue() + ")") + ": " + first);
            }
            Thread.sleep(20);
        }
    }

    /** @return QEMU's process id */
    public long pid() {
        return process.pid();
    }

    /**
     * Connects to the board's UART (the first connection releases the waiting firmware).
     *
     * @return the transport
     * @throws IOException if the connection fails
     */
    public Transport connect() throws IOException {
        return ptyPath != null ? SerialTransport.open(ptyPath, 115200, SerialTransport.Parity.NONE)
                : TcpTransport.connect("127.0.0.1", port, Duration.ofSeconds(5));
    }

    /** @return the board's UART address: {@code tcp:127.0.0.1:PORT}, or the pty path */
    public String address() {
        return ptyPath != null ? ptyPath : "tcp:127.0.0.1:" + port;
    }

    /** @return the QEMU command line */
    public List<String> command() {
        return command;
    }

    /** @return true while QEMU runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills QEMU at once, as a board losing power would stop, and waits up to 5 s for it to be gone. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops QEMU: terminate, wait up to 5 s, then kill; deletes its log. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(logFile);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", logFile, e.getMessage());
        }
    }
}
