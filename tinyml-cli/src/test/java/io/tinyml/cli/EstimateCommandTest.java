package io.tinyml.cli;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The targets and estimate commands, run in-process through {@link Main}. */
class EstimateCommandTest {
    record Outcome(int status, String out, String err) {
    }

    /** Runs a subcommand through {@link Main}, so exit statuses and messages are the real ones. */
    static Outcome run(Object command, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = command.getClass().getAnnotation(picocli.CommandLine.Command.class).name();
        System.arraycopy(args, 0, all, 1, args.length);
        CliTest.Outcome o = CliTest.tinyml(all);
        return new Outcome(o.status(), o.out(), o.err());
    }

    static long jsonLong(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (-?[0-9]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void targetsListsTheCatalog() {
        Outcome o = run(new TargetsCommand());
        assertEquals(0, o.status(), o.err());
        for (String name : new String[] {"cortex-m4", "cortex-m7", "risc-v", "esp32", "stm32", "cortex-a",
                "nucleo-l4r5zi", "hifive1-revb", "rpi4", "qemu-mps2-an386", "qemu-sifive-e"}) {
            assertTrue(o.out().contains(name), name);
        }
        Outcome j = run(new TargetsCommand(), "--json");
        assertEquals(0, j.status(), j.err());
        assertTrue(j.out().contains("\"name\": \"cortex-m4\""), j.out());
        assertTrue(j.out().contains("\"ramBytes\": 262144"), j.out());
    }

    @Test
    void estimateKwsJsonHasTheContractKeys() {
        Path kws = Assets.require("models/tflite/kws_dscnn_int8.tflite");
        Outcome o = run(new EstimateCommand(), kws, "--target", "cortex-m4", "--kernels", "optimized", "--json");
        assertEquals(0, o.status(), o.err());
        for (String key : new String[] {"target", "kernels", "flashBytes", "ramBytes", "arenaBytes", "cycles",
                "latencyMs", "energyUj", "fits", "violations", "unsupportedOps", "layers", "node", "op", "macs",
                "liveBytes"}) {
            assertTrue(o.out().contains("\"" + key + "\":"), key);
        }
        assertEquals(22_380, jsonLong(o.out(), "arenaBytes"));
        assertTrue(o.out().contains("\"fits\": true"));
        assertTrue(o.out().contains("\"kernels\": \"optimized\""));
    }

    @Test
    void personDoesNotFitHifive1AndNamesTheRamOverrun() {
        Path person = Assets.require("models/tflite/person_detect/person_detect.tflite");
        Outcome o = run(new EstimateCommand(), person, "--target", "hifive1-revb", "--json");
        assertEquals(Main.EXIT_GATE, o.status(), "a model that does not fit fails the gate: " + o.err());
        assertEquals(3, Main.EXIT_GATE, "the documented gate status");
        assertTrue(o.err().startsWith("tinyml estimate: does not fit hifive1-revb: RAM: needs"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.out().contains("\"fits\": false"));
        long ram = jsonLong(o.out(), "ramBytes");
        long overrun = jsonLong(o.out(), "overrun");
        assertEquals(ram - 16 * 1024, overrun);
        assertTrue(o.out().contains("RAM: needs"), o.out());
        Outcome text = run(new EstimateCommand(), person, "--target", "hifive1-revb");
        assertEquals(Main.EXIT_GATE, text.status(), text.err());
        assertTrue(text.out().contains(String.format("(%,d B over)", overrun)), text.out());
        assertTrue(text.out().contains("fits:       NO"), text.out());
    }

    @Test
    void aMissedLatencyBudgetFailsTheGateAndAMetOnePasses() {
        Path kws = Assets.require("models/tflite/kws_dscnn_int8.tflite");
        Outcome fits = run(new EstimateCommand(), kws, "--target", "cortex-m4", "--json");
        assertEquals(0, fits.status(), fits.err());
        Matcher lm = Pattern.compile("\"latencyMs\": ([0-9.Ee+-]+)").matcher(fits.out());
        assertTrue(lm.find(), fits.out());
        double latency = Double.parseDouble(lm.group(1)); // the first is the model's, then the layers'
        Outcome missed = run(new EstimateCommand(), kws, "--target", "cortex-m4", "--latency-budget-ms", latency / 2);
        assertEquals(Main.EXIT_GATE, missed.status(), missed.err());
        assertTrue(missed.out().contains("fits:       NO"), missed.out());
        assertTrue(missed.err().contains("latency: needs"), missed.err());
        Outcome met = run(new EstimateCommand(), kws, "--target", "cortex-m4", "--latency-budget-ms", latency * 2);
        assertEquals(0, met.status(), met.err());
        assertEquals("", met.err());
    }

    @Test
    void svgAndMarkdownAndOptimalPlanner(@TempDir Path tmp) throws Exception {
        Path kws = Assets.require("models/tflite/kws_dscnn_int8.tflite");
        Path svg = tmp.resolve("kws.svg");
        Outcome o = run(new EstimateCommand(), kws, "--target", "nucleo-l4r5zi", "--planner", "optimal", "--svg", svg);
        assertEquals(0, o.status(), o.err());
        String s = Files.readString(svg);
        assertTrue(s.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assertTrue(s.contains("arena peak 16,000 B"), s);
        assertTrue(s.trim().endsWith("</svg>"));
        Outcome md = run(new EstimateCommand(), kws, "--target", "esp32", "--markdown");
        assertEquals(0, md.status(), md.err());
        assertTrue(md.out().contains("| flash |"), md.out());
    }

    @Test
    void userTargetFromFile(@TempDir Path tmp) throws Exception {
        Path kws = Assets.require("models/tflite/kws_dscnn_int8.tflite");
        Path f = tmp.resolve("board.json");
        Files.writeString(f, "{\"format\": 1, \"name\": \"tiny-board\", \"core\": \"CORTEX_M4\", \"clockMhz\": 48,"
                + " \"ramBytes\": 20000, \"flashBytes\": 131072, \"features\": [\"DSP_SIMD\"]}");
        Outcome o = run(new EstimateCommand(), kws, "--target-file", f, "--json");
        assertEquals(Main.EXIT_GATE, o.status(), "20,000 B of RAM are too few: " + o.err());
        assertTrue(o.out().contains("\"target\": \"tiny-board\""));
        assertTrue(o.out().contains("\"budget\": \"RAM\""), o.out());
        Outcome t = run(new TargetsCommand(), "--target-file", f);
        assertTrue(t.out().contains("tiny-board"));
    }

    @Test
    void unknownTargetAndLibraryAreRefused() {
        Path kws = Assets.require("models/tflite/kws_dscnn_int8.tflite");
        Outcome o = run(new EstimateCommand(), kws, "--target", "no-such-board");
        assertNotEquals(0, o.status());
        assertTrue(o.err().contains("expected a target, one of"), o.err());
        Outcome k = run(new EstimateCommand(), kws, "--target", "cortex-m4", "--kernels", "fast");
        assertNotEquals(0, k.status());
        assertTrue(k.err().contains("expected a kernel library"), k.err());
    }
}
