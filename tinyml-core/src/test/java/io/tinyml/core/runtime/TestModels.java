package io.tinyml.core.runtime;

import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds one-node models for kernel tests. */
final class TestModels {
    private TestModels() {
    }

    /**
     * Builds a model of one node: non-constant inputs become graph inputs in order; null is an absent input.
     */
    static Model single(Op op, Tensor out, Tensor... inputs) {
        GraphBuilder b = new GraphBuilder();
        List<Integer> in = new ArrayList<>();
        for (Tensor t : inputs) {
            if (t == null) {
                in.add(Node.ABSENT);
            } else if (t.isConstant()) {
                in.add(b.addTensor(t));
            } else {
                in.add(b.addInput(t));
            }
        }
        int y = b.addTensor(out);
        b.addNode("node", op, in, List.of(y));
        b.addOutput(y);
        return Model.of(b.build(), Provenance.builtInCode("kernel test"));
    }

    static float[] randomFloats(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian());
        }
        return v;
    }

    static byte[] randomInt8(Random r, int n) {
        byte[] v = new byte[n];
        r.nextBytes(v);
        return v;
    }
}
