package io.tinyml.cli;

import com.sun.jna.Function;
import com.sun.jna.Platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the command line needs to know about its process: whether stderr is a terminal; its environment. */
final class Terminal {
    private static final Logger log = LoggerFactory.getLogger(Terminal.class);
    private Terminal() {
    }

    /**
     * Whether standard error is a terminal. On Linux, from where {@code /proc/self/fd/2} points
     * ({@code /dev/pts/N}, {@code /dev/ttyN}); elsewhere, whether the JVM has a console.
     */
    static boolean isStderrTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd)) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return System.console() != null;
            }
        }
        return System.console() != null;
    }

    /**
     * Sets a variable in the process environment (through the C library's {@code setenv}), unless the
     * user set it, so that native libraries loaded later (TensorFlow) see it. Does nothing on Windows or
     * when the C library cannot be reached.
     */
    static void setEnvIfAbsent(String name, String value) {
        if (Platform.isWindows() || System.getenv(name) != null) {
            return;
        }
        try {
            Function.getFunction(Platform.C_LIBRARY_NAME, "setenv").invokeInt(new Object[] {name, value, 0});
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // no C library to call: TensorFlow keeps its default verbosity, which is only cosmetic
            log.debug("could not set {} in the process environment", name, e);
        }
    }
}
