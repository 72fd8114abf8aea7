package io.tinyml.quantize.eval;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.runtime.NodeEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a quantized model with its float original: top-1 accuracy on a labelled dataset, and the
 * SNR and cosine similarity of every layer output the two models share by name. Stateless and thread-safe.
 *
 * <pre>{@code
 * double top1 = QuantEval.top1(q, Datasets.open("mnist10k[8000:10000]"), 1f / 255, 0f);
 * List<LayerError> table = QuantEval.layerErrors(floatModel, q, calibration, 1f / 255, 0f, 50);
 * }</pre>
 */
public final class QuantEval {
    private QuantEval() {
    }

    /**
     * Top-1 accuracy of a model whose input is {@code raw * scale + offset}.
     *
     * @param model the classifier (float or quantized input)
     * @param data labelled samples
     * @param scale input scale
     * @param offset input offset
     * @return top-1 accuracy
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     */
    public static double top1(Model model, Dataset data, float scale, float offset) throws UnsupportedOperatorException {
        return top1(model, data, scale, offset, 1);
    }

    /**
     * Top-1 accuracy of a model whose input is {@code raw * scale + offset}, evaluated on several
     * threads that share one prepared interpreter plan; the result equals the one-thread result.
     *
     * @param model the classifier (float or quantized input)
     * @param data labelled samples
     * @param scale input scale
     * @param offset input offset
     * @param threads how many threads, at least 1
     * @return top-1 accuracy
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static double top1(Model model, Dataset data, float scale, float offset, int threads)
            throws UnsupportedOperatorException {
        InputMapping map = InputMapping.builder().setInput(model.graph().inputTensor(0)).optScale(scale)
                .optOffset(offset).optResize(true).build();
        return Accuracy.top1(model, data, map, ProgressListener.NONE, threads).top1();
    }

    /**
     * Per-layer errors of {@code quant} against {@code reference} on the first {@code samples} samples.
     *
     * @param reference the float model
     * @param quant the quantized model (same tensor names)
     * @param data the samples (calibration data)
     * @param scale input scale
     * @param offset input offset
     * @param samples how many samples to use
     * @return one entry per float tensor of {@code reference} that {@code quant} also computes, in execution order
     * @throws UnsupportedOperatorException if the interpreter cannot run a model
     */
    public static List<LayerError> layerErrors(Model reference, Model quant, Dataset data, float scale, float offset,
                                               int samples) throws UnsupportedOperatorException {
        Map<String, double[]> acc = new LinkedHashMap<>(); // signal², noise², dot, |q|²
        Map<String, float[]> floats = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        Interpreter fr = Interpreter.create(reference, (NodeEvent e) -> {
            for (int o = 0; o < e.outputCount(); o++) {
                floats.put(e.outputTensor(o).name(), e.outputReal(o));
            }
        });
        Interpreter qr = Interpreter.create(quant, (NodeEvent e) -> {
            for (int o = 0; o < e.outputCount(); o++) {
                Tensor t = e.outputTensor(o);
                float[] x = floats.get(t.name());
                if (x == null) {
                    continue;
                }
                float[] y = e.outputReal(o);
                types.put(t.name(), t.type().toString());
                double[] a = acc.computeIfAbsent(t.name(), k -> new double[4]);
                for (int i = 0; i < x.length; i++) {
                    double d = x[i] - y[i];
                    a[0] += (double) x[i] * x[i];
                    a[1] += d * d;
                    a[2] += (double) x[i] * y[i];
                    a[3] += (double) y[i] * y[i];
                }
            }
        });
        InputMapping fm = InputMapping.builder().setInput(reference.graph().inputTensor(0)).optScale(scale)
                .optOffset(offset).optResize(true).build();
        int n = Math.min(samples, data.size());
        for (int i = 0; i < n; i++) {
            float[] x = fm.toRealValues(data.get(i));
            floats.clear();
            fr.invokeFloat(x);
            qr.invokeFloat(x);
        }
        List<LayerError> out = new ArrayList<>();
        for (var e : acc.entrySet()) {
            double[] a = e.getValue();
            double snr = a[1] == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(a[0] / a[1]);
            double cos = a[0] == 0 || a[3] == 0 ? (a[1] == 0 ? 1 : 0) : a[2] / Math.sqrt(a[0] * a[3]);
            out.add(new LayerError(e.getKey(), types.get(e.getKey()), snr, cos));
        }
        return out;
    }

    /**
     * Mean squared error of the first output of {@code quant} against {@code reference}, relative to the
     * reference's mean square (a noise-to-signal ratio), on the first {@code samples} samples.
     *
     * @param reference the float model
     * @param quant the quantized model
     * @param inputs real-valued inputs
     * @return the noise-to-signal ratio
     * @throws UnsupportedOperatorException if the interpreter cannot run a model
     */
    public static double outputNoise(Model reference, Model quant, List<float[]> inputs)
            throws UnsupportedOperatorException {
        Interpreter fr = Interpreter.create(reference);
        Interpreter qr = Interpreter.create(quant);
        double s = 0;
        double e = 0;
        for (float[] x : inputs) {
            float[] a = fr.invokeFloat(x)[0];
            float[] b = qr.invokeFloat(x)[0];
            for (int i = 0; i < a.length; i++) {
                s += (double) a[i] * a[i];
                e += (double) (a[i] - b[i]) * (a[i] - b[i]);
            }
        }
        return s == 0 ? e : e / s;
    }

    /**
     * Tells whether a tensor type is one a quantized layer reports.
     *
     * @param t the type
     * @return true for integer types
     */
    static boolean isQuantized(DataType t) {
        return !t.isFloat();
    }
}
