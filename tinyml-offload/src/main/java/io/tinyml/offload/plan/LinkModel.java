package io.tinyml.offload.plan;

import java.util.Objects;

/**
 * A device-to-edge link: goodput each way, round-trip time, the device radio's power while
 * sending and receiving, and an optional loss rate (each lost packet is sent again, so times and
 * radio energy grow by 1 / (1 - loss)). Immutable and thread-safe; {@code with*} returns a copy.
 *
 * @param name a label ("wifi", "ble-1m", "custom", ...)
 * @param uplinkBitsPerSecond device-to-edge bits per second
 * @param downlinkBitsPerSecond edge-to-device bits per second
 * @param rttMs round-trip time added once per offloaded inference
 * @param txPowerMw device radio power while sending
 * @param rxPowerMw device radio power while receiving
 * @param loss packet loss rate in [0, 1)
 * @param source where the figures come from
 */
public record LinkModel(String name, double uplinkBitsPerSecond, double downlinkBitsPerSecond, double rttMs,
                        double txPowerMw, double rxPowerMw, double loss, String source) {
    /**
     * Validates the figures.
     *
     * @throws IllegalArgumentException if a rate is not positive, a time or power negative, or loss outside [0, 1)
     */
    public LinkModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        if (!(uplinkBitsPerSecond > 0) || !(downlinkBitsPerSecond > 0) || Double.isInfinite(uplinkBitsPerSecond)
                || Double.isInfinite(downlinkBitsPerSecond)) {
            throw new IllegalArgumentException("expected positive finite link rates, found up " + uplinkBitsPerSecond
                    + " and down " + downlinkBitsPerSecond + " bit/s");
        }
        if (!(rttMs >= 0) || !(txPowerMw >= 0) || !(rxPowerMw >= 0)) {
            throw new IllegalArgumentException("expected rtt and radio powers >= 0, found rtt " + rttMs + " ms, tx "
                    + txPowerMw + " mW, rx " + rxPowerMw + " mW");
        }
        if (!(loss >= 0 && loss < 1)) {
            throw new IllegalArgumentException("expected a loss rate in [0, 1), found " + loss);
        }
    }

    /**
     * A symmetric link with no radio energy and no loss.
     *
     * @param bitsPerSecond goodput both ways
     * @param rttMs round-trip time
     * @return the link
     */
    public static LinkModel of(double bitsPerSecond, double rttMs) {
        return new LinkModel("custom", bitsPerSecond, bitsPerSecond, rttMs, 0, 0, 0, "given by the caller");
    }

    /**
     * Returns a copy with that rate.
     *
     * @param bitsPerSecond goodput both ways
     * @return a copy with that rate
     */
    public LinkModel withBandwidth(double bitsPerSecond) {
        return new LinkModel(name, bitsPerSecond, bitsPerSecond, rttMs, txPowerMw, rxPowerMw, loss, source);
    }

    /**
     * Returns a copy with that time.
     *
     * @param ms round-trip time
     * @return a copy with that time
     */
    public LinkModel withRttMs(double ms) {
        return new LinkModel(name, uplinkBitsPerSecond, downlinkBitsPerSecond, ms, txPowerMw, rxPowerMw, loss, source);
    }

    /**
     * Returns a copy with that loss.
     *
     * @param rate loss rate in [0, 1)
     * @return a copy with that loss
     */
    public LinkModel withLoss(double rate) {
        return new LinkModel(name, uplinkBitsPerSecond, downlinkBitsPerSecond, rttMs, txPowerMw, rxPowerMw, rate, source);
    }

    /**
     * Returns milliseconds on the air, retransmissions included.
     *
     * @param bytes bytes sent by the device
     * @return milliseconds on the air, retransmissions included
     */
    public double uplinkMs(long bytes) {
        return bytes * 8.0 / uplinkBitsPerSecond * 1000.0 / (1 - loss);
    }

    /**
     * Returns milliseconds on the air, retransmissions included.
     *
     * @param bytes bytes received by the device
     * @return milliseconds on the air, retransmissions included
     */
    public double downlinkMs(long bytes) {
        return bytes * 8.0 / downlinkBitsPerSecond * 1000.0 / (1 - loss);
    }
}
