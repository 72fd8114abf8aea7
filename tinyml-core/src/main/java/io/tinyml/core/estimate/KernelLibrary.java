package io.tinyml.core.estimate;

/**
 * The kernel library the firmware would be built with. Thread-safe (an enum).
 */
public enum KernelLibrary {
    /** TFLM's portable reference kernels, TFLM default release build (-O2). Calibrated. */
    REFERENCE(false),
    /** CMSIS-NN-class SIMD kernels (TFLM {@code OPTIMIZED_KERNEL_DIR=cmsis_nn}, -O2). Calibrated on Armv7E-M. */
    OPTIMIZED(false),
    /**
     * This SDK's own generated C (tinyml-codegen, -O3), calibrated on its firmware's
     * {@code arm-none-eabi-size} and QEMU instruction counts (see {@code CostModel}).
     */
    GENERATED(false);

    private final boolean provisional;

    KernelLibrary(boolean provisional) {
        this.provisional = provisional;
    }

    /** @return true when the library's coefficients are not calibrated yet */
    public boolean provisional() {
        return provisional;
    }

    /** @return the lower-case name used on the command line */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses a command-line name.
     *
     * @param s "reference", "optimized" or "generated" (any case)
     * @return the library
     * @throws IllegalArgumentException if unknown
     */
    public static KernelLibrary parse(String s) {
        for (KernelLibrary k : values()) {
            if (k.name().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("expected a kernel library, one of [reference, optimized, generated], found '"
                + s + "'");
    }
}
