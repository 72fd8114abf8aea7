package io.tinyml.nas;

import java.util.List;

/**
 * What the search knows about one architecture: the estimator's figures for its int8 model, the
 * budgets it misses (then it was never trained), its proxy accuracy and, for the front, its accuracy
 * after full training and the model file. Immutable.
 *
 * @param key the architecture's key ({@link Architecture#key()})
 * @param genes the genome in the search space
 * @param architecture the architecture
 * @param flashBytes estimated whole-firmware flash of the int8 model
 * @param ramBytes estimated RAM of the int8 model
 * @param latencyMs estimated latency of one inference on the target
 * @param energyUj estimated energy of one inference (0 when the target has no power figure)
 * @param shortfalls the budgets missed; non-empty means rejected before training
 * @param proxyAccuracy int8 top-1 after low-fidelity training (NaN if not trained)
 * @param accuracy int8 top-1 after full training on the whole evaluation data (NaN if not trained fully)
 * @param modelFile the int8 model file, relative to the search's output directory (null if none)
 */
public record Candidate(String key, int[] genes, Architecture architecture, long flashBytes, long ramBytes,
                        double latencyMs, double energyUj, List<Shortfall> shortfalls, double proxyAccuracy,
                        double accuracy, String modelFile) {

    /**
     * Copies the lists.
     */
    public Candidate {
        genes = genes.clone();
        shortfalls = List.copyOf(shortfalls);
    }

    /** @return a copy of the genes */
    @Override
    public int[] genes() {
        return genes.clone();
    }

    /** @return true if the estimate meets every budget */
    public boolean feasible() {
        return shortfalls.isEmpty();
    }

    /** @return true if the candidate was trained at full fidelity */
    public boolean fullyTrained() {
        return !Double.isNaN(accuracy);
    }

    /** @return the best-fidelity accuracy known: full if trained fully, else the proxy's */
    public double bestAccuracy() {
        return fullyTrained() ? accuracy : proxyAccuracy;
    }

    Candidate withProxy(double acc) {
        return new Candidate(key, genes, architecture, flashBytes, ramBytes, latencyMs, energyUj, shortfalls, acc,
                accuracy, modelFile);
    }

    Candidate withFull(double acc, long flash, long ram, double ms, double uj, String file) {
        return new Candidate(key, genes, architecture, flash, ram, ms, uj, shortfalls, proxyAccuracy, acc, file);
    }
}
