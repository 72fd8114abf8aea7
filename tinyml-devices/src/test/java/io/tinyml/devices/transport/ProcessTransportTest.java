package io.tinyml.devices.transport;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.DeviceException;
import io.tinyml.devices.harness.HarnessOptions;
import io.tinyml.devices.harness.InferenceResult;
import io.tinyml.devices.harness.ResultCheck;
import io.tinyml.devices.install.Tools;
import io.tinyml.devices.testing.TestTools;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness built as a static Linux program (a Linux-class device) behind {@link ProcessTransport}:
 * kws results equal the interpreter's; the aarch64 build runs under qemu-aarch64 when a cross compiler exists.
 */
class ProcessTransportTest {
    static Path build(Path dir, String target) throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        return TestTools.make(kws, dir, target).resolve("build/" + target + "/harness");
    }

    /**
     * Loads kws's input into a harness, infers and compares with the interpreter.
     *
     * @param line the harness's line (closed here)
     * @return the inference
     */
    static InferenceResult benchKws(Transport line) throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        byte[] in = Files.readAllBytes(Assets.require("models/tflite/kws_dscnn_input0_int8.bin"));
        try (DeviceClient c = DeviceClient.connect(line, HarnessOptions.defaults())) {
            assertEquals("tinyml", c.identify().model());
            c.load(in);
            InferenceResult r = c.infer(3, 1);
            ResultCheck check = ResultCheck.of(kws.graph(), Interpreter.create(kws).invoke(in.clone()), r.results());
            assertTrue(check.equal(), check.toString());
            assertTrue(r.endMicros() >= r.startMicros());
            return r;
        }
    }

    @Test
    void theHostHarnessEqualsTheInterpreterAndItsEndIsDetected(@TempDir Path dir) throws Exception {
        TestTools.require("make", "gcc");
        Path exe = build(dir, "harness-host");
        benchKws(ProcessTransport.start(List.of(exe.toString())));
        ProcessTransport t = ProcessTransport.start(List.of(exe.toString()));
        try (DeviceClient c = DeviceClient.connect(t, HarnessOptions.defaults())) {
            t.handle().destroyForcibly();
            t.handle().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            DeviceException e = assertThrows(DeviceException.class, () -> c.load(new byte[490]));
            // whether the write or the read that follows sees the end first depends on the pipe; either names it
            assertTrue(e.getMessage().startsWith("exec:" + exe + " closed the line")
                    && e.getMessage().endsWith("(board reset, unplugged or killed?)"), e.getMessage());
        }
        assertTrue(Transports.open("exec:" + exe, 0, Duration.ofSeconds(1)) instanceof ProcessTransport);
    }

    @Test
    void theAarch64HarnessRunsUnderQemuUserMode(@TempDir Path dir) throws Exception {
        // gcc-aarch64-linux-gnu is not among the CI packages: without it this test is skipped, even in CI
        Assumptions.assumeTrue(Tools.find("aarch64-linux-gnu-gcc").isPresent() && Tools.find("qemu-aarch64").isPresent(),
                "aarch64-linux-gnu-gcc or qemu-aarch64 not installed");
        Path exe = build(dir, "harness-aarch64");
        benchKws(ProcessTransport.start(List.of("qemu-aarch64", exe.toString())));
    }
}
