package io.tinyml.offload.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named links with the source of every figure. Rates are nominal PHY or published goodput figures,
 * not measurements of the user's link: the runtime measures the real link and re-plans
 * ({@code AdaptiveSplitter}). Radio powers are datasheet currents times the stated supply voltage.
 * Thread-safe (immutable).
 */
public final class LinkPresets {
    private static final Map<String, LinkModel> PRESETS = new LinkedHashMap<>();

    static {
        // Bluetooth Core Specification 5.x, Vol 6 Part A: LE 1M PHY = 1 Msym/s, 1 bit per symbol.
        // RTT: two connection events at the minimum connection interval of 7.5 ms (Vol 6 Part B 4.5.1).
        // Power: nRF52840 product specification v1.7, radio current with DC/DC at 3 V: TX 0 dBm 4.8 mA, RX 1 Mbps 4.6 mA.
        put(new LinkModel("ble-1m", 1_000_000, 1_000_000, 15, 4.8 * 3.0, 4.6 * 3.0, 0,
                "Bluetooth Core Spec 5.x LE 1M PHY (nominal rate); RTT 2 x 7.5 ms connection interval;"
                        + " nRF52840 PS v1.7 TX 0 dBm 4.8 mA, RX 4.6 mA at 3 V"));
        // IEEE 802.15.4-2020, 2.4 GHz O-QPSK PHY: 250 kbit/s. CC2420 datasheet (SWRS041c), table 3 at 3.0 V:
        // TX 0 dBm 17.4 mA, RX 18.8 mA. RTT: one frame + ACK turnaround + unslotted CSMA-CA backoff, about 10 ms.
        put(new LinkModel("802.15.4", 250_000, 250_000, 10, 17.4 * 3.0, 18.8 * 3.0, 0,
                "IEEE 802.15.4 2.4 GHz O-QPSK PHY 250 kbit/s (nominal); CC2420 datasheet TX 17.4 mA, RX 18.8 mA at 3 V;"
                        + " RTT 10 ms assumed (CSMA-CA backoff + ACK)"));
        // ESP32 datasheet v4.x, table "RF power consumption": TX 802.11n MCS7 180 mA, RX 802.11n 95-100 mA, at 3.3 V.
        // Goodput: Espressif ESP-IDF programming guide, Wi-Fi driver, throughput table: about 20 Mbit/s TCP on ESP32.
        put(new LinkModel("wifi", 20_000_000, 20_000_000, 5, 180 * 3.3, 100 * 3.3, 0,
                "ESP32 datasheet TX 802.11n MCS7 180 mA, RX 100 mA at 3.3 V; ~20 Mbit/s TCP (ESP-IDF Wi-Fi"
                        + " throughput figures); LAN RTT 5 ms assumed"));
        // 3GPP Rel-13 UE category M1 in half-duplex FDD: about 375 kbit/s up and down (GSMA LTE-M deployment
        // guide). RTT: the same guide reports latencies of the order of 100 ms. Power: a 23 dBm LTE-M modem draws
        // about 200 mA at 3.6 V while transmitting and about 50 mA while receiving (u-blox SARA-R4 data sheet class).
        put(new LinkModel("lte-m", 375_000, 375_000, 100, 200 * 3.6, 50 * 3.6, 0,
                "3GPP Rel-13 Cat-M1 half duplex ~375 kbit/s (GSMA LTE-M deployment guide); RTT ~100 ms;"
                        + " modem TX ~200 mA, RX ~50 mA at 3.6 V (order of magnitude, SARA-R4 class data sheets)"));
        put(uart(115_200));
    }

    private LinkPresets() {
    }

    private static void put(LinkModel m) {
        PRESETS.put(m.name(), m);
    }

    /**
     * A wired UART link: 8N1 framing sends 10 bits per byte; the line itself draws nothing beyond the MCU's
     * run power, and the round trip is one byte time each way.
     *
     * @param baud the baud rate
     * @return the link, named {@code uart-BAUD}
     * @throws IllegalArgumentException if baud is not positive
     */
    public static LinkModel uart(int baud) {
        if (baud <= 0) {
            throw new IllegalArgumentException("expected a positive baud rate, found " + baud);
        }
        double goodput = baud * 8.0 / 10.0;
        return new LinkModel("uart-" + baud, goodput, goodput, 2 * 10_000.0 / baud, 0, 0, 0,
                "UART 8N1: 1 start + 8 data + 1 stop bit per byte");
    }

    /** @return the preset names, in a stable order */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    /**
     * Finds a preset: a name of {@link #names()}, "ble" for "ble-1m", or "uart" / "uart-BAUD".
     *
     * @param name the name, any case
     * @return the link
     * @throws IllegalArgumentException if the name is unknown
     */
    public static LinkModel get(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("ble")) {
            n = "ble-1m";
        }
        if (n.equals("zigbee") || n.equals("802154")) {
            n = "802.15.4";
        }
        if (n.startsWith("uart-")) {
            try {
                return uart(Integer.parseInt(n.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected uart-BAUD with an integer baud rate, found '" + name + "'");
            }
        }
        if (n.equals("uart")) {
            n = "uart-115200";
        }
        LinkModel m = PRESETS.get(n);
        if (m == null) {
            throw new IllegalArgumentException("unknown link '" + name + "', expected one of " + names()
                    + " or uart-BAUD");
        }
        return m;
    }
}
