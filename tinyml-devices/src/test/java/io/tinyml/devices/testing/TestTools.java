package io.tinyml.devices.testing;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.Harness;
import io.tinyml.codegen.ProjectKind;
import io.tinyml.core.ir.Model;
import io.tinyml.devices.install.Tools;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** External tools for the device tests: a missing tool skips the test, except in CI (env CI=true) where it fails. */
public final class TestTools {
    private TestTools() {
    }

    /**
     * Requires tools on the PATH.
     *
     * @param tools program names
     */
    public static void require(String... tools) {
        for (String t : tools) {
            if (Tools.find(t).isEmpty()) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    Assertions.fail("required tool missing in CI: " + t);
                }
                Assumptions.abort("tool not installed: " + t);
            }
        }
    }

    /**
     * Generates a model's MLPerf Tiny harness firmware and builds it for QEMU's Cortex-M4 board.
     *
     * @param model the int8 model
     * @param dir an empty directory
     * @return the firmware ELF
     * @throws Exception if generation or the build fails
     */
    public static Path harnessFirmware(Model model, Path dir) throws Exception {
        require("arm-none-eabi-gcc", "qemu-system-arm");
        return make(model, dir, "harness-m4").resolve("build/harness-m4/firmware.elf");
    }

    /**
     * Generates a model's MLPerf Tiny harness project and runs one target of its {@code harness.mk}.
     *
     * @param model the int8 model
     * @param dir an empty directory
     * @param target the make target ({@code harness-m4}, {@code harness-host}, ...)
     * @return the project directory
     * @throws Exception if generation or the build fails
     */
    public static Path make(Model model, Path dir, String target) throws Exception {
        require("make");
        CodeGenerator.generate(model, new CodegenOptions("tinyml", ProjectKind.MAKE, Harness.MLPERF_TINY))
                .writeTo(dir, false);
        Process p = new ProcessBuilder("make", "-s", "-f", "harness.mk", target).directory(dir.toFile())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        Assertions.assertTrue(p.waitFor(300, TimeUnit.SECONDS), "make timed out");
        Assertions.assertEquals(0, p.exitValue(), () -> new String(out, StandardCharsets.UTF_8));
        return dir;
    }
}
