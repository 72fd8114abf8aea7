package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** The codegen command, run in-process (the lead registers it in Main). */
class CodegenCommandTest {

    @Test
    void generatesAMakeProject(@TempDir Path dir) {
        Path kws = Assets.require("models/tflite/kws_dscnn_int8.tflite");
        Path out = dir.resolve("kws");
        EstimateCommandTest.Outcome o = EstimateCommandTest.run(new CodegenCommand(), kws, "--target", "cortex-m4",
                "--output", out, "--prefix", "kws");
        assertEquals(0, o.status(), o.err());
        assertTrue(Files.exists(out.resolve("kws_model.h")) && Files.exists(out.resolve("Makefile")));
        assertTrue(o.out().contains("arena"), o.out());
    }

    @Test
    void sizeOptimisedBuildIsRecordedInTheMakefileAndABadGoalIsRefused(@TempDir Path dir) throws Exception {
        Path m = Assets.require("models/tflite/hello_world_int8.tflite");
        Path out = dir.resolve("small");
        EstimateCommandTest.Outcome o = EstimateCommandTest.run(new CodegenCommand(), m, "--target", "cortex-m4",
                "--output", out, "--optimize", "size");
        assertEquals(0, o.status(), o.err());
        assertTrue(Files.readString(out.resolve("Makefile")).contains("OPTIMIZE ?= size\n"));
        o = EstimateCommandTest.run(new CodegenCommand(), m, "--target", "cortex-m4", "--output", dir.resolve("bad"),
                "--optimize", "fast");
        assertEquals(Main.EXIT_BAD_INPUT, o.status());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("expected optimize speed or size, found 'fast'"), o.err());
        assertTrue(!Files.exists(dir.resolve("bad")));
    }

    @Test
    void refusesNonEmptyDirectoryWithoutForce(@TempDir Path dir) throws Exception {
        Path m = Assets.require("models/tflite/hello_world_int8.tflite");
        Files.writeString(dir.resolve("keep.txt"), "x");
        EstimateCommandTest.Outcome o = EstimateCommandTest.run(new CodegenCommand(), m, "--target", "cortex-m4",
                "--output", dir);
        assertNotEquals(0, o.status());
        assertTrue(!Files.exists(dir.resolve("tinyml_model.c")));
        o = EstimateCommandTest.run(new CodegenCommand(), m, "--target", "cortex-m4", "--output", dir, "--force");
        assertEquals(0, o.status(), o.err());
        assertTrue(Files.exists(dir.resolve("tinyml_model.c")));
    }

    @Test
    void refusesUnsupportedOperatorNamingIt(@TempDir Path dir) {
        Path m = Assets.require("models/tflite/kws_dscnn_hybrid.tflite");
        EstimateCommandTest.Outcome o = EstimateCommandTest.run(new CodegenCommand(), m, "--target", "cortex-m4",
                "--output", dir.resolve("x"));
        assertNotEquals(0, o.status());
    }
}
