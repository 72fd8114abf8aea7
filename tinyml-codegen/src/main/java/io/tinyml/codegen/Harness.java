package io.tinyml.codegen;

import java.util.Locale;

/** A test harness generated into the firmware project besides the model. */
public enum Harness {
    /** No harness: the project's own demo mains only. */
    NONE,
    /**
     * Firmware speaking the MLPerf Tiny (EEMBC) test-harness protocol over the board's UART: the files
     * {@code harness/*} and {@code harness.mk} ({@code make -f harness.mk harness-m4}); needs a make project.
     */
    MLPERF_TINY;

    /**
     * Parses a harness name as written on the command line.
     *
     * @param name {@code none} or {@code mlperf-tiny} (any case)
     * @return the harness
     * @throws IllegalArgumentException if the name is unknown
     */
    public static Harness parse(String name) {
        for (Harness h : values()) {
            if (h.cliName().equalsIgnoreCase(name)) {
                return h;
            }
        }
        throw new IllegalArgumentException("expected harness none or mlperf-tiny, found '" + name + "'");
    }

    /** @return the name as written on the command line */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
