package io.tinyml.quantize.internal;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.runtime.NodeEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a float model over calibration inputs with the reference interpreter and gathers
 * {@link TensorStats} for the graph inputs and every float node output. Not thread-safe.
 */
public final class Calibrator {
    private static final Logger log = LoggerFactory.getLogger(Calibrator.class);

    private Calibrator() {
    }

    /**
     * Gathers statistics.
     *
     * @param model a float model
     * @param inputs one real-valued input (the first graph input) per calibration sample
     * @param histograms whether to run the second, histogram pass
     * @param listener progress ("calibrate", one unit per sample and pass)
     * @return statistics by tensor name
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     */
    public static Map<String, TensorStats> collect(Model model, List<float[]> inputs, boolean histograms,
                                                   ProgressListener listener) throws UnsupportedOperatorException {
        Graph g = model.graph();
        Map<String, TensorStats> stats = new HashMap<>();
        boolean[] second = {false};
        Interpreter it = Interpreter.create(model, (NodeEvent e) -> {
            for (int o = 0; o < e.outputCount(); o++) {
                Tensor t = e.outputTensor(o);
                if (t.type() != DataType.FLOAT32) {
                    continue;
                }
                record(stats, t, e.outputReal(o), second[0]);
            }
        });
        Tensor in = g.inputTensor(0);
        int passes = histograms ? 2 : 1;
        long total = (long) passes * inputs.size();
        long done = 0;
        for (int pass = 0; pass < passes; pass++) {
            second[0] = pass == 1;
            for (float[] x : inputs) {
                record(stats, in, x, second[0]);
                it.invokeFloat(x);
                listener.progress("calibrate", ++done, total);
            }
        }
        log.debug("calibrated {} tensors on {} samples ({} pass(es))", stats.size(), inputs.size(), passes);
        return stats;
    }

    private static void record(Map<String, TensorStats> stats, Tensor t, float[] v, boolean histogram) {
        TensorStats s = stats.computeIfAbsent(t.name(),
                k -> new TensorStats(t.shape().rank() == 0 ? 1 : t.shape().dim(t.shape().rank() - 1)));
        if (histogram) {
            s.addToHistogram(v);
        } else {
            s.add(v);
        }
    }
}
