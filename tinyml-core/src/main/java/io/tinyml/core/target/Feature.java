package io.tinyml.core.target;

/**
 * An optional core feature that changes which kernels run and how fast. Thread-safe (an enum).
 */
public enum Feature {
    /** Hardware floating point (single precision at least). */
    FPU,
    /** Packed 8/16-bit SIMD multiply-accumulate (Armv7E-M DSP extension, RISC-V P, Xtensa LX7 SIMD). */
    DSP_SIMD,
    /** Arm Helium (M-profile Vector Extension). */
    MVE
}
