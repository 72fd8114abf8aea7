package io.tinyml.offload.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.offload.TestModels;
import io.tinyml.offload.plan.Candidate;
import io.tinyml.offload.plan.LinkPresets;
import io.tinyml.offload.profile.ModelProfile;
import io.tinyml.offload.profile.Profiler;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

/**
 * Faults on a real loopback link: the edge server killed mid-run (device-only fallback, no lost
 * request) and a slow link injected by a throttling proxy (re-plan after N = 1 slow request).
 */
class SplitClientFaultTest {
    private static final int INPUTS = 4;

    private static ModelProfile profile(Model m) throws Exception {
        Estimator est = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).optKernels(KernelLibrary.GENERATED)
                .build();
        return Profiler.profile(m, est, 3, ProgressListener.NONE);
    }

    @Test
    void edgeKilledMidRunFallsBackToTheDeviceWithoutLosingARequest() throws Exception {
        Model m = TestModels.person();
        byte[][] in = new byte[INPUTS][];
        byte[][] expected = new byte[INPUTS][];
        for (int i = 0; i < INPUTS; i++) {
            in[i] = Profiler.randomInputs(m, new Random(i))[0];
            expected[i] = Interpreter.create(m).invoke(in[i])[0];
        }
        EdgeServer edge = EdgeServer.builder().optEdgeRuns(1).build();
        edge.register("person", m);
        int edgeServed = 0;
        int fallback = 0;
        try (SplitClient c = SplitClient.builder().setProfile(profile(m)).setModelId("person")
                .setEdge("127.0.0.1", edge.tcpPort()).optLink(LinkPresets.get("wifi")).optProbeEvery(5)
                .optDriftThreshold(1e9) // this test is about the fallback: no re-planning on timing noise
                .optTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(10)).build()) {
            assertTrue(c.current().kind() != Candidate.Kind.DEVICE_ONLY, "wifi plan offloads: " + c.planLog());
            for (int r = 0; r < 24; r++) {
                if (r == 10) {
                    edge.close();
                }
                SplitClient.Result res = c.infer(in[r % INPUTS]);
                assertArrayEquals(expected[r % INPUTS], res.outputs()[0], "request " + r + " via " + res.route());
                if (res.route() == SplitClient.Route.EDGE) {
                    edgeServed++;
                    assertTrue(r < 10, "served by a dead edge at request " + r);
                } else {
                    fallback++;
                    assertTrue(r >= 10, "fell back while the edge was up, request " + r);
                }
            }
        } finally {
            edge.close();
        }
        System.out.printf("edge killed after 10 requests: %d served by the edge, %d finished on the device, 0 lost%n",
                edgeServed, fallback);
        assertEquals(10, edgeServed);
        assertEquals(14, fallback);
    }

    @Test
    void slowLinkInjectedIsNoticedAndReplannedWithinOneRequest() throws Exception {
        Model m = TestModels.person();
        byte[] in = Profiler.randomInputs(m, new Random(9))[0];
        byte[] expected = Interpreter.create(m).invoke(in)[0];
        try (EdgeServer edge = EdgeServer.builder().optEdgeRuns(1).build();
             ThrottledProxy proxy = new ThrottledProxy(edge.tcpPort())) {
            edge.register("person", m);
            try (SplitClient c = SplitClient.builder().setProfile(profile(m)).setModelId("person")
                    .setEdge("127.0.0.1", proxy.port()).optLink(LinkPresets.get("wifi")).optProbeEvery(0)
                    .optDriftThreshold(3) // re-plan when a smoothed figure is off by more than 4x
                    .optTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(20)).build()) {
                for (int r = 0; r < 5; r++) {
                    assertArrayEquals(expected, c.infer(in).outputs()[0]);
                }
                Candidate before = c.current();
                assertTrue(before.kind() != Candidate.Kind.DEVICE_ONLY, "fast loopback offloads: " + c.planLog());
                // 100 kbit/s: the 9.2 KB input alone would take 0.74 s, device-only is about 0.25 s
                proxy.throttle(12_500);
                SplitClient.Result slow = c.infer(in);
                assertArrayEquals(expected, slow.outputs()[0]);
                assertEquals(SplitClient.Route.EDGE, slow.route(), "the first slow request still goes to the edge");
                assertTrue(slow.replanned(), "its measurement triggers a re-plan: " + c.planLog());
                SplitClient.Result next = c.infer(in);
                assertArrayEquals(expected, next.outputs()[0]);
                assertTrue(c.current().upBytes() < before.upBytes(), "the new plan sends less: " + c.planLog());
                System.out.println("plan log:\n  " + String.join("\n  ", c.planLog()));
                DeviceManager.DeviceStatus st = edge.devices().status().get(0);
                assertEquals(6, st.requests(), "5 fast + 1 slow request reached the edge");
                assertTrue(st.linkMicrosEma() > 0 && st.uplinkBitsPerSecondEma() > 0,
                        "the edge tracks the link figures the device reports: " + st);
            }
        }
    }
}
