package io.tinyml.core.target;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetCatalogTest {
    private static final long KB = 1024;
    private static final long MB = 1024 * KB;

    @Test
    void genericTargetsHaveTheBriefsFigures() {
        check("cortex-m4", 84, 256 * KB, 1 * MB);
        check("cortex-m7", 216, 512 * KB, 2 * MB);
        check("risc-v", 100, 128 * KB, 512 * KB);
        check("esp32", 240, 520 * KB, 4 * MB);
        check("stm32", 168, 384 * KB, 1536 * KB);
        check("cortex-a", 1000, 1 * MB, 8 * MB);
    }

    @Test
    void boardsHaveDatasheetFigures() {
        check("nucleo-l4r5zi", 120, 640 * KB, 2 * MB);
        check("nucleo-h7a3zi", 280, 1400 * KB, 2 * MB);
        check("disco-f746ng", 216, 320 * KB, 1 * MB);
        check("nano33-ble", 64, 256 * KB, 1 * MB);
        check("esp32-devkitc", 240, 520 * KB, 4 * MB);
        check("esp32-s3", 240, 512 * KB, 8 * MB);
        check("rpi-pico", 133, 264 * KB, 2 * MB);
        check("hifive1-revb", 320, 16 * KB, 4 * MB);
        assertEquals(Core.CORTEX_A72, TargetCatalog.get("rpi4").core());
        assertEquals(1_500_000_000L, TargetCatalog.get("rpi4").clockHz());
        assertEquals(Core.CORTEX_M0PLUS, TargetCatalog.get("rpi-pico").core());
        assertEquals(Core.XTENSA_LX7, TargetCatalog.get("esp32-s3").core());
    }

    @Test
    void emulatedBoards() {
        for (String n : List.of("qemu-mps2-an386", "qemu-mps2-an500", "qemu-sifive-e", "qemu-riscv32-virt")) {
            assertTrue(TargetCatalog.get(n).emulated(), n);
        }
        assertEquals(Core.CORTEX_M4, TargetCatalog.get("qemu-mps2-an386").core());
        assertEquals(Core.CORTEX_M7, TargetCatalog.get("qemu-mps2-an500").core());
        assertEquals(Core.RV32IMC, TargetCatalog.get("qemu-riscv32-virt").core());
        assertEquals(Core.RV32IMC, TargetCatalog.get("esp32-c3").core());
        assertEquals(20, TargetCatalog.all().size());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TargetCatalog.get("nope"));
        assertTrue(e.getMessage().startsWith("expected a target, one of [cortex-m4"), e.getMessage());
        assertTrue(e.getMessage().endsWith("found 'nope'"));
    }

    @Test
    void builderValidates() {
        assertThrows(IllegalStateException.class, () -> Target.builder().setName("x").build());
        Target t = Target.builder().setName("x").setCore(Core.CORTEX_M33).setClockHz(64_000_000).setRamBytes(1000)
                .setFlashBytes(2000).optFeatures(Set.of(Feature.DSP_SIMD)).build();
        assertEquals(t, t.toBuilder().build());
        assertTrue(t.has(Feature.DSP_SIMD));
        assertThrows(IllegalArgumentException.class, () -> t.toBuilder().setRamBytes(-1).build());
    }

    @Test
    void jsonRoundTrip() {
        String json = TargetFiles.toJson(TargetCatalog.all());
        List<Target> back = TargetFiles.parse(json);
        assertEquals(TargetCatalog.all(), back);
    }

    @Test
    void jsonErrorsSayWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TargetFiles.parse(
                "{\"name\": \"b\", \"core\": \"Z80\", \"clockMhz\": 1, \"ramBytes\": 1, \"flashBytes\": 1}"));
        assertTrue(e.getMessage().startsWith("expected a core"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TargetFiles.parse("{\"name\": \"b\", \"core\": "
                + "\"CORTEX_M4\", \"clockMhz\": \"fast\", \"ramBytes\": 1, \"flashBytes\": 1}"));
        assertTrue(e.getMessage().contains("expected a number 'clockMhz'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TargetFiles.parse("{\"format\": 2, \"name\": \"b\"}"));
        assertTrue(e.getMessage().startsWith("expected target file format 1..1, found 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TargetFiles.parse("{\"name\" \"b\"}"));
        assertTrue(e.getMessage().startsWith("invalid JSON at char 8: expected") && e.getMessage().contains("colon"),
                e.getMessage());
    }

    private static void check(String name, double mhz, long ram, long flash) {
        Target t = TargetCatalog.get(name);
        assertEquals(Math.round(mhz * 1e6), t.clockHz(), name);
        assertEquals(ram, t.ramBytes(), name);
        assertEquals(flash, t.flashBytes(), name);
    }
}
