package io.tinyml.prune;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.prune.internal.ChannelGroups;
import io.tinyml.prune.internal.ChannelSurgery;
import io.tinyml.prune.internal.LeastSquaresRefit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The layer-wise sensitivity scan behind {@link StructuredPruning#sensitivity(boolean)}: each prunable
 * layer is pruned alone to every candidate channel count (the rest of the model intact, the configured
 * recovery applied), and the damage is the mean squared difference of the model's outputs from the
 * original's on the calibration samples, relative to the outputs' mean square. A greedy allocation then
 * removes, step by step, the channels whose removal adds the least damage per channel, until the ratio of
 * all prunable channels is reached (the damages of different layers taken as additive).
 */
final class SensitivityScan {
    private SensitivityScan() {
    }

    /**
     * @param keepFor the channels kept by a group for a count (its top-scored ones)
     * @param refitLayers the layers a recovery refits for a map of kept channels, or null for no recovery
     * @return the kept channel count per group id
     */
    static Map<Integer, Integer> allocate(Model model, ChannelGroups groups, List<ChannelGroups.Group> prunable,
                                          List<float[]> calib, double ratio, int minChannels, int step,
                                          BiFunction<ChannelGroups.Group, Integer, int[]> keepFor,
                                          Function<Map<Integer, int[]>, LinkedHashMap<Integer, int[]>> refitLayers,
                                          ProgressListener listener) throws UnsupportedOperatorException {
        Graph g = model.graph();
        Interpreter original = Interpreter.create(model);
        float[][] ref = new float[calib.size()][];
        double power = 0;
        for (int i = 0; i < ref.length; i++) {
            ref[i] = original.invokeFloat(calib.get(i))[0];
            for (float v : ref[i]) {
                power += (double) v * v;
            }
        }
        power = Math.max(power, 1e-30);
        Map<Integer, double[]> damage = new LinkedHashMap<>();
        int total = 0;
        int scanned = 0;
        int candidates = 0;
        for (ChannelGroups.Group grp : prunable) {
            candidates += Math.max(0, (grp.channels() - Math.max(1, minChannels)) / step);
        }
        for (ChannelGroups.Group grp : prunable) {
            int c = grp.channels();
            total += c;
            double[] d = new double[c + 1];
            java.util.Arrays.fill(d, Double.POSITIVE_INFINITY);
            d[c] = 0;
            for (int k = c - step; k >= Math.max(1, minChannels); k -= step) {
                Map<Integer, int[]> keep = Map.of(grp.id(), keepFor.apply(grp, k));
                Graph pruned = ChannelSurgery.apply(groups, keep);
                if (refitLayers != null) {
                    pruned = LeastSquaresRefit.refit(model, pruned, refitLayers.apply(keep), calib, ProgressListener.NONE);
                }
                Interpreter it = Interpreter.create(model.withGraph(pruned,
                        new io.tinyml.core.ir.AppliedPass("sensitivity-candidate", Map.of())));
                double err = 0;
                for (int i = 0; i < ref.length; i++) {
                    float[] o = it.invokeFloat(calib.get(i))[0];
                    for (int j = 0; j < o.length; j++) {
                        double e = o[j] - ref[i][j];
                        err += e * e;
                    }
                }
                d[k] = err / power;
                listener.progress("sensitivity scan", ++scanned, candidates);
            }
            damage.put(grp.id(), d);
        }
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        prunable.forEach(grp -> counts.put(grp.id(), grp.channels()));
        int remove = (int) Math.floor(ratio * total);
        int removed = 0;
        while (removed < remove) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            for (ChannelGroups.Group grp : prunable) {
                int k = counts.get(grp.id());
                double[] d = damage.get(grp.id());
                if (k - step >= Math.max(1, minChannels)) {
                    double cost = (d[k - step] - d[k]) / step;
                    if (cost < bestCost) {
                        bestCost = cost;
                        best = grp.id();
                    }
                }
            }
            if (best < 0) {
                break;
            }
            counts.merge(best, -step, Integer::sum);
            removed += step;
        }
        return counts;
    }
}
