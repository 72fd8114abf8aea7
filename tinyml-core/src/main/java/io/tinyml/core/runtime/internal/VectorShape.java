package io.tinyml.core.runtime.internal;

import jdk.incubator.vector.FloatVector;

/** The machine's vector shape; loaded only once {@code jdk.incubator.vector} is known to be resolved. */
final class VectorShape {
    private VectorShape() {
    }

    /** Bits of the preferred float vector species on this machine. */
    static int preferredFloatBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
