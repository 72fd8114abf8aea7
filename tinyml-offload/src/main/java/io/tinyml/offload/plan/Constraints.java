package io.tinyml.offload.plan;

/**
 * Limits a cut must respect: the device RAM and flash its prefix needs, and the bytes it sends per
 * inference. {@code Long.MAX_VALUE} means no limit. Immutable.
 *
 * @param maxDeviceRamBytes RAM the prefix may use on the device
 * @param maxDeviceFlashBytes flash the prefix may use on the device
 * @param maxLinkBytes bytes the device may send per inference
 */
public record Constraints(long maxDeviceRamBytes, long maxDeviceFlashBytes, long maxLinkBytes) {
    /**
     * Validates the limits.
     *
     * @throws IllegalArgumentException if a limit is negative
     */
    public Constraints {
        if (maxDeviceRamBytes < 0 || maxDeviceFlashBytes < 0 || maxLinkBytes < 0) {
            throw new IllegalArgumentException("expected limits >= 0, found RAM " + maxDeviceRamBytes + ", flash "
                    + maxDeviceFlashBytes + ", link " + maxLinkBytes);
        }
    }

    /** @return no limits */
    public static Constraints none() {
        return new Constraints(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * Returns a copy with that RAM limit.
     *
     * @param bytes the limit
     * @return a copy with that RAM limit
     */
    public Constraints withMaxDeviceRam(long bytes) {
        return new Constraints(bytes, maxDeviceFlashBytes, maxLinkBytes);
    }

    /**
     * Returns a copy with that flash limit.
     *
     * @param bytes the limit
     * @return a copy with that flash limit
     */
    public Constraints withMaxDeviceFlash(long bytes) {
        return new Constraints(maxDeviceRamBytes, bytes, maxLinkBytes);
    }

    /**
     * Returns a copy with that link limit.
     *
     * @param bytes the limit
     * @return a copy with that link limit
     */
    public Constraints withMaxLinkBytes(long bytes) {
        return new Constraints(maxDeviceRamBytes, maxDeviceFlashBytes, bytes);
    }

    boolean limitsDevice() {
        return maxDeviceRamBytes != Long.MAX_VALUE || maxDeviceFlashBytes != Long.MAX_VALUE;
    }
}
