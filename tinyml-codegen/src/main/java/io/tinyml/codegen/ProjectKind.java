package io.tinyml.codegen;

import java.util.Locale;

/** The project layout around the generated sources. */
public enum ProjectKind {
    /** A Makefile with host, QEMU Cortex-M4/M7, size, instruction-count, profiling and board targets. */
    MAKE,
    /** An Arduino library folder (sources in src/, an example sketch). */
    ARDUINO,
    /** An ESP-IDF component (CMakeLists.txt registering the sources). */
    ESPIDF,
    /** A PlatformIO project (the model as a library, a demo main, a native environment). */
    PLATFORMIO,
    /** For users who keep TFLM: the model as an aligned C array plus a TFLM harness. */
    TFLM;

    /**
     * Parses a project name as written on the command line.
     *
     * @param name make, arduino, espidf, platformio or tflm (any case)
     * @return the kind
     * @throws IllegalArgumentException if the name is unknown
     */
    public static ProjectKind parse(String name) {
        for (ProjectKind k : values()) {
            if (k.name().equalsIgnoreCase(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("expected project make, arduino, espidf, platformio or tflm, found '"
                + name + "'");
    }

    /** @return the name as written on the command line */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
