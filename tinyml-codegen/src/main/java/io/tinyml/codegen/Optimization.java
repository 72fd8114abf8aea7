package io.tinyml.codegen;

import java.util.Locale;

/**
 * What the generated {@code make} project's firmware build optimises for: the compiler flags of its
 * Arm targets ({@code qemu-m4/m7}, {@code size-*}, {@code count-*}, {@code board}). The generated
 * Makefile records the choice as {@code OPTIMIZE ?= speed|size}; {@code make ... OPTIMIZE=size}
 * overrides it (after {@code make clean}) and {@code ARM_OPT=...} overrides both.
 */
public enum Optimization {
    /**
     * {@code -O3} (the default): fastest, and gcc specialises a kernel per call site
     * ({@code .constprop} clones), which costs flash.
     */
    SPEED,
    /**
     * {@code -Os}: smallest firmware, as TFLM's own microcontroller builds and vendor tools' "balanced / ram"
     * choices; one copy of each kernel, more instructions per inference.
     */
    SIZE;

    /**
     * Parses a name as written on the command line.
     *
     * @param name {@code speed} or {@code size} (any case)
     * @return the optimisation
     * @throws IllegalArgumentException if the name is unknown
     */
    public static Optimization parse(String name) {
        for (Optimization o : values()) {
            if (o.cliName().equalsIgnoreCase(name)) {
                return o;
            }
        }
        throw new IllegalArgumentException("expected optimize speed or size, found '" + name + "'");
    }

    /** @return the name as written on the command line and in the Makefile */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
