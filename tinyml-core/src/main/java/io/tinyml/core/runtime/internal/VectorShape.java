package io.tinyml.core.runtime.internal;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector shape of every vector kernel, float and int8 alike; loaded only once
 * {@code jdk.incubator.vector} is known to be resolved.
 *
 * <p>The shape is 256 bits, or 512 bits when the system property {@code tinyml.vector.bits} is {@code 512}
 * and the machine's preferred float vector has 512 bits (AVX-512), decided once per JVM. All kernels must
 * use this one shape for their float vectors (and the matching int and byte species for their
 * conversions): with two float shapes in one JVM, Java 17's JIT was measured to stop intrinsifying the
 * Vector API in whichever kernels it compiled second (their vectors boxed on the heap: ResNet-8 float went
 * from 203 to 5,519 µs per inference after kws int8 had run 256-bit float vectors beside the 512-bit float
 * kernels), because the shared library methods then see two vector classes in their type profiles.
 *
 * <p>512 bits is faster where it works (ResNet-8 float about 210 instead of 290 µs, kws int8 about 70
 * instead of 90 µs on a Zen 4 core) but is not the default: in two of four full test runs, a JVM that had
 * run many other layers first compiled some 512-bit kernels into code that boxes every vector (ResNet-8
 * allocated 10 MB per inference, for good), which the 256-bit kernels have not done.
 */
final class VectorShape {
    /** The float species of every vector kernel: 256 bits, or 512 when asked for and available. */
    static final VectorSpecies<Float> FLOAT = "512".equals(System.getProperty("tinyml.vector.bits"))
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
