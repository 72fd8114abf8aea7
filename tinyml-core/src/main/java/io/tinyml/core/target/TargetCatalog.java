package io.tinyml.core.target;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.tinyml.core.target.Feature.DSP_SIMD;
import static io.tinyml.core.target.Feature.FPU;

/**
 * The built-in targets: the six generic targets of the product brief, real boards with their
 * datasheet memory and clock figures, and the QEMU boards our tests run on. Immutable and
 * thread-safe.
 *
 * <p>Active power comes from a named datasheet table (run mode, code in flash, peripherals off) or
 * a vendor's published board figure; each target states its source. A target without such a figure
 * has power 0 and gets no energy estimate rather than a guessed one; so do the emulated boards.
 *
 * <pre>{@code
 * Target t = TargetCatalog.get("cortex-m4");
 * for (Target each : TargetCatalog.all()) System.out.println(each.name());
 * }</pre>
 */
public final class TargetCatalog {
    private static final long KB = 1024;
    private static final long MB = 1024 * 1024;
    /** Targets whose run-mode power we could not source from a datasheet get no energy estimate. */
    private static final String NO_FIGURE = "no verified datasheet run-mode figure: energy not estimated";
    private static final Map<String, Target> TARGETS;

    static {
        List<Target> l = new ArrayList<>();
        // generic targets of the product brief (exact figures required by the brief)
        l.add(t("cortex-m4", "generic Arm Cortex-M4F", Core.CORTEX_M4, 84, 256 * KB, 1 * MB, Set.of(FPU, DSP_SIMD),
                34.9, "STM32F411 (an 84 MHz Cortex-M4F) datasheet DS10314 rev 8, table 23: run mode from flash,"
                        + " all peripherals off, 9.7 mA typ at 3.6 V"));
        l.add(t("cortex-m7", "generic Arm Cortex-M7", Core.CORTEX_M7, 216, 512 * KB, 2 * MB, Set.of(FPU, DSP_SIMD),
                0, NO_FIGURE));
        l.add(t("risc-v", "generic RISC-V RV32IMC", Core.RV32IMC, 100, 128 * KB, 512 * KB, Set.of(), 0, NO_FIGURE));
        l.add(t("esp32", "generic Espressif ESP32 (Xtensa LX6)", Core.XTENSA_LX6, 240, 520 * KB, 4 * MB, Set.of(FPU),
                165, "ESP32 datasheet, modem-sleep 240 MHz dual core 30-68 mA: midpoint 50 mA x 3.3 V"));
        l.add(t("stm32", "generic STM32F4-class Cortex-M4F", Core.CORTEX_M4, 168, 384 * KB, 1536 * KB,
                Set.of(FPU, DSP_SIMD), 132, "STM32F407 datasheet DS8626 rev 12, table 20: run mode from flash"
                        + " (ART on), 168 MHz, all peripherals off, 40 mA typ at 3.3 V"));
        l.add(t("cortex-a", "generic Arm Cortex-A53 application core", Core.CORTEX_A53, 1000, 1 * MB, 8 * MB,
                Set.of(FPU, DSP_SIMD), 0, NO_FIGURE));
        // real boards (clock, SRAM, flash from the chip datasheets)
        l.add(t("nucleo-l4r5zi", "ST NUCLEO-L4R5ZI (STM32L4R5ZI, Cortex-M4F)", Core.CORTEX_M4, 120, 640 * KB, 2 * MB,
                Set.of(FPU, DSP_SIMD), 0, NO_FIGURE));
        l.add(t("nucleo-h7a3zi", "ST NUCLEO-H7A3ZI-Q (STM32H7A3ZI, Cortex-M7)", Core.CORTEX_M7, 280, 1400 * KB,
                2 * MB, Set.of(FPU, DSP_SIMD), 0, NO_FIGURE));
        l.add(t("disco-f746ng", "ST 32F746GDISCOVERY (STM32F746NG, Cortex-M7)", Core.CORTEX_M7, 216, 320 * KB,
                1 * MB, Set.of(FPU, DSP_SIMD), 0, NO_FIGURE));
        l.add(t("nano33-ble", "Arduino Nano 33 BLE (nRF52840, Cortex-M4F)", Core.CORTEX_M4, 64, 256 * KB, 1 * MB,
                Set.of(FPU, DSP_SIMD), 24.3, "nRF52840 product specification, compounded current IS0: CPU running"
                        + " CoreMark from flash with radio TX at 0 dBm, DC/DC, 8.1 mA at 3 V (an upper bound: includes the radio)"));
        l.add(t("esp32-devkitc", "Espressif ESP32-DevKitC (ESP32, Xtensa LX6)", Core.XTENSA_LX6, 240, 520 * KB, 4 * MB,
                Set.of(FPU), 165, "ESP32 datasheet, modem-sleep 240 MHz dual core 30-68 mA: midpoint 50 mA x 3.3 V"));
        l.add(t("esp32-s3", "Espressif ESP32-S3 (Xtensa LX7)", Core.XTENSA_LX7, 240, 512 * KB, 8 * MB,
                Set.of(FPU, DSP_SIMD), 169, "ESP32-S3 datasheet v2.2, table 5-9: modem-sleep, 240 MHz, one core"
                        + " running 32-bit data access, peripheral clocks off, 51.2 mA at 3.3 V"));
        l.add(t("rpi-pico", "Raspberry Pi Pico (RP2040, Cortex-M0+)", Core.CORTEX_M0PLUS, 133, 264 * KB, 2 * MB,
                Set.of(), 0, NO_FIGURE));
        l.add(t("esp32-c3", "Espressif ESP32-C3 (RV32IMC, 160 MHz, 400 KB SRAM, 4 MB flash as on ESP32-C3-MINI-1)",
                Core.RV32IMC, 160, 400 * KB, 4 * MB, Set.of(), 0, NO_FIGURE));
        l.add(t("hifive1-revb", "SiFive HiFive1 Rev B (FE310-G002, RV32IMAC)", Core.RV32IMC, 320, 16 * KB, 4 * MB,
                Set.of(), 0, NO_FIGURE));
        l.add(t("rpi4", "Raspberry Pi 4 Model B (BCM2711, Cortex-A72), smallest RAM option, 8 GB storage",
                Core.CORTEX_A72, 1500, 1024 * MB, 8192 * MB, Set.of(FPU, DSP_SIMD), 6120,
                "Raspberry Pi documentation, power-supplies page: whole board under stress 1.2 A average at 5.1 V"));
        // emulated boards (QEMU has no timing model: one cycle = one executed instruction)
        l.add(emu("qemu-mps2-an386", "QEMU mps2-an386 (Cortex-M4 FPGA image, 25 MHz, 4 MB SSRAM)", Core.CORTEX_M4,
                Set.of(FPU, DSP_SIMD), 4 * MB, 4 * MB));
        l.add(emu("qemu-mps2-an500", "QEMU mps2-an500 (Cortex-M7 FPGA image, 25 MHz, 4 MB SSRAM)", Core.CORTEX_M7,
                Set.of(FPU, DSP_SIMD), 4 * MB, 4 * MB));
        l.add(emu("qemu-sifive-e", "QEMU sifive_e (FE310 model, RV32IMAC, 16 KB DTIM)", Core.RV32IMC, Set.of(),
                16 * KB, 4 * MB));
        l.add(emu("qemu-riscv32-virt", "QEMU riscv32 virt (the generated firmware's RV32IMC board: 4 MB flash and"
                + " 4 MB RAM halves of its DRAM)", Core.RV32IMC, Set.of(), 4 * MB, 4 * MB));
        Map<String, Target> m = new LinkedHashMap<>();
        for (Target x : l) {
            m.put(x.name(), x);
        }
        TARGETS = Collections.unmodifiableMap(m);
    }

    private TargetCatalog() {
    }

    private static Target t(String name, String desc, Core core, double mhz, long ram, long flash, Set<Feature> f,
                            double mw, String powerSource) {
        return new Target(name, desc, core, Math.round(mhz * 1e6), ram, flash, f, mw, powerSource, false);
    }

    private static Target emu(String name, String desc, Core core, Set<Feature> f, long ram, long flash) {
        return new Target(name, desc, core, 25_000_000L, ram, flash, f, 0, "emulated: no power figure", true);
    }

    /** @return every built-in target, in catalog order */
    public static List<Target> all() {
        return List.copyOf(TARGETS.values());
    }

    /**
     * Finds a built-in target.
     *
     * @param name the catalog name
     * @return the target, or empty
     */
    public static Optional<Target> find(String name) {
        return Optional.ofNullable(TARGETS.get(name));
    }

    /**
     * Returns a built-in target.
     *
     * @param name the catalog name
     * @return the target
     * @throws IllegalArgumentException naming the known targets if there is none of that name
     */
    public static Target get(String name) {
        Target t = TARGETS.get(name);
        if (t == null) {
            throw new IllegalArgumentException("expected a target, one of " + TARGETS.keySet() + ", found '" + name + "'");
        }
        return t;
    }
}
