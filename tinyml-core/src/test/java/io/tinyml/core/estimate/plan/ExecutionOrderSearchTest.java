package io.tinyml.core.estimate.plan;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.target.TargetCatalog;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutionOrderSearchTest {
    static final int RANDOM_GRAPHS = 200;

    /** Two branches from x, each through a 1000-float intermediate, written interleaved, then concatenated. */
    static Graph interleavedBranches() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4)));
        int[] mid = new int[2];
        int[] end = new int[2];
        for (int k = 0; k < 2; k++) {
            mid[k] = b.addTensor(Tensor.activation("m" + k, DataType.FLOAT32, Shape.of(1, 1000)));
            end[k] = b.addTensor(Tensor.activation("e" + k, DataType.FLOAT32, Shape.of(1, 4)));
        }
        for (int k = 0; k < 2; k++) {
            int w = b.addTensor(Tensor.ofFloats("w1" + k, Shape.of(1000, 4), new float[4000]));
            b.addNode("up" + k, new Op.FullyConnected(Activation.NONE, false), List.of(x, w), List.of(mid[k]));
        }
        for (int k = 0; k < 2; k++) {
            int w = b.addTensor(Tensor.ofFloats("w2" + k, Shape.of(4, 1000), new float[4000]));
            b.addNode("down" + k, new Op.FullyConnected(Activation.NONE, false), List.of(mid[k], w), List.of(end[k]));
        }
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 8)));
        b.addNode("cat", new Op.Concatenation(1, Activation.NONE), List.of(end[0], end[1]), List.of(y));
        b.addOutput(y);
        return b.build();
    }

    @Test
    void branchesAreRunOneAfterTheOther() {
        Graph g = interleavedBranches();
        int[] identity = {0, 1, 2, 3, 4};
        assertEquals(16 + 4000 + 4000, ExecutionOrderSearch.peakLiveBytes(g, identity, null, 16));
        int[] best = new ExecutionOrderSearch(Duration.ofDays(1), 5_000_000, ProgressListener.NONE).bestOrder(g, null, 16);
        assertArrayEquals(new int[] {0, 2, 1, 3, 4}, best);
        assertEquals(16 + 4000 + 16, ExecutionOrderSearch.peakLiveBytes(g, best, null, 16));
        Model m = Model.of(g, Provenance.builtInCode("branches"));
        Estimate plain = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).build().estimate(m);
        Estimate searched = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4"))
                .optOrderSearch(Duration.ofDays(1), 5_000_000).build().estimate(m);
        assertEquals(8016, plain.ram().activations());
        assertEquals(4032, searched.ram().activations());
        assertEquals(List.of(0, 2, 1, 3, 4), searched.layers().stream().map(l -> l.node()).toList());
    }

    @Test
    void neverWorseThanTheGraphOrderOnRandomGraphs() {
        Random r = new Random(99);
        int better = 0;
        for (int k = 0; k < RANDOM_GRAPHS; k++) {
            Graph g = PlannerPropertyTest.randomGraph(r);
            int[] identity = new int[g.nodes().size()];
            for (int i = 0; i < identity.length; i++) {
                identity[i] = i;
            }
            int[] best = new ExecutionOrderSearch(Duration.ofDays(1), 200_000, ProgressListener.NONE).bestOrder(g, null, 16);
            // PlanProblem.of checks that the order is topological
            PlanProblem p = PlanProblem.of(g, best, Set.of(), null, 16);
            long base = ExecutionOrderSearch.peakLiveBytes(g, identity, null, 16);
            assertTrue(p.lowerBound() <= base);
            better += p.lowerBound() < base ? 1 : 0;
            OverlapVerifier.verify(new GreedyBySizePlanner().plan(p));
        }
        System.out.println("execution order search: " + RANDOM_GRAPHS + " random graphs, lower peak on " + better);
        assertTrue(better > 0);
    }
}
