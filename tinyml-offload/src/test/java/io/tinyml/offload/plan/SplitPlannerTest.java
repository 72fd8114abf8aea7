package io.tinyml.offload.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

class SplitPlannerTest {

    /** x(1000 B) -> L0 -> t0(10 B) -> L1 -> t1(500 B) -> L2 -> t2(4 B). */
    private static CostGraph chain() {
        CostGraph.Builder b = CostGraph.builder();
        int x = b.addInput("x", 1000);
        int t0 = b.addTensor("t0", 10);
        int t1 = b.addTensor("t1", 500);
        int t2 = b.addTensor("t2", 4);
        b.addNode("L0", 1, 10, 0.1, new int[] {x}, new int[] {t0});
        b.addNode("L1", 2, 20, 0.2, new int[] {t0}, new int[] {t1});
        b.addNode("L2", 4, 40, 0.4, new int[] {t1}, new int[] {t2});
        b.markOutput(t2);
        return b.build();
    }

    private static BitSet bits(int... v) {
        BitSet s = new BitSet();
        for (int i : v) {
            s.set(i);
        }
        return s;
    }

    @Test
    void chainCutSendsTheOutputOfTheLastDeviceLayerAndCountsEachLayerOnce() {
        CostGraph g = chain();
        LinkModel link = new LinkModel("t", 8000, 8000, 3, 2, 1, 0, "test"); // 1 byte per ms each way
        SplitPlan p = new SplitPlanner().plan(g, link, Objective.latency(), Constraints.none(), null);
        assertEquals(4, p.candidates().size(), "a 3-node chain has 4 cuts");
        Candidate afterL0 = p.candidates().stream().filter(c -> c.deviceNodes().equals(bits(0))).findFirst().orElseThrow();
        assertEquals(List.of(1), afterL0.sentTensors(), "L0 on the device sends its own output t0");
        // device L0 (1) + t0 up (10) + rtt (3) + edge L1, L2 (0.2 + 0.4) + t2 down (4)
        assertEquals(1 + 10 + 3 + 0.6 + 4, afterL0.latencyMs(), 1e-9);
        assertEquals(10 + 2 * 10 + 1 * 4, afterL0.energyUj(), 1e-9, "compute + tx 2 mW x 10 ms + rx 1 mW x 4 ms");
        Candidate afterL1 = p.candidates().stream().filter(c -> c.deviceNodes().equals(bits(0, 1))).findFirst()
                .orElseThrow();
        assertEquals(List.of(2), afterL1.sentTensors());
        assertEquals(1 + 2 + 500 + 3 + 0.4 + 4, afterL1.latencyMs(), 1e-9);
        assertEquals(1 + 2 + 4, p.deviceOnly().latencyMs(), 1e-9);
        assertEquals(0, p.deviceOnly().upBytes());
        assertEquals(1000 + 3 + 0.7 + 4, p.edgeOnly().latencyMs(), 1e-9);
        assertEquals(p.deviceOnly(), p.best().orElseThrow(), "7 ms on the device beats 18.6 ms mixed");
        // 10 bytes per ms, no rtt: L0 on the device, then t0 (1 ms), edge 0.6 ms, t2 back 0.4 ms = 3 ms
        SplitPlan fast = new SplitPlanner().plan(g, LinkModel.of(80_000, 0), Objective.latency(), Constraints.none(),
                null);
        assertEquals(bits(0), fast.best().orElseThrow().deviceNodes());
        assertEquals(3.0, fast.best().get().latencyMs(), 1e-9);
    }

    @Test
    void residualCutSendsEveryCrossingTensor() {
        CostGraph.Builder b = CostGraph.builder();
        int x = b.addInput("x", 100);
        int a = b.addTensor("a", 7);
        int bt = b.addTensor("b", 9);
        int c = b.addTensor("c", 7);
        b.addNode("A", 1, 1, 1, new int[] {x}, new int[] {a});
        b.addNode("B", 1, 1, 1, new int[] {a}, new int[] {bt});
        b.addNode("Add", 1, 1, 1, new int[] {a, bt}, new int[] {c});
        b.markOutput(c);
        CostGraph g = b.build();
        SplitPlan p = new SplitPlanner().plan(g, LinkModel.of(8000, 0), Objective.latency(), Constraints.none(), null);
        Candidate ab = p.candidates().stream().filter(k -> k.deviceNodes().equals(bits(0, 1))).findFirst().orElseThrow();
        assertEquals(List.of(a, bt), ab.sentTensors(), "the skip connection crosses the cut too");
        assertEquals(16, ab.upBytes());
        assertFalse(SplitPlanner.isDownwardClosed(g, bits(1)), "B without its producer A");
        assertThrows(IllegalArgumentException.class, () -> new SplitPlanner().evaluate(g, bits(0, 2), LinkModel.of(1, 0),
                Objective.latency(), Constraints.none(), null, 1, 1));
    }

    @Test
    void linkLimitExcludesCutsThatSendTooMuch() {
        CostGraph g = chain();
        SplitPlan p = new SplitPlanner().plan(g, LinkModel.of(1e9, 0), Objective.latency(),
                Constraints.none().withMaxLinkBytes(100), null);
        assertFalse(p.edgeOnly().feasible(), "edge-only sends 1000 B > 100 B");
        assertTrue(p.best().orElseThrow().upBytes() <= 100);
    }

    /** The planner against brute force over all 2^n node subsets of 240 random DAGs. */
    @Test
    void plannerMatchesBruteForceOnRandomDags() {
        Random r = new Random(16);
        int graphs = 240;
        int mixedWins = 0;
        for (int gi = 0; gi < graphs; gi++) {
            int n = 1 + r.nextInt(12);
            CostGraph.Builder b = CostGraph.builder();
            double awake = r.nextBoolean() ? r.nextDouble() * 40 : 0;
            b.optTransferPowerMw(awake);
            List<Integer> avail = new ArrayList<>();
            int inputs = 1 + r.nextInt(2);
            for (int i = 0; i < inputs; i++) {
                avail.add(b.addInput("in" + i, 1 + r.nextInt(5000)));
            }
            Set<Integer> read = new HashSet<>();
            for (int v = 0; v < n; v++) {
                int k = 1 + r.nextInt(Math.min(3, avail.size()));
                TreeSet<Integer> ins = new TreeSet<>();
                while (ins.size() < k) {
                    // prefer recent tensors, so that graphs look like networks with skips
                    int idx = avail.size() - 1 - Math.min(avail.size() - 1, (int) Math.abs(r.nextGaussian() * 2.5));
                    ins.add(avail.get(idx));
                }
                read.addAll(ins);
                int outs = r.nextInt(5) == 0 ? 2 : 1;
                int[] o = new int[outs];
                for (int j = 0; j < outs; j++) {
                    o[j] = b.addTensor("n" + v + "o" + j, r.nextInt(4000));
                }
                b.addNode("n" + v, r.nextDouble() * 50, r.nextDouble() * 500, r.nextDouble() * 5,
                        ins.stream().mapToInt(Integer::intValue).toArray(), o);
                for (int t : o) {
                    avail.add(t);
                }
            }
            for (int t : avail) {
                if (!read.contains(t) && t >= inputs) {
                    b.markOutput(t);
                }
            }
            CostGraph g = b.build();
            double bw = Math.pow(10, 3 + r.nextDouble() * 5);
            LinkModel link = new LinkModel("r", bw, bw * (0.5 + r.nextDouble()), r.nextDouble() * 20,
                    r.nextDouble() * 100, r.nextDouble() * 50, r.nextDouble() * 0.3, "random");
            Objective obj = switch (r.nextInt(3)) {
                case 0 -> Objective.latency();
                case 1 -> Objective.energy();
                default -> new Objective(r.nextDouble(), r.nextDouble() + 0.01);
            };
            Constraints c = Constraints.none();
            if (r.nextBoolean()) {
                c = c.withMaxLinkBytes(r.nextInt(8000));
            }
            if (r.nextBoolean()) {
                c = c.withMaxDeviceRam(r.nextInt(20000));
            }
            PrefixResources res = d -> {
                long ram = 0;
                for (int v = d.nextSetBit(0); v >= 0; v = d.nextSetBit(v + 1)) {
                    for (int t : g.nodeOutputs(v)) {
                        ram += g.tensorBytes(t);
                    }
                }
                return new long[] {ram, 0};
            };
            SplitPlan plan = new SplitPlanner().plan(g, link, obj, c, res);
            Brute brute = brute(g, link, obj, c, res);
            assertEquals(brute.valid, plan.candidates().size(), "cut count of graph " + gi);
            Set<BitSet> seen = new HashSet<>();
            for (Candidate k : plan.candidates()) {
                assertTrue(seen.add(k.deviceNodes()), "duplicate cut in graph " + gi);
            }
            if (brute.best == Double.POSITIVE_INFINITY) {
                assertTrue(plan.best().isEmpty(), "graph " + gi + ": nothing is feasible");
            } else {
                double got = plan.best().orElseThrow().cost();
                assertEquals(brute.best, got, 1e-9 * Math.max(1, brute.best), "best cost of graph " + gi);
                if (plan.best().get().kind() == Candidate.Kind.MIXED) {
                    mixedWins++;
                }
            }
        }
        assertTrue(mixedWins > 10, "random graphs exercise mixed cuts: " + mixedWins);
    }

    private record Brute(int valid, double best) {
    }

    /** Independent of the planner: every subset, closure and cost straight from the definitions. */
    private static Brute brute(CostGraph g, LinkModel link, Objective obj, Constraints c, PrefixResources res) {
        int n = g.nodeCount();
        double allMs = 0;
        double allUj = 0;
        for (int v = 0; v < n; v++) {
            allMs += g.deviceMs(v);
            allUj += g.deviceUj(v);
        }
        int valid = 0;
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < (1 << n); mask++) {
            boolean closed = true;
            for (int v = 0; v < n && closed; v++) {
                if ((mask >> v & 1) == 1) {
                    for (int t : g.nodeInputs(v)) {
                        int p = g.producer(t);
                        if (p >= 0 && (mask >> p & 1) == 0) {
                            closed = false;
                        }
                    }
                }
            }
            if (!closed) {
                continue;
            }
            valid++;
            double dev = 0;
            double uj = 0;
            double edge = 0;
            Set<Integer> up = new TreeSet<>();
            for (int v = 0; v < n; v++) {
                if ((mask >> v & 1) == 1) {
                    dev += g.deviceMs(v);
                    uj += g.deviceUj(v);
                } else {
                    edge += g.edgeMs(v);
                    for (int t : g.nodeInputs(v)) {
                        int p = g.producer(t);
                        if (p < 0 || (mask >> p & 1) == 1) {
                            up.add(t);
                        }
                    }
                }
            }
            Set<Integer> down = new TreeSet<>();
            for (int t : g.outputs()) {
                int p = g.producer(t);
                if (p >= 0 && (mask >> p & 1) == 0) {
                    down.add(t);
                }
            }
            long upB = up.stream().mapToLong(g::tensorBytes).sum();
            long downB = down.stream().mapToLong(g::tensorBytes).sum();
            boolean all = mask == (1 << n) - 1;
            double upMs = upB * 8000.0 / link.uplinkBitsPerSecond() / (1 - link.loss());
            double downMs = downB * 8000.0 / link.downlinkBitsPerSecond() / (1 - link.loss());
            double lat = dev + edge + (all ? 0 : link.rttMs() + upMs + downMs);
            double en = uj + (link.txPowerMw() + g.transferPowerMw()) * upMs + (link.rxPowerMw() + g.transferPowerMw())
                    * downMs;
            BitSet d = new BitSet();
            for (int v = 0; v < n; v++) {
                if ((mask >> v & 1) == 1) {
                    d.set(v);
                }
            }
            if (upB > c.maxLinkBytes() || res.ramAndFlash(d)[0] > c.maxDeviceRamBytes()) {
                continue;
            }
            double cost = obj.latencyWeight() * lat / allMs + obj.energyWeight() * en / allUj;
            best = Math.min(best, cost);
        }
        return new Brute(valid, best);
    }
}
