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

    @Test
    void deviceSideMeasuredOnQemuPlansLikeTheEstimate(@TempDir Path dir) throws Exception {
        require("make");
        require("gcc");
        require("arm-none-eabi-gcc");
        require("qemu-system-arm");
        Model m = TestModels.kws();
        byte[] in = Files.readAllBytes(Assets.require("reference/kws/input.bin"));
        long[] insns = DeviceFirmware.instructionsPerNodeM4(m, dir, in, Duration.ofMinutes(5));
        io.tinyml.core.estimate.Estimator est = io.tinyml.core.estimate.Estimator.builder()
                .setTarget(io.tinyml.core.target.TargetCatalog.get("cortex-m4"))
                .optKernels(io.tinyml.core.estimate.KernelLibrary.GENERATED).build();
        io.tinyml.offload.profile.ModelProfile estimated = io.tinyml.offload.profile.Profiler.profile(m, est, 3,
                io.tinyml.core.ProgressListener.NONE);
        io.tinyml.offload.profile.ModelProfile measured = estimated.withDeviceInstructions(insns, "QEMU count");
        StringBuilder sb = new StringBuilder("kws per node on the device: estimated ms / measured ms (QEMU M4 @ 84 MHz)\n");
        for (int v = 0; v < insns.length; v++) {
            Assertions.assertTrue(insns[v] > 0, "node " + v + " executed instructions");
            sb.append(String.format(java.util.Locale.ROOT, "  %2d %-16s %8.3f %8.3f%n", v, m.graph().node(v).op().kind(),
                    estimated.costGraph().deviceMs(v), measured.costGraph().deviceMs(v)));
        }
        sb.append(String.format(java.util.Locale.ROOT, "  total %.2f ms estimated, %.2f ms measured%n",
                estimated.deviceTotalMs(), measured.deviceTotalMs()));
        System.out.print(sb);
        double r = measured.deviceTotalMs() / estimated.deviceTotalMs();
        Assertions.assertTrue(r > 0.5 && r < 2, "the calibrated estimator is within 2x of QEMU's count: " + r);
        // the planner's decisions at the extremes do not depend on which device profile it is given
        for (io.tinyml.offload.profile.ModelProfile p : List.of(estimated, measured)) {
            io.tinyml.offload.plan.SplitPlan slow = new io.tinyml.offload.plan.SplitPlanner().plan(p.costGraph(),
                    io.tinyml.offload.plan.LinkModel.of(10e3, 5), io.tinyml.offload.plan.Objective.latency(),
                    io.tinyml.offload.plan.Constraints.none(), null);
            assertEquals(io.tinyml.offload.plan.Candidate.Kind.DEVICE_ONLY, slow.best().orElseThrow().kind());
        }
    }
}
