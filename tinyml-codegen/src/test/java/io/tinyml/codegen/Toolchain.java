package io.tinyml.codegen;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds external tools for the tests; in CI (env CI=true) a missing tool fails the test. Shared with other
 * modules' tests through this module's test-jar.
 */
public final class Toolchain {
    private Toolchain() {
    }

    /**
     * Requires a tool on the PATH: skips the test when it is missing, fails it in CI.
     *
     * @param tool the program name
     */
    public static void require(String tool) {
        if (!has(tool)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("required tool missing in CI: " + tool);
            }
            Assumptions.abort("tool not installed: " + tool);
        }
    }

    /**
     * Returns whether a tool is on the PATH.
     *
     * @param tool the program name
     * @return true if found
     */
    public static boolean has(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs a command in a directory, failing the test on a non-zero exit or after 10 minutes.
     *
     * @param dir the working directory
     * @param cmd the command and its arguments
     * @return its standard output and error
     * @throws IOException if it cannot start
     * @throws InterruptedException if interrupted
     */
    public static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Assertions.fail("timed out: " + cmd);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        Assertions.assertEquals(0, p.exitValue(), () -> "command failed: " + cmd + "\n" + text);
        return text;
    }
}
