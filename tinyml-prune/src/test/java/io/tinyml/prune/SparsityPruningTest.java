package io.tinyml.prune;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Unstructured and N:M sparsity on mnist8, checked weight by weight and on mnist10k. */
class SparsityPruningTest {

    private static Model mnist8() throws Exception {
        return ModelIO.read(Assets.require("models/onnx/mnist8/model.onnx"));
    }

    private static double top1(Model m) throws Exception {
        Dataset eval = Datasets.open(Assets.require("datasets/mnist10k") + "[8000:10000]");
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(1f).build();
        return Accuracy.top1(m, eval, map, ProgressListener.NONE).top1();
    }

    @Test
    void nOfMKeepsTheLargestNInEveryRunOfM() throws Exception {
        Model m = mnist8();
        SparsityResult r = Pruner.of(m).nOfM(2, 4).apply();
        Graph a = m.graph();
        Graph b = r.model().graph();
        for (int i = 0; i < a.nodes().size(); i++) {
            Node n = a.node(i);
            if (n.op().kind() != OpKind.CONV_2D && n.op().kind() != OpKind.FULLY_CONNECTED) {
                continue;
            }
            float[] before = a.tensor(n.input(1)).floats();
            float[] after = b.tensor(n.input(1)).floats();
            int inner = a.tensor(n.input(1)).shape().dim(a.tensor(n.input(1)).shape().rank() - 1);
            for (int row = 0; row < before.length / inner; row++) {
                for (int s = 0; s < inner; s += 4) {
                    int len = Math.min(4, inner - s);
                    int nz = 0;
                    float smallestKept = Float.MAX_VALUE;
                    float largestDropped = 0;
                    for (int j = 0; j < len; j++) {
                        int k = row * inner + s + j;
                        if (after[k] != 0) {
                            assertEquals(before[k], after[k]);
                            nz++;
                            smallestKept = Math.min(smallestKept, Math.abs(before[k]));
                        } else {
                            largestDropped = Math.max(largestDropped, Math.abs(before[k]));
                        }
                    }
                    assertTrue(nz <= 2, n.name() + " row " + row);
                    assertTrue(nz == 0 || largestDropped <= smallestKept, n.name() + " row " + row);
                }
            }
        }
        double base = top1(m);
        double sparse = top1(r.model());
        System.out.printf("mnist8 2:4 sparsity %.3f: top-1 %.4f -> %.4f%n", r.sparsity(), base, sparse);
        assertTrue(r.sparsity() > 0.45 && r.sparsity() <= 0.5 + 1e-9, "sparsity " + r.sparsity());
        assertTrue(sparse > base - 0.05, "top-1 " + sparse + " vs " + base);
    }

    @Test
    void unstructuredReachesTheRequestedSparsityPerLayerAndGlobally() throws Exception {
        Model m = mnist8();
        SparsityResult per = Pruner.of(m).unstructured(0.8).apply();
        for (double s : per.layerSparsity().values()) {
            assertEquals(0.8, s, 0.01);
        }
        SparsityResult glob = Pruner.of(m).unstructured(0.8).global(true).apply();
        assertEquals(0.8, glob.sparsity(), 0.01);
        double base = top1(m);
        double perTop1 = top1(per.model());
        double globTop1 = top1(glob.model());
        System.out.printf("mnist8 unstructured 0.8: top-1 %.4f -> per layer %.4f, global %.4f; per-layer %s%n", base,
                perTop1, globTop1, glob.layerSparsity());
        // one threshold spares the small first layer, which per-layer sparsity cuts to the bone
        assertTrue(globTop1 > 0.85 && globTop1 > perTop1, globTop1 + " vs " + perTop1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pruner.of(m).unstructured(1.0));
        assertEquals("expected a sparsity in [0, 1), found 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pruner.of(m).nOfM(4, 4));
        assertEquals("expected N:M with 1 <= N < M and M >= 2, found 4:4", e.getMessage());
    }
}
