package io.tinyml.cli;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code estimate --measure}: the generated firmware built and run under QEMU (Cortex-M7 and RISC-V), its
 * figures printed next to the estimate and labelled measured; misuse rejected with a one-line reason.
 */
class EstimateMeasureTest {
    private static final Path KWS = Assets.require("models/tflite/kws_dscnn_int8.tflite");

    @Test
    void measuredFiguresStandNextToTheEstimate() {
        for (String tool : List.of("make", "gcc", "arm-none-eabi-gcc", "qemu-system-arm", "riscv64-unknown-elf-gcc",
                "qemu-system-riscv32")) {
            ReadmeJourneyTest.require(tool);
        }
        for (String target : List.of("qemu-mps2-an500", "qemu-riscv32-virt")) {
            CliTest.Outcome o = CliTest.tinyml("estimate", KWS, "--target", target, "--kernels", "generated",
                    "--measure", "--json");
            assertEquals(0, o.status(), o.err());
            long estimated = EstimateCommandTest.jsonLong(o.out(), "cycles");
            long measured = EstimateCommandTest.jsonLong(o.out(), "instructions");
            assertTrue(o.out().replace(" ", "").contains("\"basis\":\"measured\""), o.out());
            assertTrue(Math.abs((double) estimated / measured - 1) < 0.15, target + ": " + estimated + " vs " + measured);
            assertEquals(measured, EstimateCommandTest.jsonLong(o.out(), "alu") + EstimateCommandTest.jsonLong(o.out(),
                    "mul") + EstimateCommandTest.jsonLong(o.out(), "load") + EstimateCommandTest.jsonLong(o.out(), "store")
                    + EstimateCommandTest.jsonLong(o.out(), "branch"), o.out());
        }
        CliTest.Outcome text = CliTest.tinyml("estimate", KWS, "--target", "qemu-riscv32-virt", "--kernels",
                "generated", "--measure");
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().contains("instructions = ") && text.out().contains("[measured on qemu-riscv32-virt]"),
                text.out());
        assertTrue(text.out().contains("ms [calibrated]"), text.out());
    }

    @Test
    void measureNeedsAnEmulatedTargetAndTheGeneratedKernels() {
        CliTest.Outcome board = CliTest.tinyml("estimate", KWS, "--target", "nucleo-l4r5zi", "--kernels", "generated",
                "--measure");
        assertEquals(2, board.status(), board.err());
        assertTrue(board.err().startsWith("tinyml estimate: expected --measure with an emulated target"), board.err());
        assertEquals(1, board.err().trim().split("\n").length, board.err());
        CliTest.Outcome lib = CliTest.tinyml("estimate", KWS, "--target", "qemu-mps2-an386", "--kernels", "optimized",
                "--measure");
        assertEquals(2, lib.status(), lib.err());
        assertTrue(lib.err().startsWith("tinyml estimate: expected --kernels generated with --measure"), lib.err());
    }
}
