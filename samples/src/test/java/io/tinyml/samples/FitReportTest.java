package io.tinyml.samples;

import io.tinyml.core.estimate.KernelLibrary;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class FitReportTest {
    /** The shared assets as the build passes them (tinyml.assets relative to tinyml.repo). */
    static Path asset(String relative) {
        Path p = Path.of(System.getProperty("tinyml.repo", ".")).resolve(System.getProperty("tinyml.assets",
                "../shared/assets")).resolve(relative).normalize();
        if (!Files.exists(p)) {
            if (Boolean.getBoolean("tinyml.assets.required")) {
                fail("required test asset missing: " + p);
            }
            Assumptions.abort("test asset missing: " + p);
        }
        return p;
    }

    @Test
    void personOnHifive1DoesNotFitAndSaysByHowMuch() throws Exception {
        Path person = asset("models/tflite/person_detect/person_detect.tflite");
        String r = FitReport.report(person, "hifive1-revb", KernelLibrary.REFERENCE);
        assertTrue(r.startsWith("person_detect.tflite on hifive1-revb (reference kernels): does NOT fit"), r);
        assertTrue(r.contains("RAM: needs 86,836 B, target has 16,384 B (70,452 B over)"), r);
        String ok = FitReport.report(person, "nucleo-l4r5zi", KernelLibrary.OPTIMIZED);
        assertTrue(ok.contains("): fits"), ok);
        assertTrue(ok.contains("DEPTHWISE_CONV_2D"), ok);
    }
}
