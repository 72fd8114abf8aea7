package io.tinyml.train.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.runtime.NodeObserver;

import java.util.HashMap;
import java.util.Map;

/**
 * Statistics of a float model's tensors over mapped samples, taken with the reference interpreter.
 * Stateless.
 */
public final class Observations {
    private Observations() {
    }

    /**
     * Runs the interpreter over the first samples, calling the observer after every node.
     *
     * @param m the model
     * @param data mapped samples
     * @param samples the most samples to run
     * @param observer called after every node of every run
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     */
    static void run(Model m, TrainingData data, int samples, NodeObserver observer) throws UnsupportedOperatorException {
        Interpreter in = Interpreter.create(m, observer);
        int n = Math.min(samples, data.size());
        float[] x = new float[data.perSample()];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data.values(), i * data.perSample(), x, 0, x.length);
            in.invokeFloat(x);
        }
    }

    /**
     * Measures the {min, max} of the tensors an int8 model would quantize: the graph input and every
     * node output except those read only by an activation or batch norm (which the int8 model fuses
     * or folds into their producer).
     *
     * @param m the model
     * @param data mapped samples
     * @param samples the most samples to run
     * @return tensor index to {min, max}
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     */
    public static Map<Integer, float[]> ranges(Model m, TrainingData data, int samples)
            throws UnsupportedOperatorException {
        Graph g = m.graph();
        Map<Integer, float[]> out = new HashMap<>();
        float[] in = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < Math.min(samples, data.size()) * data.perSample(); i++) {
            in[0] = Math.min(in[0], data.values()[i]);
            in[1] = Math.max(in[1], data.values()[i]);
        }
        out.put(g.inputs().get(0), in);
        run(m, data, samples, e -> {
            int t = e.node().output(0);
            if (fusedAway(g, t)) {
                return;
            }
            float[] r = out.computeIfAbsent(t, k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
            for (float v : e.outputReal(0)) {
                r[0] = Math.min(r[0], v);
                r[1] = Math.max(r[1], v);
            }
        });
        return out;
    }

    private static boolean fusedAway(Graph g, int tensor) {
        if (g.outputs().contains(tensor) || g.consumers(tensor).isEmpty()) {
            return false;
        }
        for (int c : g.consumers(tensor)) {
            OpKind k = g.node(c).op().kind();
            if (k != OpKind.RELU && k != OpKind.RELU6 && k != OpKind.CLIP && k != OpKind.BATCH_NORMALIZATION) {
                return false;
            }
        }
        return true;
    }
}
