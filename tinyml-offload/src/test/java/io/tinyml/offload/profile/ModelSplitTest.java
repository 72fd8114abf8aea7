package io.tinyml.offload.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.offload.TestModels;
import io.tinyml.offload.plan.CostGraph;
import io.tinyml.offload.plan.SplitPlanner;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.Random;

/** Prefix then suffix in the interpreter gives exactly the whole model's bytes, for chains and DAGs. */
class ModelSplitTest {

    private static void checkAllCuts(Model m, List<BitSet> cuts, int seed) throws Exception {
        byte[][] in = Profiler.randomInputs(m, new Random(seed));
        byte[][] whole = Interpreter.create(m).invoke(in);
        for (BitSet d : cuts) {
            ModelSplit s = ModelSplit.of(m, d);
            byte[][] pre = s.prefix() == null ? in : Interpreter.create(s.prefix()).invoke(in);
            byte[][] post = s.suffix() == null ? null : Interpreter.create(s.suffix()).invoke(s.cutValues(pre));
            byte[][] got = s.assemble(pre, post);
            assertEquals(whole.length, got.length);
            for (int o = 0; o < whole.length; o++) {
                assertArrayEquals(whole[o], got[o], "output " + o + " with device nodes " + d);
            }
        }
    }

    @Test
    void everyChainCutOfPersonDetectReassemblesExactly() throws Exception {
        Model m = TestModels.person();
        int n = m.graph().nodes().size();
        List<BitSet> cuts = new java.util.ArrayList<>();
        for (int k = 0; k <= n; k += 5) {
            BitSet d = new BitSet();
            d.set(0, k);
            cuts.add(d);
        }
        checkAllCuts(m, cuts, 1);
        ModelSplit s = ModelSplit.afterNodes(m, 3);
        assertEquals(List.of(m.graph().node(2).output(0)), s.sentTensors(), "the output of node 2 is sent");
        assertEquals(3, s.prefix().graph().nodes().size());
        assertEquals(n - 3, s.suffix().graph().nodes().size());
        assertNull(ModelSplit.afterNodes(m, n).suffix());
        assertNull(ModelSplit.afterNodes(m, 0).prefix());
    }

    @Test
    void resnet8CutsAcrossResidualBranchesReassembleExactly() throws Exception {
        Model m = TestModels.resnet8();
        ModelProfile p = new ModelProfile(m, null, new double[m.graph().nodes().size()],
                new double[m.graph().nodes().size()], new double[m.graph().nodes().size()], "zero");
        CostGraph g = p.costGraph();
        List<BitSet> all = SplitPlanner.cuts(g, 1_000_000);
        Random r = new Random(3);
        List<BitSet> pick = new java.util.ArrayList<>();
        boolean twoTensors = false;
        for (int i = 0; i < 12; i++) {
            BitSet d = all.get(r.nextInt(all.size()));
            pick.add(d);
            twoTensors |= ModelSplit.of(m, d).sentTensors().size() >= 2;
        }
        for (BitSet d : all) {
            if (!twoTensors && ModelSplit.of(m, d).sentTensors().size() >= 2) {
                pick.add(d);
                twoTensors = true;
            }
        }
        assertTrue(twoTensors, "some ResNet-8 cut sends a residual branch and its main path");
        checkAllCuts(m, pick, 2);
    }

    @Test
    void aSetThatIsNotDownwardClosedIsRejectedWithTheNodeNames() throws Exception {
        Model m = TestModels.person();
        BitSet d = new BitSet();
        d.set(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSplit.of(m, d));
        assertTrue(e.getMessage().contains("downward-closed"), e.getMessage());
    }
}
