package io.tinyml.offload.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.offload.TestModels;
import io.tinyml.offload.profile.ModelSplit;
import io.tinyml.offload.profile.Profiler;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A bounded load test of the edge server on loopback: 16 simulated devices, each on its own TCP
 * connection, send 500 requests each (person_detect cut after 28 nodes: 256 B up, the edge runs the
 * last 3 nodes). Prints throughput and p50/p99 round trips; asserts only correctness: no lost and no
 * mismatched result, and the device manager's counts.
 */
class EdgeLoadTest {
    static final int DEVICES = 16;
    static final int REQUESTS = 500;
    static final int INPUTS = 8;

    @Test
    void sixteenDevicesTimesFiveHundredRequestsLoseAndMismatchNothing() throws Exception {
        Model m = TestModels.person();
        ModelSplit s = ModelSplit.afterNodes(m, 28);
        List<List<WireTensor>> cuts = new ArrayList<>();
        byte[][] expected = new byte[INPUTS][];
        for (int i = 0; i < INPUTS; i++) {
            byte[] in = Profiler.randomInputs(m, new Random(100 + i))[0];
            byte[][] pre = Interpreter.create(s.prefix()).invoke(in);
            cuts.add(List.of(WireTensor.of(s.sentTensorInfo().get(0), s.cutValues(pre)[0])));
            expected[i] = Interpreter.create(m).invoke(in)[0];
        }
        long distinct = Arrays.stream(expected).map(Arrays::toString).distinct().count();
        try (EdgeServer edge = EdgeServer.builder().optEdgeRuns(1).build()) {
            edge.register("person", m);
            ExecutorService pool = Executors.newFixedThreadPool(DEVICES);
            long t0 = System.nanoTime();
            List<Future<long[]>> fs = new ArrayList<>();
            for (int d = 0; d < DEVICES; d++) {
                String dev = "sim-" + d;
                int seed = d;
                fs.add(pool.submit(() -> {
                    long[] rtt = new long[REQUESTS];
                    try (TcpTransport t = TcpTransport.connect("127.0.0.1", edge.tcpPort(), Duration.ofSeconds(5),
                            Duration.ofSeconds(30))) {
                        for (int r = 0; r < REQUESTS; r++) {
                            int k = (seed + r) % INPUTS;
                            long a = System.nanoTime();
                            t.send(SplitMessage.request(r + 1, dev, "person", s.id(), 0, 0, cuts.get(k)));
                            SplitMessage reply = t.receive();
                            rtt[r] = System.nanoTime() - a;
                            assertEquals(SplitMessage.Type.RESULT, reply.type(), reply.text());
                            assertEquals(r + 1, reply.requestId(), "replies in order");
                            assertArrayEquals(expected[k], reply.tensors().get(0).data(), dev + " request " + r);
                        }
                    }
                    return rtt;
                }));
            }
            pool.shutdown();
            // no time bound: every request ends in a reply or in the transport's read timeout, so each device ends
            long[] all = new long[DEVICES * REQUESTS];
            int n = 0;
            for (Future<long[]> f : fs) {
                for (long v : f.get()) {
                    all[n++] = v;
                }
            }
            long wall = System.nanoTime() - t0;
            Arrays.sort(all);
            System.out.printf("load: %d devices x %d requests = %d results, 0 lost, 0 mismatched (%d distinct expected"
                            + " outputs); %.0f req/s; round trip p50 %.3f ms, p99 %.3f ms%n", DEVICES, REQUESTS, n,
                    distinct, n / (wall / 1e9), all[n / 2] / 1e6, all[(int) (n * 0.99)] / 1e6);
            assertEquals(DEVICES * REQUESTS, n);
            long counted = edge.devices().status().stream().filter(d -> d.deviceId().startsWith("sim-"))
                    .mapToLong(DeviceManager.DeviceStatus::requests).sum();
            assertEquals(DEVICES * REQUESTS, counted, "the device manager saw every request");
        }
    }
}
