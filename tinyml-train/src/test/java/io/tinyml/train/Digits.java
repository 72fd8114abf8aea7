package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.testing.Assets;

import java.util.Map;

/** The shared public digits assets the training tests use: tiny_digits.onnx and slices of mnist10k. */
final class Digits {
    /** Maps 8-bit pixels to the [0, 1] the digit models were trained on. */
    static final float SCALE = 1f / 255;

    private Digits() {
    }

    /** The PyTorch-trained tiny_digits model (ONNX export). */
    static Model tinyDigits() throws Exception {
        return ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
    }

    /** mnist10k[from:to]. */
    static Dataset mnist(int from, int to) throws Exception {
        return Datasets.open(Assets.require("datasets/mnist10k") + "[" + from + ":" + to + "]");
    }

    /** The model with its last fully-connected layer's weights and bias multiplied by a factor. */
    static Model scaledClassifier(Model m, float factor) {
        Graph g = m.graph();
        Node fc = null;
        for (Node n : g.nodes()) {
            if (n.op().kind() == OpKind.FULLY_CONNECTED) {
                fc = n;
            }
        }
        GraphBuilder b = GraphBuilder.from(g);
        for (int k = 1; k < fc.inputs().size(); k++) {
            int idx = fc.input(k);
            if (idx >= 0) {
                Tensor t = g.tensor(idx);
                float[] v = t.floats();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= factor;
                }
                b.setTensor(idx, Tensor.ofFloats(t.name(), t.shape(), v));
            }
        }
        return m.withGraph(b.build(), new AppliedPass("scale-classifier", Map.of()));
    }
}
