package io.tinyml.devices.install;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.target.Target;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Plans and runs an installation: finds the tool on the PATH (a missing tool is one line naming its
 * package), checks that the firmware fits the board, and either prints the exact command (dry run) or
 * runs it with a bounded wait. Thread-safe (stateless).
 *
 * <pre>
 * List&lt;String&gt; cmd = Installation.plan(Installer.OPENOCD, Path.of("fw.elf"), InstallOptions.defaults(),
 *         TargetCatalog.get("stm32"));
 * </pre>
 */
public final class Installation {
    private static final Logger log = LoggerFactory.getLogger(Installation.class);

    private Installation() {
    }

    /**
     * Returns the exact command an installation would run, after checking tool, firmware and size.
     *
     * @param installer the installer
     * @param firmware the firmware
     * @param options where and how
     * @param target the board, for the size check (null to skip it, e.g. for a sketch directory)
     * @return the command
     * @throws IOException if the tool is not on the PATH ("openocd not found on PATH: install Debian package
     *     openocd"), the firmware is missing, or it does not fit the board
     * @throws IllegalArgumentException if a needed option is missing
     */
    public static List<String> plan(Installer installer, Path firmware, InstallOptions options, Target target)
            throws IOException {
        return plan(installer, firmware, options, target, System.getenv().getOrDefault("PATH", ""));
    }

    /**
     * As {@link #plan(Installer, Path, InstallOptions, Target)}, looking for the tool on a given search path.
     *
     * @param installer the installer
     * @param firmware the firmware
     * @param options where and how
     * @param target the board for the size check, or null
     * @param searchPath directories to look for the tool in (PATH syntax)
     * @return the command
     * @throws IOException as the other overload
     */
    public static List<String> plan(Installer installer, Path firmware, InstallOptions options, Target target,
                                    String searchPath) throws IOException {
        Path tool = Tools.find(installer.tool(), searchPath).orElseThrow(() -> new IOException(installer.tool()
                + " not found on PATH: install " + installer.provider()));
        if (!Files.exists(firmware)) {
            throw new IOException("no firmware " + firmware);
        }
        if (target != null && Files.isRegularFile(firmware) && firmware.toString().endsWith(".elf")) {
            FirmwareSize.of(firmware).requireFits(target);
        }
        return installer.command(tool.toString(), firmware, options);
    }

    /**
     * Runs a planned command and waits for it (an emulated board is started instead: see
     * {@code EmulatedBoard}), reporting ("install", 0|1, 1) progress.
     *
     * @param command the command from {@link #plan}
     * @param timeout the longest wait
     * @param progress receives progress
     * @return the tool's output
     * @throws IOException if the tool fails or does not finish in time (one line with its output, or its last
     *     line when longer than three)
     * @throws InterruptedException if interrupted
     */
    public static String run(List<String> command, Duration timeout, ProgressListener progress)
            throws IOException, InterruptedException {
        progress.progress("install", 0, 1);
        Path logFile = Files.createTempFile("tinyml-install-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String out = Files.readString(logFile, StandardCharsets.UTF_8);
            if (!done || p.exitValue() != 0) {
                // a short output (scp: ssh's reason, then scp's own line) is kept whole, on one line
                List<String> lines = out.strip().lines().filter(l -> !l.isBlank()).toList();
                String last = lines.isEmpty() ? "no output" : lines.size() <= 3 ? String.join("; ", lines)
                        : lines.get(lines.size() - 1);
                throw new IOException(command.get(0) + (done ? " failed (exit " + p.exitValue() + ")"
                        : " did not finish within " + timeout.toSeconds() + " s") + ": " + last);
            }
            log.debug("installed with {}", command);
            progress.progress("install", 1, 1);
            return out;
        } finally {
            Files.deleteIfExists(logFile);
        }
    }
}
