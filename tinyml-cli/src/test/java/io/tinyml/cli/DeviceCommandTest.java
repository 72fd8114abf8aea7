package io.tinyml.cli;

import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import io.tinyml.devices.emulator.EmulatedBoard;
import io.tinyml.devices.install.Tools;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tinyml.cli.CliTest.tinyml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tinyml device ...} end to end: registry, and the emulated Cortex-M4 board driven over its UART. */
class DeviceCommandTest {
    private String oldHome;

    @BeforeEach
    void home(@TempDir Path home) {
        oldHome = System.getProperty("tinyml.home");
        System.setProperty("tinyml.home", home.toString());
    }

    @AfterEach
    void restore() {
        if (oldHome == null) {
            System.clearProperty("tinyml.home");
        } else {
            System.setProperty("tinyml.home", oldHome);
        }
    }

    private static void require(String... tools) {
        for (String t : tools) {
            if (Tools.find(t).isEmpty()) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    Assertions.fail("required tool missing in CI: " + t);
                }
                Assumptions.abort("tool not installed: " + t);
            }
        }
    }

    private static void make(Path dir) throws Exception {
        Process p = new ProcessBuilder("make", "-s", "-f", "harness.mk", "harness-m4").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void addListRemoveAndUnknownDevices() {
        CliTest.Outcome a = tinyml("device", "add", "emu", "tcp:127.0.0.1:4000", "--board", "qemu");
        assertEquals(0, a.status(), a.err());
        CliTest.Outcome l = tinyml("device", "list");
        assertTrue(l.out().matches("(?s).*emu\\s+tcp:127.0.0.1:4000\\s+115200\\s+qemu.*"), l.out());
        CliTest.Outcome j = tinyml("device", "list", "--json");
        assertTrue(j.out().contains("\"address\": \"tcp:127.0.0.1:4000\""), j.out());
        CliTest.Outcome dup = tinyml("device", "add", "emu", "/dev/ttyACM0");
        assertEquals(2, dup.status());
        assertEquals("tinyml add: emu is already registered (remove it first)", dup.err().strip());
        assertEquals(0, tinyml("device", "remove", "emu").status());
        CliTest.Outcome gone = tinyml("device", "remove", "emu");
        assertEquals(2, gone.status());
        assertEquals("tinyml remove: no device named emu is registered", gone.err().strip());
        CliTest.Outcome unknown = tinyml("device", "watch", "nosuchboard");
        assertEquals(2, unknown.status());
        assertEquals("tinyml watch: unknown device 'nosuchboard': not registered (see 'tinyml device list'), not"
                + " tcp:HOST:PORT, exec:PROGRAM or a serial port path", unknown.err().strip());
        CliTest.Outcome bad = tinyml("device", "add", "x", "localhost:4000");
        assertEquals(2, bad.status());
    }

    @Test
    void listWithoutPortsOrDevicesSaysSo() {
        StringWriter w = new StringWriter();
        DeviceListCommand.render(new PrintWriter(w, true), List.of(), List.of());
        assertEquals(List.of("no registered devices (add one with 'tinyml device add NAME ADDRESS')",
                "no serial ports found on this machine"), w.toString().lines().toList());
    }

    @Test
    void noReplyIsOneLineAfterTheTimeout() throws Exception {
        try (ServerSocket mute = new ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try {
                    mute.accept();
                } catch (java.io.IOException ignored) {
                    // closed at the end of the test
                }
            });
            t.setDaemon(true);
            t.start();
            CliTest.Outcome o = tinyml("device", "bench", "tcp:127.0.0.1:" + mute.getLocalPort(), "--model",
                    Assets.require("models/tflite/kws_dscnn_int8.tflite"), "--input",
                    Assets.require("models/tflite/kws_dscnn_input0_int8.bin"), "--timeout", "1");
            assertEquals(2, o.status());
            assertTrue(o.err().startsWith("tinyml bench: tcp:127.0.0.1:" + mute.getLocalPort()
                    + ": no answer to 'name%' within 1000 ms"), o.err());
            assertEquals(1, o.err().strip().lines().count(), o.err());
        }
    }

    @Test
    void scpDryRunCarriesTheSshOptions(@TempDir Path dir) throws Exception {
        require("scp");
        Path exe = Files.write(dir.resolve("harness"), new byte[] {1});
        CliTest.Outcome dry = tinyml("device", "install", exe, "--with", "scp", "--port", "pi@rpi:/opt/", "--ssh-port",
                2222, "--identity", "id_ed25519", "--known-hosts", "kh", "--dry-run");
        assertEquals(0, dry.status(), dry.err());
        assertTrue(dry.out().strip().endsWith("scp -o BatchMode=yes -o ConnectTimeout=10 -P 2222 -i id_ed25519 -o"
                + " UserKnownHostsFile=kh " + exe + " pi@rpi:/opt/"), dry.out());
    }

    @Test
    void kwsCodegenInstallBenchOnTheEmulatedBoard(@TempDir Path dir) throws Exception {
        require("make", "arm-none-eabi-gcc", "qemu-system-arm");
        Path kws = Assets.require("models/tflite/kws_dscnn_int8.tflite");
        Path input = Assets.require("models/tflite/kws_dscnn_input0_int8.bin");
        Path proj = dir.resolve("kws");
        CliTest.Outcome g = tinyml("codegen", kws, "--target", "qemu-mps2-an386", "--output", proj, "--harness",
                "mlperf-tiny");
        assertEquals(0, g.status(), g.err());
        make(proj);
        Path elf = proj.resolve("build/harness-m4/firmware.elf");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliTest.Outcome dry = tinyml("device", "install", elf, "--with", "qemu", "--tcp-port", port, "--dry-run");
        assertEquals(0, dry.status(), dry.err());
        assertTrue(dry.out().strip().endsWith(" -M mps2-an386 -nographic -monitor none -serial tcp:127.0.0.1:" + port
                + ",server=on,wait=on,nodelay=on -kernel " + elf), dry.out());
        CliTest.Outcome inst = tinyml("device", "install", elf, "--with", "qemu", "--tcp-port", port);
        assertEquals(0, inst.status(), inst.err());
        Matcher pid = Pattern.compile("QEMU pid (\\d+)").matcher(inst.out());
        assertTrue(pid.find(), inst.out());
        ProcessHandle qemu = ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
        try {
            assertEquals(0, tinyml("device", "add", "m4", "tcp:127.0.0.1:" + port, "--board", "qemu").status());
            CliTest.Outcome b = tinyml("device", "bench", "m4", "--model", kws, "--input", input, "--runs", 5,
                    "--warmup", 1, "--json");
            assertEquals(0, b.status(), b.err());
            assertTrue(b.out().contains("\"equalToInterpreter\": true"), b.out());
            assertTrue(b.out().contains("\"mismatches\": 0"), b.out());
            Matcher us = Pattern.compile("\"microsPerInference\": ([0-9.]+)").matcher(b.out());
            assertTrue(us.find() && Double.parseDouble(us.group(1)) > 0, b.out());
            System.out.println("device bench kws on the emulated M4:\n" + b.out());
            CliTest.Outcome w = tinyml("device", "watch", "m4", "--send", "name", "--lines", 2, "--seconds", 10);
            assertEquals(List.of("m-name-dut-[tinyml]", "m-ready"), w.out().lines().toList());
        } finally {
            qemu.destroy();
            qemu.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void hundredDigitsOnTheBoardHaveTheTop1OfTinymlEval(@TempDir Path dir) throws Exception {
        require("make", "arm-none-eabi-gcc", "qemu-system-arm");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Path q = dir.resolve("mnist8_int8.tflite");
        CliTest.Outcome qz = tinyml("quantize", Assets.require("models/onnx/mnist8/model.onnx"), "--calibration",
                mnist + "[0:8000]", "--samples", 100, "--output", q);
        assertEquals(0, qz.status(), qz.err());
        String slice = mnist + "[8000:8100]";
        CliTest.Outcome ev = tinyml("eval", q, "--data", slice, "--json");
        assertEquals(0, ev.status(), ev.err());
        double evalTop1 = Double.parseDouble(ev.out().replaceAll("(?s).*\"top1\":([0-9.]+).*", "$1"));
        Path proj = dir.resolve("fw");
        assertEquals(0, tinyml("codegen", q, "--target", "qemu-mps2-an386", "--output", proj, "--harness",
                "mlperf-tiny").status());
        make(proj);
        Model m = ModelIO.read(q);
        Path in = dir.resolve("in.bin");
        Files.write(in, InputMapping.builder().setInput(m.graph().inputTensor(0)).build()
                .toInputBytes(Datasets.open(slice).get(0)));
        try (EmulatedBoard board = EmulatedBoard.start(proj.resolve("build/harness-m4/firmware.elf"), "mps2-an386",
                Duration.ofSeconds(10))) {
            CliTest.Outcome b = tinyml("device", "bench", board.address(), "--model", q, "--input", in, "--runs", 3);
            assertEquals(0, b.status(), b.err());
            assertTrue(b.out().contains("results:  equal to the interpreter"), b.out());
            CliTest.Outcome r = tinyml("device", "run", board.address(), "--model", q, "--data", slice, "--json");
            assertEquals(0, r.status(), r.err());
            System.out.println("device run mnist8 int8 on the emulated M4 (tinyml eval top-1 " + evalTop1 + "):\n"
                    + r.out());
            assertTrue(r.out().contains("\"samples\": 100"), r.out());
            assertTrue(r.out().contains("\"boardTop1\": " + evalTop1 + ","), r.out());
            assertTrue(r.out().contains("\"top1Agreement\": 100"), r.out());
            assertTrue(r.out().contains("\"resultMismatches\": 0"), r.out());
        }
    }
}
