package io.tinyml.core.estimate.plan;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Property tests of the planners over seeded random graphs and problems, checked by the overlap verifier. */
class PlannerPropertyTest {
    static final int RANDOM_GRAPHS = 300;
    static final int RANDOM_PROBLEMS = 500;
    static final int LINEAR_CHAINS = 200;
    static final int BRUTE_FORCE_CASES = 150;

    private final MemoryPlanner greedy = new GreedyBySizePlanner();
    private final MemoryPlanner optimal = new OptimalPlanner(Duration.ofDays(1), 1_000_000, (t, d, n) -> { });

    /** A random DAG of float tensors [1, c]: ReLU, concatenation of two earlier tensors, fully connected. */
    static Graph randomGraph(Random r) {
        GraphBuilder b = new GraphBuilder();
        List<Integer> avail = new ArrayList<>();
        avail.add(b.addInput(Tensor.activation("in", DataType.FLOAT32, Shape.of(1, 1 + r.nextInt(64)))));
        int nodes = 2 + r.nextInt(14);
        for (int i = 0; i < nodes; i++) {
            int kind = r.nextInt(3);
            int x = avail.get(r.nextInt(avail.size()));
            int c = b.tensor(x).shape().dim(1);
            int out;
            if (kind == 0) {
                out = b.addTensor(Tensor.activation("t" + i, DataType.FLOAT32, Shape.of(1, c)));
                b.addNode("n" + i, new Op.Relu(), List.of(x), List.of(out));
            } else if (kind == 1 && avail.size() > 1) {
                int y = avail.get(r.nextInt(avail.size()));
                int c2 = b.tensor(y).shape().dim(1);
                out = b.addTensor(Tensor.activation("t" + i, DataType.FLOAT32, Shape.of(1, c + c2)));
                b.addNode("n" + i, new Op.Concatenation(1, Activation.NONE), List.of(x, y), List.of(out));
            } else {
                int o = 1 + r.nextInt(96);
                int w = b.addTensor(Tensor.ofFloats("w" + i, Shape.of(o, c), new float[o * c]));
                out = b.addTensor(Tensor.activation("t" + i, DataType.FLOAT32, Shape.of(1, o)));
                b.addNode("n" + i, new Op.FullyConnected(Activation.NONE, false), List.of(x, w), List.of(out));
            }
            avail.add(out);
        }
        b.addOutput(avail.get(avail.size() - 1));
        return b.build();
    }

    @Test
    void randomGraphsNoOverlapAndOptimalNeverWorse() {
        Random r = new Random(42);
        int strictlyBetter = 0;
        for (int k = 0; k < RANDOM_GRAPHS; k++) {
            Graph g = randomGraph(r);
            PlanProblem p = PlanProblem.of(g, k % 2 == 0 ? EnumSet.noneOf(InPlace.class) : EnumSet.allOf(InPlace.class),
                    null, 16);
            MemoryPlan gp = greedy.plan(p);
            MemoryPlan op = optimal.plan(p);
            OverlapVerifier.verify(gp);
            OverlapVerifier.verify(op);
            assertTrue(op.peak() <= gp.peak(), "optimal " + op.peak() + " > greedy " + gp.peak());
            assertTrue(gp.peak() >= p.lowerBound() && op.peak() >= p.lowerBound());
            assertEquals(op.peak() - p.lowerBound(), op.gap());
            strictlyBetter += op.peak() < gp.peak() ? 1 : 0;
        }
        System.out.println("random graphs: " + RANDOM_GRAPHS + ", optimal strictly better than greedy on " + strictlyBetter);
    }

    @Test
    void randomProblemsNoOverlapAndOptimalNeverWorse() {
        Random r = new Random(7);
        int strictlyBetter = 0;
        for (int k = 0; k < RANDOM_PROBLEMS; k++) {
            int n = 2 + r.nextInt(14);
            long[] sizes = new long[n];
            int[] first = new int[n];
            int[] last = new int[n];
            for (int i = 0; i < n; i++) {
                sizes[i] = 1 + r.nextInt(4096);
                first[i] = r.nextInt(10);
                last[i] = first[i] + r.nextInt(5);
            }
            PlanProblem p = PlanProblem.ofBuffers(sizes, first, last, 16);
            MemoryPlan gp = greedy.plan(p);
            MemoryPlan op = optimal.plan(p);
            OverlapVerifier.verify(gp);
            OverlapVerifier.verify(op);
            assertTrue(op.peak() <= gp.peak());
            assertTrue(op.peak() >= p.lowerBound());
            strictlyBetter += op.peak() < gp.peak() ? 1 : 0;
        }
        System.out.println("random problems: " + RANDOM_PROBLEMS + ", optimal strictly better on " + strictlyBetter);
        assertTrue(strictlyBetter > 0, "expected the exact search to beat greedy somewhere");
    }

    @Test
    void linearChainsReachTheLowerBound() {
        Random r = new Random(3);
        int greedyAtBound = 0;
        for (int k = 0; k < LINEAR_CHAINS; k++) {
            GraphBuilder b = new GraphBuilder();
            int x = b.addInput(Tensor.activation("in", DataType.FLOAT32, Shape.of(1, 1 + r.nextInt(200))));
            int len = 1 + r.nextInt(20);
            for (int i = 0; i < len; i++) {
                int c = b.tensor(x).shape().dim(1);
                int o = 1 + r.nextInt(200);
                int w = b.addTensor(Tensor.ofFloats("w" + i, Shape.of(o, c), new float[o * c]));
                int y = b.addTensor(Tensor.activation("t" + i, DataType.FLOAT32, Shape.of(1, o)));
                b.addNode("fc" + i, new Op.FullyConnected(Activation.NONE, false), List.of(x, w), List.of(y));
                x = y;
            }
            b.addOutput(x);
            PlanProblem p = PlanProblem.of(b.build(), EnumSet.noneOf(InPlace.class), null, 16);
            MemoryPlan op = new OptimalPlanner(Duration.ofDays(1), 50_000_000, (t, d, n) -> { }).plan(p);
            OverlapVerifier.verify(op);
            assertEquals(p.lowerBound(), op.peak(), "chain " + k);
            assertTrue(op.provenOptimal());
            MemoryPlan gp = greedy.plan(p);
            OverlapVerifier.verify(gp);
            assertTrue(gp.peak() >= op.peak());
            greedyAtBound += gp.peak() == p.lowerBound() ? 1 : 0;
        }
        // greedy-by-size is not optimal on chains (a large buffer placed first can split the arena)
        System.out.println("linear chains: " + LINEAR_CHAINS + ", greedy at the lower bound on " + greedyAtBound);
    }

    /** Exhaustive search over every aligned offset assignment of up to four buffers: an independent optimum. */
    @Test
    void optimalEqualsBruteForceOnSmallProblems() {
        Random r = new Random(11);
        for (int k = 0; k < BRUTE_FORCE_CASES; k++) {
            int n = 2 + r.nextInt(3);
            long[] sizes = new long[n];
            int[] first = new int[n];
            int[] last = new int[n];
            for (int i = 0; i < n; i++) {
                sizes[i] = 16L * (1 + r.nextInt(5));
                first[i] = r.nextInt(4);
                last[i] = first[i] + r.nextInt(3);
            }
            PlanProblem p = PlanProblem.ofBuffers(sizes, first, last, 16);
            long brute = brute(p, new long[n], 0, Long.MAX_VALUE);
            MemoryPlan op = optimal.plan(p);
            OverlapVerifier.verify(op);
            assertEquals(brute, op.peak(), "case " + k);
        }
    }

    private static long brute(PlanProblem p, long[] off, int i, long best) {
        List<Buffer> bs = p.buffers();
        if (i == bs.size()) {
            long peak = 0;
            for (Buffer b : bs) {
                peak = Math.max(peak, off[b.id()] + b.size());
            }
            return Math.min(best, peak);
        }
        long total = 0;
        for (Buffer b : bs) {
            total += b.size();
        }
        for (long o = 0; o + bs.get(i).size() <= total; o += 16) {
            boolean ok = true;
            for (int j = 0; j < i && ok; j++) {
                Buffer a = bs.get(j);
                Buffer b = bs.get(i);
                if (a.overlapsInTime(b) && off[j] < o + b.size() && o < off[j] + a.size()) {
                    ok = false;
                }
            }
            if (ok) {
                off[i] = o;
                best = brute(p, off, i + 1, best);
            }
        }
        return best;
    }

    @Test
    void tooSmallBudgetsAreReported() {
        Random r = new Random(5);
        for (int k = 0; k < 100; k++) {
            Graph g = randomGraph(r);
            PlanProblem p = PlanProblem.of(g, EnumSet.noneOf(InPlace.class), null, 16);
            MemoryPlan plan = greedy.plan(p);
            assertTrue(plan.checkBudget(plan.peak()).isEmpty());
            String over = plan.checkBudget(plan.peak() - 16).orElseThrow();
            assertTrue(over.contains("16 bytes over"), over);
            String impossible = plan.checkBudget(p.lowerBound() - 1).orElseThrow();
            assertTrue(impossible.contains("no plan can fit"), impossible);
        }
    }

    @Test
    void verifierCatchesOverlap() {
        PlanProblem p = PlanProblem.ofBuffers(new long[] {32, 32}, new int[] {0, 0}, new int[] {1, 1}, 16);
        MemoryPlan bad = new MemoryPlan("bad", p, new long[] {0, 16}, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OverlapVerifier.verify(bad));
        assertTrue(e.getMessage().startsWith("expected disjoint memory"), e.getMessage());
        OverlapVerifier.verify(new MemoryPlan("ok", p, new long[] {0, 32}, false));
        // buffers never live together may share memory
        PlanProblem q = PlanProblem.ofBuffers(new long[] {32, 32}, new int[] {0, 2}, new int[] {1, 3}, 16);
        OverlapVerifier.verify(new MemoryPlan("shared", q, new long[] {0, 0}, false));
    }

    @Test
    void reshapeAliasAndInPlaceShareBuffers() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 64)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 64)));
        int z = b.addTensor(Tensor.activation("z", DataType.FLOAT32, Shape.of(1, 8, 8)));
        int u = b.addTensor(Tensor.activation("u", DataType.FLOAT32, Shape.of(1, 8, 8)));
        b.addNode("relu", new Op.Relu(), List.of(x), List.of(y));
        b.addNode("reshape", new Op.Reshape(), List.of(y), List.of(z));
        b.addNode("relu2", new Op.Relu(), List.of(z), List.of(u));
        b.addOutput(u);
        Graph g = b.build();
        PlanProblem none = PlanProblem.of(g, EnumSet.noneOf(InPlace.class), null, 16);
        PlanProblem reshape = PlanProblem.of(g, EnumSet.of(InPlace.RESHAPE_ALIAS), null, 16);
        PlanProblem all = PlanProblem.of(g, EnumSet.allOf(InPlace.class), null, 16);
        assertEquals(4, none.buffers().size());
        assertEquals(3, reshape.buffers().size());
        assertEquals(reshape.bufferOfTensor(y), reshape.bufferOfTensor(z));
        assertEquals(512, reshape.lowerBound());
        // the graph input is never overwritten; y=z may be overwritten by u
        assertEquals(2, all.buffers().size());
        assertEquals(all.bufferOfTensor(z), all.bufferOfTensor(u));
        assertFalse(all.bufferOfTensor(x) == all.bufferOfTensor(y));
        assertEquals(512, all.lowerBound());
    }

    @Test
    void exhaustedWorkBudgetIsReportedAndProgressIsSent() {
        Random r = new Random(7);
        int checked = 0;
        for (int k = 0; k < 200 && checked < 10; k++) {
            int n = 14;
            long[] sizes = new long[n];
            int[] first = new int[n];
            int[] last = new int[n];
            for (int i = 0; i < n; i++) {
                sizes[i] = 1 + r.nextInt(4096);
                first[i] = r.nextInt(10);
                last[i] = first[i] + r.nextInt(5);
            }
            PlanProblem p = PlanProblem.ofBuffers(sizes, first, last, 16);
            MemoryPlan gp = greedy.plan(p);
            if (gp.peak() == p.lowerBound()) {
                continue;
            }
            java.util.List<Long> reports = new ArrayList<>();
            MemoryPlan none = new OptimalPlanner(Duration.ofDays(1), 1, (t, d, total) -> reports.add(total)).plan(p);
            // one search node only: the greedy seed comes back, not claimed optimal, and progress was reported
            assertEquals(gp.peak(), none.peak());
            assertFalse(none.provenOptimal());
            assertEquals(List.of(Duration.ofDays(1).toMillis()), reports);
            OverlapVerifier.verify(none);
            checked++;
        }
        assertEquals(10, checked);
    }
}
