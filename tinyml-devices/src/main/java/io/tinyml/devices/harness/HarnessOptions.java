package io.tinyml.devices.harness;

import java.time.Duration;

/**
 * Timeouts and retry policy of a {@link DeviceClient}. Immutable; {@code with...} returns a copy.
 *
 * @param commandTimeout the longest wait for a command's {@code m-ready}
 * @param inferTimeout the longest wait for an {@code infer} command's {@code m-ready}
 * @param retries how many times a command (or a whole input load) is tried again after a timeout or
 *     a rejected chunk
 * @param chunkBytes input bytes per {@code db} command (2 hex digits each; the reference firmware's
 *     command buffer holds 80 characters, so at most 38)
 * @param verifyLoad read the loaded input back with {@code db print} and load again on a mismatch
 *     (catches a garbled digit that is still valid hex, which no firmware can detect)
 */
public record HarnessOptions(Duration commandTimeout, Duration inferTimeout, int retries, int chunkBytes,
                             boolean verifyLoad) {
    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if a timeout is not positive, retries negative or the chunk not in 1..38
     */
    public HarnessOptions {
        if (commandTimeout.isNegative() || commandTimeout.isZero() || inferTimeout.isNegative()
                || inferTimeout.isZero()) {
            throw new IllegalArgumentException("expected positive timeouts, found " + commandTimeout + " and "
                    + inferTimeout);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("expected retries >= 0, found " + retries);
        }
        if (chunkBytes < 1 || chunkBytes > 38) {
            throw new IllegalArgumentException("expected 1..38 bytes per db chunk, found " + chunkBytes);
        }
    }

    /** @return 5 s per command, 120 s per infer, 3 retries, 32-byte chunks, verified loads */
    public static HarnessOptions defaults() {
        return new HarnessOptions(Duration.ofSeconds(5), Duration.ofSeconds(120), 3, 32, true);
    }

    /**
     * @param t the command timeout
     * @return a copy with that timeout
     */
    public HarnessOptions withCommandTimeout(Duration t) {
        return new HarnessOptions(t, inferTimeout, retries, chunkBytes, verifyLoad);
    }

    /**
     * @param t the infer timeout
     * @return a copy with that timeout
     */
    public HarnessOptions withInferTimeout(Duration t) {
        return new HarnessOptions(commandTimeout, t, retries, chunkBytes, verifyLoad);
    }

    /**
     * @param n the retries
     * @return a copy with that many retries
     */
    public HarnessOptions withRetries(int n) {
        return new HarnessOptions(commandTimeout, inferTimeout, n, chunkBytes, verifyLoad);
    }

    /**
     * @param verify whether loads are read back
     * @return a copy with that setting
     */
    public HarnessOptions withVerifyLoad(boolean verify) {
        return new HarnessOptions(commandTimeout, inferTimeout, retries, chunkBytes, verify);
    }
}
