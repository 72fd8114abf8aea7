package io.tinyml.offload.firmware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.offload.TestModels;
import io.tinyml.offload.profile.ModelSplit;
import io.tinyml.offload.runtime.EdgeServer;
import io.tinyml.offload.runtime.SplitMessage;
import io.tinyml.offload.runtime.TcpTransport;
import io.tinyml.offload.runtime.WireTensor;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * End to end: person_detect's prefix generated as C runs on QEMU Cortex-M4 (mps2-an386), its cut
 * tensor goes over TCP to the edge server, which runs the suffix in the interpreter; the final output
 * bytes equal the whole int8 model in the interpreter, for three cuts.
 */
class SplitOnQemuTest {

    static void require(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return;
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("required tool missing in CI: " + tool);
        }
        Assumptions.abort("tool not installed: " + tool);
    }

    @Test
    void threeCutsOfPersonDetectOnQemuM4ThroughTheEdgeServerMatchTheWholeModel(@TempDir Path dir) throws Exception {
        require("make");
        require("arm-none-eabi-gcc");
        require("qemu-system-arm");
        Model m = TestModels.person();
        Path input = Assets.require("reference/person/input.bin");
        byte[] in = Files.readAllBytes(input);
        byte[] whole = Interpreter.create(m).invoke(in)[0];
        assertArrayEquals(Files.readAllBytes(Assets.require("reference/person/layer30_op25.bin")), whole,
                "the whole int8 model in the interpreter = TFLM's recording");
        try (EdgeServer edge = EdgeServer.builder().optEdgeRuns(1).build()) {
            edge.register("person", m);
            try (TcpTransport t = TcpTransport.connect("127.0.0.1", edge.tcpPort(), Duration.ofSeconds(2),
                    Duration.ofSeconds(30))) {
                long id = 0;
                for (int k : new int[] {4, 14, 28}) {
                    ModelSplit s = ModelSplit.afterNodes(m, k);
                    Path pd = dir.resolve("k" + k);
                    DeviceFirmware.generate(s, "split").writeTo(pd, false);
                    DeviceFirmware.build(pd, Duration.ofMinutes(5));
                    byte[][] cut = DeviceFirmware.runQemuM4(pd, input, s.sentTensors().size(), Duration.ofMinutes(2));
                    // the device's cut bytes are the interpreter's prefix bytes
                    byte[][] javaCut = s.cutValues(Interpreter.create(s.prefix()).invoke(in));
                    assertArrayEquals(javaCut[0], cut[0], "cut after " + k + " nodes on QEMU vs interpreter");
                    List<WireTensor> ts = new ArrayList<>();
                    for (int i = 0; i < cut.length; i++) {
                        ts.add(WireTensor.of(s.sentTensorInfo().get(i), cut[i]));
                    }
                    t.send(SplitMessage.request(++id, "qemu-m4", "person", s.id(), 0, 0, ts));
                    SplitMessage r = t.receive();
                    assertEquals(SplitMessage.Type.RESULT, r.type(), r.text());
                    byte[][] got = s.assemble(cut, new byte[][] {r.tensors().get(0).data()});
                    assertArrayEquals(whole, got[0], "final output, cut after " + k + " nodes ("
                            + cut[0].length + " B sent)");
                    System.out.printf("cut after %d nodes: %d B from QEMU M4 over TCP, edge %d us, output %s%n", k,
                            cut[0].length, r.edgeMicros(), java.util.Arrays.toString(got[0]));
                }
            }
        }
    }
}
