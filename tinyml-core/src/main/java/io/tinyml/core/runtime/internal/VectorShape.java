package io.tinyml.core.runtime.internal;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector shape of every vector kernel, float and int8 alike; loaded only once
 * {@code jdk.incubator.vector} is known to be resolved.
 *
 * <p>The shape is the machine's preferred one when it has 512 bits (AVX-512), else 256 bits, decided once
 * per JVM; the system property {@code tinyml.vector.bits=256} keeps 256 bits on an AVX-512 machine. All
 * kernels must use this one shape for their float vectors (and the matching int and byte species for their
 * conversions): with two float shapes in one JVM, Java 17's JIT was measured to stop intrinsifying the
 * Vector API in whichever kernels it compiled second (their vectors boxed on the heap: ResNet-8 float went
 * from 203 to 5,519 µs per inference after kws int8 had run 256-bit float vectors beside the 512-bit float
 * kernels), because the shared library methods then see two vector classes in their type profiles.
 */
final class VectorShape {
    /** The float species of every vector kernel: 512 or 256 bits. */
    static final VectorSpecies<Float> FLOAT = !"256".equals(System.getProperty("tinyml.vector.bits"))
            && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    /** The int species of {@link #FLOAT}'s shape (same lane count). */
    static final VectorSpecies<Integer> INT = IntVector.SPECIES_256.vectorBitSize() == FLOAT.vectorBitSize()
            ? IntVector.SPECIES_256 : IntVector.SPECIES_512;
    /** The byte species with {@link #FLOAT}'s lane count (a quarter of its bits), for int8 loads. */
    static final VectorSpecies<Byte> BYTES = FLOAT.length() == 8 ? ByteVector.SPECIES_64 : ByteVector.SPECIES_128;
    /** Float lanes per vector: 8 or 16. */
    static final int LANES = FLOAT.length();

    private VectorShape() {
    }

    /** Bits of the preferred float vector species on this machine. */
    static int preferredFloatBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
