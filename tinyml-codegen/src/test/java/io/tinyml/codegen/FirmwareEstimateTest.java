package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.codegen.report.FirmwareMeasurement;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The estimator with {@code --kernels generated} against the generated firmware on QEMU mps2-an386:
 * flash (text + data) and RAM (data + bss, stack included) within 5 %, instructions per inference
 * within 15 %; and the firmware smaller than TFLM's recorded in reference/README.md.
 */
class FirmwareEstimateTest {

    static Stream<Arguments> models() {
        return GeneratedCodeTest.models();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void estimatorMatchesMeasuredFirmware(String name, String model, String input, String tflm, @TempDir Path dir)
            throws Exception {
        Toolchain.require("make");
        Toolchain.require("gcc");
        Toolchain.require("arm-none-eabi-gcc");
        Toolchain.require("qemu-system-arm");
        Model m = ModelIO.read(Assets.require(model));
        byte[] in = input == null ? GeneratedCodeTest.pattern(m.graph().inputTensor(0).byteSize())
                : Files.readAllBytes(Assets.require(input));
        FirmwareMeasurement r = FirmwareMeasurement.measure(name, m, in, dir);
        assertTrue(Math.abs(r.estFlash() - r.flash()) <= 0.05 * r.flash(), "flash " + r);
        assertTrue(Math.abs(r.estRam() - r.ram()) <= 0.05 * r.ram(), "RAM " + r);
        assertTrue(Math.abs(r.estInstructions() - r.instructions()) <= 0.15 * r.instructions(), "instructions " + r);
        if (name.equals("kws")) {
            // TFLM whole firmware -Os: ref 98,536 text, arena 22,772; CMSIS-NN -O2: 7,696,400 instructions
            assertTrue(r.text() < 98_536 && r.ram() - 4096 < 22_772 && r.instructions() < 7_696_400, r.toString());
        }
        if (name.equals("person")) {
            assertTrue(r.text() < 341_888 && r.ram() - 4096 < 82_292, r.toString());
        }
    }
}
