package io.tinyml.core.target;

/**
 * A processor core, with the per-MHz throughput figure the estimator scales instruction counts by.
 *
 * <p>Our instruction-count calibration is for Armv7E-M code (TFLM on an emulated Cortex-M4, see
 * {@code ../shared/assets/reference/README.md}). For another core the estimator scales cycles by
 * {@code CORTEX_M4.coremarkPerMhz() / core.coremarkPerMhz()}: CoreMark/MHz is the one public figure
 * published for all these cores, and it mixes ISA density and pipeline throughput the way a
 * compiled C kernel does. Figures marked "provisional" have no published figure we could verify;
 * they assume the Cortex-M4's throughput and are flagged in every estimate. Thread-safe (an enum).
 */
public enum Core {
    /** Arm Cortex-M0+ (Armv6-M). 2.46 CoreMark/MHz: Arm's published figure (quoted in the SAM D21 datasheet). */
    CORTEX_M0PLUS("Cortex-M0+", "armv6-m", 2.46, false),
    /** Arm Cortex-M4 (Armv7E-M). 3.40 CoreMark/MHz: Arm's published figure. */
    CORTEX_M4("Cortex-M4", "armv7e-m", 3.40, false),
    /** Arm Cortex-M7 (Armv7E-M, dual issue). 5.01 CoreMark/MHz: Arm's published figure. */
    CORTEX_M7("Cortex-M7", "armv7e-m", 5.01, false),
    /** Arm Cortex-M33 (Armv8-M Mainline + DSP). Provisional: Cortex-M4 throughput assumed. */
    CORTEX_M33("Cortex-M33", "armv8-m.main", 3.40, true),
    /** Arm Cortex-M55 (Armv8.1-M + Helium). Provisional: Cortex-M4 throughput assumed for scalar code. */
    CORTEX_M55("Cortex-M55", "armv8.1-m.main", 3.40, true),
    /** RISC-V RV32IMC(A). Provisional: Cortex-M4 throughput assumed. */
    RV32IMC("RISC-V RV32IMC", "rv32imc", 3.40, true),
    /** RISC-V RV32 with the P (packed SIMD) extension. Provisional: Cortex-M4 throughput assumed. */
    RV32P("RISC-V RV32 + P", "rv32imcp", 3.40, true),
    /** Cadence Xtensa LX6 (ESP32). Provisional: Cortex-M4 throughput assumed. */
    XTENSA_LX6("Xtensa LX6", "xtensa-lx6", 3.40, true),
    /** Cadence Xtensa LX7 (ESP32-S3). Provisional: Cortex-M4 throughput assumed. */
    XTENSA_LX7("Xtensa LX7", "xtensa-lx7", 3.40, true),
    /** Arm Cortex-A53 (Armv8-A, in order). Provisional: Cortex-M4 throughput assumed (pessimistic). */
    CORTEX_A53("Cortex-A53", "armv8-a", 3.40, true),
    /** Arm Cortex-A72 (Armv8-A, out of order). Provisional: Cortex-M4 throughput assumed (pessimistic). */
    CORTEX_A72("Cortex-A72", "armv8-a", 3.40, true);

    private final String displayName;
    private final String isa;
    private final double coremarkPerMhz;
    private final boolean provisional;

    Core(String displayName, String isa, double coremarkPerMhz, boolean provisional) {
        this.displayName = displayName;
        this.isa = isa;
        this.coremarkPerMhz = coremarkPerMhz;
        this.provisional = provisional;
    }

    /** @return a human-readable name, e.g. "Cortex-M4" */
    public String displayName() {
        return displayName;
    }

    /** @return the instruction-set architecture, e.g. "armv7e-m" */
    public String isa() {
        return isa;
    }

    /** @return CoreMark per MHz used to scale cycles relative to the Cortex-M4 calibration */
    public double coremarkPerMhz() {
        return coremarkPerMhz;
    }

    /** @return true when {@link #coremarkPerMhz()} is an assumption, not a published figure */
    public boolean provisional() {
        return provisional;
    }

    /** @return true for the Armv7E-M cores on which our QEMU instruction counts apply unchanged */
    public boolean isArmv7em() {
        return "armv7e-m".equals(isa);
    }

    /**
     * Finds a core by its constant name or display name, ignoring case.
     *
     * @param name e.g. "CORTEX_M4" or "Cortex-M4"
     * @return the core
     * @throws IllegalArgumentException if no core has that name
     */
    public static Core parse(String name) {
        for (Core c : values()) {
            if (c.name().equalsIgnoreCase(name) || c.displayName.equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("expected a core, one of " + java.util.Arrays.toString(values())
                + ", found '" + name + "'");
    }
}
