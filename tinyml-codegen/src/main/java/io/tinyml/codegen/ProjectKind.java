package io.tinyml.codegen;

import java.util.Locale;

/** The project layout around the generated sources. */
public enum ProjectKind {
    /** A Makefile with host, QEMU Cortex-M4/M7, size, instruction-count and board targets. */
    MAKE;

    /**
     * Parses a project name as written on the command line.
     *
     * @param name the name, case-insensitive
     * @return the kind
     * @throws IllegalArgumentException if the name is unknown or not implemented yet
     */
    public static ProjectKind parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("make")) {
            return MAKE;
        }
        throw new IllegalArgumentException("expected project 'make', found '" + name
                + "' (arduino, espidf, platformio and tflm projects are not implemented yet)");
    }
}
