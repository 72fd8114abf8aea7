package io.tinyml.prune;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.prune.internal.ChannelGroups;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@link Criterion#ACTIVATION} scores: mean |activation| at each consumer times its weight norm. */
final class ActivationScores {
    private ActivationScores() {
    }

    static void score(Model model, List<ChannelGroups.Group> groups, List<float[]> calib, Map<Integer, double[]> out)
            throws UnsupportedOperatorException {
        Graph g = model.graph();
        Map<Integer, Integer> tensorToGroup = new HashMap<>();
        Map<Integer, double[]> sums = new HashMap<>();
        for (ChannelGroups.Group grp : groups) {
            for (int c : grp.consumers()) {
                tensorToGroup.put(g.node(c).input(0), grp.id());
            }
            sums.put(grp.id(), new double[grp.channels()]);
        }
        Interpreter it = Interpreter.create(model, e -> {
            for (int i = 0; i < e.outputCount(); i++) {
                Integer grp = tensorToGroup.get(e.node().output(i));
                if (grp != null) {
                    double[] s = sums.get(grp);
                    float[] v = e.outputReal(i);
                    for (int k = 0; k < v.length; k++) {
                        s[k % s.length] += Math.abs(v[k]);
                    }
                }
            }
        });
        for (float[] x : calib) {
            it.invokeFloat(x);
        }
        for (ChannelGroups.Group grp : groups) {
            if (grp.consumers().isEmpty()) {
                continue;
            }
            int ch = grp.channels();
            double[] norm = new double[ch];
            for (int c : grp.consumers()) {
                float[] w = g.tensor(g.node(c).input(1)).floats();
                for (int i = 0; i < w.length; i++) {
                    norm[i % ch] += (double) w[i] * w[i];
                }
            }
            double[] act = sums.get(grp.id());
            double[] s = new double[ch];
            for (int c = 0; c < ch; c++) {
                s[c] = act[c] * Math.sqrt(norm[c]);
            }
            out.put(grp.id(), s);
        }
    }
}
