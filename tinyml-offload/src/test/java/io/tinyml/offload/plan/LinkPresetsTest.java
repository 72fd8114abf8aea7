package io.tinyml.offload.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinkPresetsTest {
    @Test
    void presetsCarryTheirDatasheetFiguresAndSources() {
        LinkModel ble = LinkPresets.get("BLE");
        assertEquals(1_000_000, ble.uplinkBitsPerSecond());
        assertEquals(4.8 * 3.0, ble.txPowerMw(), 1e-12);
        assertEquals(250_000, LinkPresets.get("802.15.4").uplinkBitsPerSecond());
        for (String n : LinkPresets.names()) {
            assertTrue(LinkPresets.get(n).source().length() > 20, n + " cites a source");
        }
        LinkModel uart = LinkPresets.get("uart-921600");
        assertEquals(921_600 * 0.8, uart.uplinkBitsPerSecond(), 1e-9, "8N1: 10 bits per byte");
        assertEquals(1000.0, LinkPresets.uart(8000).uplinkMs(800), 1e-9, "800 B at 8000 baud = 1 s");
        assertEquals(2000.0, LinkModel.of(8000, 0).withLoss(0.5).uplinkMs(1000), 1e-9, "half lost: twice the time");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkPresets.get("5g"));
        assertTrue(e.getMessage().contains("expected one of"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinkPresets.get("uart-fast"));
        assertThrows(IllegalArgumentException.class, () -> LinkModel.of(0, 1));
    }

    @Test
    void objectivesParseAndNormaliseByDeviceOnly() {
        assertEquals(Objective.latency(), Objective.parse("latency"));
        assertEquals(new Objective(0.25, 0.75), Objective.parse("weighted:0.25"));
        assertEquals(0.25 * 50 / 100 + 0.75 * 10 / 40, Objective.parse("weighted:0.25").cost(50, 10, 100, 40), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Objective.parse("weighted:2"));
        assertThrows(IllegalArgumentException.class, () -> Objective.parse("fast"));
    }
}
