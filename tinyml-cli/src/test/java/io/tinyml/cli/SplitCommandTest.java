package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.offload.runtime.EdgeServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code tinyml split}: plans, bad input, and a device run against a real edge server. */
class SplitCommandTest {
    private static final Path PERSON = Assets.require("models/tflite/person_detect/person_detect.tflite");

    @Test
    void planPicksDeviceOnlyOnASlowLinkAndEdgeOnlyOnAFastOne() {
        CliTest.Outcome slow = CliTest.tinyml("split", PERSON, "--target", "cortex-m4", "--link", "ble",
                "--bandwidth-kbps", "10", "--objective", "latency", "--json", "--edge-runs", "1");
        assertEquals(0, slow.status(), slow.err());
        assertTrue(slow.out().contains("\"splitId\": \"nodes:0-30\""), "device-only at 10 kbit/s: " + slow.out());
        assertTrue(slow.out().contains("\"candidates\":"));
        // the edge side is timed: the median of 5 runs keeps one preempted run on a busy machine from deciding
        CliTest.Outcome fast = CliTest.tinyml("split", PERSON, "--link", "wifi", "--bandwidth-kbps", "100000",
                "--rtt-ms", "1", "--edge-runs", "5");
        assertEquals(0, fast.status(), fast.err());
        assertTrue(fast.out().contains("best: edge-only"), fast.out());
        assertTrue(fast.out().contains("device-only") && fast.out().contains("mixed("), "every candidate listed");
    }

    @Test
    void badLinkObjectiveAndConstraintsAreOneLineErrors() {
        CliTest.Outcome link = CliTest.tinyml("split", PERSON, "--link", "carrier-pigeon");
        assertEquals(2, link.status());
        assertTrue(link.err().contains("unknown link 'carrier-pigeon'") && link.err().strip().lines().count() == 1,
                link.err());
        CliTest.Outcome obj = CliTest.tinyml("split", PERSON, "--objective", "speed");
        assertEquals(2, obj.status());
        assertTrue(obj.err().contains("expected objective latency, energy or weighted:W"), obj.err());
        CliTest.Outcome none = CliTest.tinyml("split", PERSON, "--max-ram", "10", "--max-link-bytes", "1",
                "--edge-runs", "1");
        assertEquals(2, none.status(), "nothing fits 10 B of RAM and 1 B on the link");
        assertTrue(none.out().contains("no cut satisfies the constraints"), none.out());
    }

    @Test
    void runAsADeviceAgainstAnEdgeServerGivesTheWholeModelsOutput(@TempDir Path dir) throws Exception {
        Model m = ModelIO.read(PERSON);
        Path in = Assets.require("reference/person/input.bin");
        byte[] expected = Interpreter.create(m).invoke(Files.readAllBytes(in))[0];
        try (EdgeServer edge = EdgeServer.builder().optEdgeRuns(1).build()) {
            edge.register("person", m);
            Path out = dir.resolve("out.bin");
            CliTest.Outcome o = CliTest.tinyml("split", "run", PERSON, "--edge", "127.0.0.1:" + edge.tcpPort(), "--id",
                    "person", "--input", in, "--output", out, "--requests", "3", "--json");
            assertEquals(0, o.status(), o.err());
            assertArrayEquals(expected, Files.readAllBytes(out));
            // the first request is offloaded (the wifi plan); later ones follow the measured link
            assertTrue(o.out().contains("\"EDGE\": "), o.out());
            CliTest.Outcome again = CliTest.tinyml("split", "run", PERSON, "--edge", "127.0.0.1:" + edge.tcpPort(),
                    "--id", "person", "--input", in, "--output", out);
            assertEquals(2, again.status(), "an existing output is not replaced without --force");
            CliTest.Outcome badEdge = CliTest.tinyml("split", "run", PERSON, "--edge", "nowhere", "--input", in);
            assertEquals(2, badEdge.status());
            assertTrue(badEdge.err().contains("expected --edge HOST:PORT"), badEdge.err());
            CliTest.Outcome badCut = CliTest.tinyml("split", "run", PERSON, "--edge", "127.0.0.1:" + edge.tcpPort(),
                    "--input", in, "--qemu-m4-cut", "nodes:3-5");
            assertEquals(2, badCut.status());
            assertTrue(badCut.err().contains("downward-closed"), badCut.err());
            // the device half as generated C on QEMU Cortex-M4
            if (qemuTools()) {
                Path q = dir.resolve("qemu.bin");
                CliTest.Outcome fw = CliTest.tinyml("split", "run", PERSON, "--edge", "127.0.0.1:" + edge.tcpPort(),
                        "--id", "person", "--input", in, "--output", q, "--qemu-m4-cut", "nodes:0-21", "--work",
                        dir.resolve("fw"));
                assertEquals(0, fw.status(), fw.err());
                assertTrue(fw.out().contains("device half on QEMU mps2-an386"), fw.out());
                assertArrayEquals(expected, Files.readAllBytes(q));
            }
        }
    }

    /** @return whether make, arm-none-eabi-gcc and qemu-system-arm are installed (in CI they must be) */
    private static boolean qemuTools() {
        for (String tool : new String[] {"make", "arm-none-eabi-gcc", "qemu-system-arm"}) {
            boolean found = false;
            for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                found |= !d.isEmpty() && Files.isExecutable(Path.of(d, tool));
            }
            if (!found) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    org.junit.jupiter.api.Assertions.fail("required tool missing in CI: " + tool);
                }
                return false;
            }
        }
        return true;
    }

    @Test
    void serveStartsAndStopsWithinItsBound() {
        CliTest.Outcome o = CliTest.tinyml("split", "serve", PERSON, "--id", "person", "--for-seconds", "1");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("edge server: model 'person', binary channel 127.0.0.1:"), o.out());
    }
}
