package io.tinyml.core.runtime.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The machine's vector shape; loaded only once {@code jdk.incubator.vector} is known to be resolved. */
final class VectorShape {
    /**
     * The float vector species of every float vector kernel: 256 bits, or 512 when the system property
     * {@code tinyml.vector.bits} is {@code 512} and the machine's preferred float vector has 512 bits
     * (decided once per JVM). Kernels must not use any other float shape: with two float shapes in one JVM,
     * Java 17's JIT was measured to stop intrinsifying the Vector API (vectors boxed on the heap: ResNet-8
     * float went from 218 to 3,214 µs per inference once any other code had run 256-bit float vectors beside
     * its 512-bit kernels). 256 bits is the default because the int8 kernels ({@link Int8VectorGemm},
     * {@link Int8VectorDepthwise}, {@link PaddedInput}) use 256-bit float vectors: 512 suits only a JVM
     * that runs float models alone.
     */
    static final VectorSpecies<Float> FLOAT = "512".equals(System.getProperty("tinyml.vector.bits"))
            && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;

    private VectorShape() {
    }

    /** Bits of the preferred float vector species on this machine. */
    static int preferredFloatBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
