package io.tinyml.quantize.internal;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.quantize.LayerChoice;
import io.tinyml.quantize.MixedPrecisionResult;
import io.tinyml.quantize.Precision;
import io.tinyml.quantize.eval.QuantEval;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mixed-precision search. Sensitivity: each weighted layer alone is quantized to int8 (the rest float)
 * and the output noise-to-signal ratio is measured on calibration inputs. Search: starting from all
 * int8, the most sensitive layer still at int8 is widened to int16x8 (weights stay int8: flash grows
 * only by the wider bias), then, once none is left, the most sensitive int16 layer goes to float,
 * until the top-1 drop on the validation data and the output noise on the calibration inputs meet their targets. Finally each widened layer, least
 * sensitive first, is narrowed back if the target still holds. Nodes without weights follow the
 * precision of the layer producing their first input. Not thread-safe.
 */
public final class MixedSearch {
    private static final Logger log = LoggerFactory.getLogger(MixedSearch.class);

    private MixedSearch() {
    }

    /**
     * Runs the search.
     *
     * @param model the prepared float model
     * @param stats calibration statistics
     * @param opt quantization options
     * @param calib real-valued calibration inputs for sensitivity
     * @param validation labelled validation samples
     * @param scale input scale
     * @param offset input offset
     * @param maxDrop the largest acceptable top-1 drop
     * @param maxNoise the largest acceptable output noise-to-signal ratio on the calibration inputs
     * @param listener progress ("sensitivity", "mixed-search")
     * @return the result
     * @throws UnsupportedOperatorException if a model cannot run
     */
    public static MixedPrecisionResult search(Model model, Map<String, TensorStats> stats, GraphQuantizer.Options opt,
                                              List<float[]> calib, Dataset validation, float scale, float offset,
                                              double maxDrop, double maxNoise, ProgressListener listener)
            throws UnsupportedOperatorException {
        Graph g = model.graph();
        List<Node> layers = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (GraphQuantizer.hasWeights(n) && GraphQuantizer.canQuantize(g, n)) {
                layers.add(n);
            }
        }
        Map<String, Double> sens = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Precision> p = new HashMap<>();
            for (Node n : g.nodes()) {
                p.put(n.name(), Precision.FLOAT);
            }
            p.put(layers.get(i).name(), Precision.INT8);
            Model q = GraphQuantizer.quantize(model, stats, opt, p);
            sens.put(layers.get(i).name(), QuantEval.outputNoise(model, q, calib));
            listener.progress("sensitivity", i + 1, layers.size());
        }
        double floatTop1 = QuantEval.top1(model, validation, scale, offset);
        Map<String, Precision> choice = new HashMap<>();
        layers.forEach(n -> choice.put(n.name(), Precision.INT8));
        List<Node> bySens = new ArrayList<>(layers);
        bySens.sort(Comparator.comparingDouble((Node n) -> sens.get(n.name())).reversed());
        Model best = build(model, stats, opt, choice);
        double top1 = QuantEval.top1(best, validation, scale, offset);
        double noise = QuantEval.outputNoise(model, best, calib);
        int step = 0;
        while (floatTop1 - top1 > maxDrop || noise > maxNoise) {
            Node widen = first(bySens, choice, Precision.INT8);
            Precision to = Precision.INT16;
            if (widen == null) {
                widen = first(bySens, choice, Precision.INT16);
                to = Precision.FLOAT;
            }
            if (widen == null) {
                break;
            }
            choice.put(widen.name(), to);
            best = build(model, stats, opt, choice);
            top1 = QuantEval.top1(best, validation, scale, offset);
            noise = QuantEval.outputNoise(model, best, calib);
            log.info("widened {} to {}: top-1 {} (float {}), output noise {}", widen.name(), to, top1, floatTop1, noise);
            listener.progress("mixed-search", ++step, -1);
        }
        boolean met = floatTop1 - top1 <= maxDrop && noise <= maxNoise;
        if (met) {
            // narrow back what is not needed, least sensitive first
            List<Node> rev = new ArrayList<>(bySens);
            java.util.Collections.reverse(rev);
            for (Node n : rev) {
                Precision cur = choice.get(n.name());
                if (cur == Precision.INT8) {
                    continue;
                }
                Precision narrower = cur == Precision.FLOAT ? Precision.INT16 : Precision.INT8;
                choice.put(n.name(), narrower);
                Model m = build(model, stats, opt, choice);
                double t = QuantEval.top1(m, validation, scale, offset);
                double e = QuantEval.outputNoise(model, m, calib);
                if (floatTop1 - t <= maxDrop && e <= maxNoise) {
                    best = m;
                    top1 = t;
                    noise = e;
                } else {
                    choice.put(n.name(), cur);
                }
            }
            best = build(model, stats, opt, choice);
        }
        List<LayerChoice> out = new ArrayList<>();
        for (Node n : layers) {
            out.add(new LayerChoice(n.name(), choice.get(n.name()), sens.get(n.name()), layerBytes(g, n, choice.get(n.name()))));
        }
        return new MixedPrecisionResult(best, out, floatTop1, top1, noise, met);
    }

    private static Node first(List<Node> bySens, Map<String, Precision> choice, Precision p) {
        for (Node n : bySens) {
            if (choice.get(n.name()) == p) {
                return n;
            }
        }
        return null;
    }

    /** The precision map for all nodes: weighted layers as chosen, others following their first input. */
    static Model build(Model model, Map<String, TensorStats> stats, GraphQuantizer.Options opt,
                       Map<String, Precision> choice) {
        Graph g = model.graph();
        Map<String, Precision> all = new HashMap<>();
        Map<Integer, Precision> tensorP = new HashMap<>();
        for (Node n : g.nodes()) {
            Precision p = choice.get(n.name());
            if (p == null) {
                int in = n.input(0);
                p = in == Node.ABSENT ? Precision.INT8 : tensorP.getOrDefault(in, Precision.INT8);
            }
            if (!GraphQuantizer.canQuantize(g, n)) {
                p = Precision.FLOAT;
            }
            all.put(n.name(), p);
            for (int o : n.outputs()) {
                tensorP.put(o, p);
            }
        }
        return GraphQuantizer.quantize(model, stats, opt, all);
    }

    private static long bytes(Graph g, Map<String, Precision> choice) {
        long b = 0;
        for (Node n : g.nodes()) {
            if (choice.containsKey(n.name())) {
                b += layerBytes(g, n, choice.get(n.name()));
            }
        }
        return b;
    }

    private static long layerBytes(Graph g, Node n, Precision p) {
        long w = g.tensor(n.input(1)).shape().elementCount();
        long bias = n.input(2) == Node.ABSENT ? 0 : g.tensor(n.input(2)).shape().elementCount();
        return switch (p) {
            case INT8 -> w + 4 * bias;
            case INT16 -> w + 8 * bias;
            case FLOAT -> 4 * (w + bias);
        };
    }
}
