package io.tinyml.prune;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.estimate.CostModel;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Tensor;
import io.tinyml.prune.internal.ChannelGroups;
import io.tinyml.prune.internal.ChannelSurgery;
import io.tinyml.prune.internal.LeastSquaresRefit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Structured (channel) pruning: removes whole output channels of convolutions and fully-connected
 * layers together with everything tied to them (depthwise channels, biases, batch normalization,
 * residual additions, the next layer's input channels), giving a smaller dense model. Immutable:
 * every option returns a new instance; thread-safe.
 *
 * <pre>{@code
 * PruneResult r = Pruner.of(model).structured().ratio(0.5).multipleOf(4)
 *         .calibrate(data, mapping, 256).recover(Recovery.LEAST_SQUARES).apply();
 * }</pre>
 */
public final class StructuredPruning {
    private final Model model;
    private final double ratio;
    private final boolean global;
    private final Criterion criterion;
    private final int minChannels;
    private final int multipleOf;
    private final Recovery recovery;
    private final Dataset data;
    private final InputMapping mapping;
    private final int samples;
    private final ProgressListener listener;
    private final Dataset tuneData;
    private final FineTune tune;
    private final boolean sensitivity;
    private final int steps;

    private StructuredPruning(Model model, double ratio, boolean global, Criterion criterion, int minChannels,
                              int multipleOf, Recovery recovery, Dataset data, InputMapping mapping, int samples,
                              ProgressListener listener, Dataset tuneData, FineTune tune, boolean sensitivity,
                              int steps) {
        this.model = model;
        this.ratio = ratio;
        this.global = global;
        this.criterion = criterion;
        this.minChannels = minChannels;
        this.multipleOf = multipleOf;
        this.recovery = recovery;
        this.data = data;
        this.mapping = mapping;
        this.samples = samples;
        this.listener = listener;
        this.tuneData = tuneData;
        this.tune = tune;
        this.sensitivity = sensitivity;
        this.steps = steps;
    }

    static StructuredPruning of(Model model) {
        return new StructuredPruning(model, 0.5, false, Criterion.L1, 1, 1, Recovery.NONE, null, null, 0,
                ProgressListener.NONE, null, FineTune.plain(0), false, 1);
    }

    /**
     * Sets the fraction of channels removed from each layer (or from all layers together with
     * {@link #global(boolean)}).
     *
     * @param r the fraction in [0, 1)
     * @return the new configuration
     * @throws IllegalArgumentException if r is outside [0, 1)
     */
    public StructuredPruning ratio(double r) {
        if (!(r >= 0 && r < 1)) {
            throw new IllegalArgumentException("expected a pruning ratio in [0, 1), found " + r);
        }
        return new StructuredPruning(model, r, global, criterion, minChannels, multipleOf, recovery, data, mapping,
                samples, listener, tuneData, tune, sensitivity, steps);
    }

    /**
     * Chooses between one ratio per layer (false, the default) and one ratio over all prunable
     * channels, ranked by their score relative to their layer's mean score (true).
     *
     * @param g whether the ratio is global
     * @return the new configuration
     */
    public StructuredPruning global(boolean g) {
        return new StructuredPruning(model, ratio, g, criterion, minChannels, multipleOf, recovery, data, mapping,
                samples, listener, tuneData, tune, sensitivity, steps);
    }

    /**
     * Allocates the ratio by a layer-wise sensitivity scan (needs calibration data): the ratio applies to all
     * prunable channels together, as with {@link #global(boolean)}, but how many each layer loses is chosen
     * from each layer pruned alone to every candidate count (with the configured recovery) and measured by
     * how far the model's outputs move on the calibration samples; channels go first where they cost least
     * output change. {@link #minChannels} and {@link #multipleOf} hold (the scan steps by the multiple).
     * Costs one recovery and one pass over the calibration samples per candidate count.
     *
     * @param on whether to allocate by sensitivity
     * @return the new configuration
     */
    public StructuredPruning sensitivity(boolean on) {
        return new StructuredPruning(model, ratio, global, criterion, minChannels, multipleOf, recovery, data, mapping,
                samples, listener, tuneData, tune, on, steps);
    }

    /**
     * Prunes iteratively: the channels are removed in {@code n} equal steps towards the final counts
     * (which are chosen on the input model as without steps), and each step's model is recovered and
     * fine-tuned (with the configured recovery and recipe, distilling from the input model; the steps
     * before the last train half the recipe's epochs, without quantization-aware epochs) before the
     * next step ranks and removes more channels (Molchanov et al., "Pruning Convolutional Neural Networks
     * for Resource Efficient Inference", 2017; Han et al., 2015). Costs {@code n} recoveries and
     * {@code (n + 1) / 2} times the fine-tuning. The result has the same channel counts as a one-step pruning. Needs fine-tuning
     * ({@link #finetune(Dataset, FineTune)}): least squares alone in steps compounds the error, each step
     * refitting to the previous step's outputs (tiny_digits at 0.5: top-1 0.6275 in two steps, 0.7475 at once).
     *
     * @param n the steps, 1 (the default: all at once) to 8
     * @return the new configuration
     * @throws IllegalArgumentException if n is outside [1, 8]
     */
    public StructuredPruning steps(int n) {
        if (n < 1 || n > 8) {
            throw new IllegalArgumentException("expected 1 to 8 pruning steps, found " + n);
        }
        return new StructuredPruning(model, ratio, global, criterion, minChannels, multipleOf, recovery, data, mapping,
                samples, listener, tuneData, tune, sensitivity, n);
    }

    /**
     * Sets the channel importance criterion.
     *
     * @param c the criterion
     * @return the new configuration
     */
    public StructuredPruning criterion(Criterion c) {
        return new StructuredPruning(model, ratio, global, Objects.requireNonNull(c, "criterion"), minChannels,
                multipleOf, recovery, data, mapping, samples, listener, tuneData, tune, sensitivity, steps);
    }

    /**
     * Sets the fewest channels a layer keeps (default 1).
     *
     * @param n at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if n is below 1
     */
    public StructuredPruning minChannels(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("expected at least 1 minimum channel, found " + n);
        }
        return new StructuredPruning(model, ratio, global, criterion, n, multipleOf, recovery, data, mapping,
                samples, listener, tuneData, tune, sensitivity, steps);
    }

    /**
     * Rounds each layer's kept channel count up to a multiple (e.g. 4, for SIMD kernels), unless
     * that exceeds the layer's channels.
     *
     * @param m at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if m is below 1
     */
    public StructuredPruning multipleOf(int m) {
        if (m < 1) {
            throw new IllegalArgumentException("expected a channel multiple of at least 1, found " + m);
        }
        return new StructuredPruning(model, ratio, global, criterion, minChannels, m, recovery, data, mapping,
                samples, listener, tuneData, tune, sensitivity, steps);
    }

    /**
     * Sets the calibration data used by recovery: the first {@code n} samples of {@code d}.
     *
     * @param d the data set
     * @param map how samples map to the model input
     * @param n how many samples, at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if n is below 1
     */
    public StructuredPruning calibrate(Dataset d, InputMapping map, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("expected at least 1 calibration sample, found " + n);
        }
        return new StructuredPruning(model, ratio, global, criterion, minChannels, multipleOf, recovery,
                Objects.requireNonNull(d, "data"), Objects.requireNonNull(map, "mapping"), n, listener, tuneData, tune, sensitivity, steps);
    }

    /**
     * Sets the recovery applied after removing channels.
     *
     * @param r the recovery
     * @return the new configuration
     */
    public StructuredPruning recover(Recovery r) {
        return new StructuredPruning(model, ratio, global, criterion, minChannels, multipleOf,
                Objects.requireNonNull(r, "recovery"), data, mapping, samples, listener, tuneData, tune, sensitivity, steps);
    }

    /**
     * Fine-tunes the pruned model after recovery by training it through tinyml-train (DJL, PyTorch
     * engine), an optional dependency: without it on the class path {@link #apply()} fails with an
     * {@code IllegalStateException} naming it, and every other option works as before. Uses the input
     * mapping given to {@link #calibrate}; Adam (learning rate 0.01, cosine schedule), batch 32, seed 1,
     * batch normalization re-inserted for training and folded again. (Chosen on a validation split,
     * mnist10k[7000:8000], after pruning mnist8 and tiny_digits at 0.5 and training on [0:7000]: Adam
     * 1e-4, 1e-3, 3e-3, 1e-2, 3e-2 and SGD 1e-3, 1e-2 at 2, 5 and 10 epochs; 1e-2 was best or close to
     * it for both, see {@link #finetune(Dataset, int, float)} for another rate.)
     *
     * @param train labelled training data (never the data you evaluate on)
     * @param epochs epochs, at least 1 (0 turns fine-tuning off)
     * @return the new configuration
     * @throws IllegalArgumentException if epochs is negative
     */
    public StructuredPruning finetune(Dataset train, int epochs) {
        return finetune(train, FineTune.plain(epochs));
    }

    /**
     * Fine-tunes as {@link #finetune(Dataset, int)} with another Adam learning rate.
     *
     * @param train labelled training data
     * @param epochs epochs, at least 0
     * @param learningRate Adam's learning rate, positive
     * @return the new configuration
     * @throws IllegalArgumentException if epochs is negative or the learning rate not positive
     */
    public StructuredPruning finetune(Dataset train, int epochs, float learningRate) {
        if (epochs < 0) {
            throw new IllegalArgumentException("expected at least 0 fine-tuning epochs, found " + epochs);
        }
        return finetune(train, FineTune.plain(epochs).withLearningRate(learningRate));
    }

    /**
     * Fine-tunes the pruned model after recovery with a recipe, e.g. {@link FineTune#distilled(int)}:
     * distillation learns from the model being pruned (the teacher), on the same data.
     *
     * @param train labelled training data (never the data you evaluate on)
     * @param recipe the recipe ({@code epochs} 0 turns fine-tuning off)
     * @return the new configuration
     */
    public StructuredPruning finetune(Dataset train, FineTune recipe) {
        Objects.requireNonNull(recipe, "recipe");
        return new StructuredPruning(model, ratio, global, criterion, minChannels, multipleOf, recovery, data,
                mapping, samples, listener, !FineTuning.on(recipe) ? null : Objects.requireNonNull(train, "train"),
                recipe, sensitivity, steps);
    }

    /**
     * Sets the progress listener.
     *
     * @param l the listener
     * @return the new configuration
     */
    public StructuredPruning listener(ProgressListener l) {
        return new StructuredPruning(model, ratio, global, criterion, minChannels, multipleOf, recovery, data,
                mapping, samples, Objects.requireNonNull(l, "listener"), tuneData, tune, sensitivity, steps);
    }

    /**
     * Prunes.
     *
     * @return the pruned model and its report
     * @throws IllegalArgumentException if the model is not float, has no prunable layer, or the
     *     ratio would empty a layer
     * @throws UnsupportedOperatorException if recovery must run an operator the interpreter lacks
     * @throws IllegalStateException if recovery was asked without calibration data, or fine-tuning
     *     without tinyml-train on the class path
     *     (also: fine-tuning data that do not fit the model, as an IllegalArgumentException)
     */
    public PruneResult apply() throws UnsupportedOperatorException {
        Graph g = model.graph();
        for (Tensor t : g.tensors()) {
            if (t.type() != DataType.FLOAT32 && t.isConstant() && t.quant().isPresent()) {
                throw new IllegalArgumentException("expected a float model (prune before quantizing), found "
                        + t.type() + " constant " + t.name());
            }
        }
        if (recovery != Recovery.NONE && data == null) {
            throw new IllegalStateException(recovery.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                    + " recovery needs calibration data: call calibrate(...)");
        }
        if (FineTuning.on(tune) && mapping == null) {
            throw new IllegalStateException("fine-tuning needs the input mapping of calibrate(...)");
        }
        if (FineTuning.on(tune) && !FineTuning.available()) {
            throw new IllegalStateException("fine-tuning needs tinyml-train (and DJL) on the class path");
        }
        if (criterion == Criterion.ACTIVATION && data == null) {
            throw new IllegalStateException("the ACTIVATION criterion needs calibration data: call calibrate(...)");
        }
        if (sensitivity && data == null) {
            throw new IllegalStateException("the sensitivity scan needs calibration data: call calibrate(...)");
        }
        if (steps == 1) {
            return once(model, null, tune);
        }
        if (!FineTuning.on(tune)) {
            throw new IllegalStateException("pruning in " + steps + " steps needs fine-tuning between them: call "
                    + "finetune(...) (a recovery alone refits each step to the previous step's damaged outputs)");
        }
        // the final counts are chosen on the input model; each step removes an equal share of what goes
        Map<String, Integer> before = new LinkedHashMap<>();
        Map<String, Integer> target = new LinkedHashMap<>();
        for (LayerChange c : plan(model).changes()) {
            before.put(c.layer(), c.before());
            target.put(c.layer(), c.after());
        }
        Model current = model;
        int refitted = 0;
        for (int step = 1; step <= steps; step++) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> e : before.entrySet()) {
                int drop = e.getValue() - target.get(e.getKey());
                counts.put(e.getKey(), e.getValue() - (int) Math.round((double) drop * step / steps));
            }
            // the intermediate steps train half as long: they only need to heal before the next removal
            FineTune recipe = step == steps ? tune : new FineTune(Math.max(1, tune.epochs() / 2), tune.learningRate(),
                    tune.distillation(), tune.temperature(), tune.shift(), 0, tune.validation());
            PruneResult r = once(current, counts, recipe);
            current = r.model();
            refitted += r.report().refitLayers();
        }
        List<LayerChange> changes = new ArrayList<>();
        before.forEach((layer, k) -> changes.add(new LayerChange(layer, k, target.get(layer))));
        return new PruneResult(current, new PruneReport(changes, CostModel.totalMacs(g),
                CostModel.totalMacs(current.graph()), weightBytes(g), weightBytes(current.graph()), refitted));
    }

    /** The channel counts and kept channels of one pruning of {@code src}. */
    private record Plan(ChannelGroups groups, List<LayerChange> changes, Map<Integer, int[]> keep,
                        List<float[]> calib) {
    }

    /**
     * Chooses the channels one pruning of {@code src} keeps: by the configured allocation, or, when
     * {@code explicit} is given, that many channels per layer (named by its first producer).
     */
    private Plan plan(Model src, Map<String, Integer> explicit) throws UnsupportedOperatorException {
        Graph g = src.graph();
        ChannelGroups groups = new ChannelGroups(g);
        List<ChannelGroups.Group> prunable = groups.groups().stream().filter(ChannelGroups.Group::prunable).toList();
        if (prunable.isEmpty()) {
            throw new IllegalArgumentException("expected a model with a prunable layer, found none: every channel"
                    + " group touches a graph input or output or an unsupported operator");
        }
        List<float[]> calib = new ArrayList<>();
        for (int i = 0; data != null && i < Math.min(samples, data.size()); i++) {
            calib.add(mapping.toRealValues(data.get(i)));
        }
        Map<Integer, double[]> scores = new LinkedHashMap<>();
        for (ChannelGroups.Group grp : prunable) {
            scores.put(grp.id(), score(g, grp));
        }
        if (criterion == Criterion.ACTIVATION) {
            ActivationScores.score(src, prunable, calib, scores);
        }
        Map<Integer, Integer> counts;
        if (explicit != null) {
            counts = new LinkedHashMap<>();
            for (ChannelGroups.Group grp : prunable) {
                String layer = g.node(grp.sources().get(0)).name();
                Integer k = explicit.get(layer);
                if (k == null || k > grp.channels()) {
                    throw new IllegalStateException("expected layer " + layer + " of a pruning step to keep at most "
                            + grp.channels() + " channels, found " + k);
                }
                counts.put(grp.id(), k);
            }
        } else if (sensitivity) {
            counts = SensitivityScan.allocate(src, groups, prunable, calib, ratio, minChannels, multipleOf,
                    (grp, k) -> topK(scores.get(grp.id()), k),
                    recovery == Recovery.LEAST_SQUARES ? k -> refitLayers(g, groups, k) : null, listener);
        } else {
            counts = global ? globalCounts(prunable, scores) : perLayerCounts(g, prunable);
        }
        Map<Integer, int[]> keep = new LinkedHashMap<>();
        List<LayerChange> changes = new ArrayList<>();
        for (ChannelGroups.Group grp : prunable) {
            int k = explicit != null ? counts.get(grp.id()) : constrain(counts.get(grp.id()), grp.channels());
            changes.add(new LayerChange(g.node(grp.sources().get(0)).name(), grp.channels(), k));
            if (k < grp.channels()) {
                keep.put(grp.id(), topK(scores.get(grp.id()), k));
            }
        }
        return new Plan(groups, changes, keep, calib);
    }

    private Plan plan(Model src) throws UnsupportedOperatorException {
        return plan(src, null);
    }

    /** One pruning of {@code src} (the input model or an earlier step's result), recovered and fine-tuned. */
    private PruneResult once(Model src, Map<String, Integer> explicit, FineTune recipe)
            throws UnsupportedOperatorException {
        Graph g = src.graph();
        Plan plan = plan(src, explicit);
        Map<Integer, int[]> keep = plan.keep();
        Graph pruned = ChannelSurgery.apply(plan.groups(), keep);
        int refitted = 0;
        if (recovery != Recovery.NONE && !keep.isEmpty()) {
            LinkedHashMap<Integer, int[]> layers = refitLayers(g, plan.groups(), keep);
            pruned = recovery == Recovery.LEAST_SQUARES
                    ? LeastSquaresRefit.refit(src, pruned, layers, plan.calib(), listener)
                    : LeastSquaresRefit.restoreStatistics(src, pruned, layers, plan.calib(), listener);
            refitted = layers.size();
        }
        Map<String, String> params = new TreeMap<>();
        params.put("ratio", Double.toString(ratio));
        params.put("criterion", criterion.name());
        params.put("global", Boolean.toString(global));
        if (sensitivity) {
            params.put("sensitivity", "true");
        }
        params.put("recovery", recovery.name());
        if (FineTuning.on(recipe)) {
            params.put("finetune-epochs", Integer.toString(recipe.epochs()));
            if (recipe.quantizationAware() > 0) {
                params.put("finetune-qat-epochs", Integer.toString(recipe.quantizationAware()));
            }
        }
        if (steps > 1) {
            params.put("steps", Integer.toString(steps));
        }
        Model out = src.withGraph(pruned, new AppliedPass("prune-structured", params));
        if (FineTuning.on(recipe)) {
            out = FineTuning.run(out, model, tuneData, mapping, recipe, listener);
        }
        PruneReport report = new PruneReport(plan.changes(), CostModel.totalMacs(g), CostModel.totalMacs(pruned),
                weightBytes(g), weightBytes(pruned), refitted);
        return new PruneResult(out, report);
    }

    private double[] score(Graph g, ChannelGroups.Group grp) {
        double[] s = new double[grp.channels()];
        for (int src : grp.sources()) {
            float[] w = g.tensor(g.node(src).input(1)).floats();
            int inner = w.length / grp.channels();
            for (int c = 0; c < grp.channels(); c++) {
                double acc = 0;
                for (int i = c * inner; i < (c + 1) * inner; i++) {
                    acc += criterion == Criterion.L1 ? Math.abs(w[i]) : (double) w[i] * w[i];
                }
                s[c] += criterion == Criterion.L1 ? acc : Math.sqrt(acc);
            }
        }
        return s;
    }

    private Map<Integer, Integer> perLayerCounts(Graph g, List<ChannelGroups.Group> prunable) {
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        for (ChannelGroups.Group grp : prunable) {
            int k = (int) Math.round((1 - ratio) * grp.channels());
            if (k == 0) {
                throw new IllegalArgumentException("expected a ratio that leaves a channel in every layer, found "
                        + ratio + " that would remove all " + grp.channels() + " channels of "
                        + g.node(grp.sources().get(0)).name());
            }
            counts.put(grp.id(), k);
        }
        return counts;
    }

    private Map<Integer, Integer> globalCounts(List<ChannelGroups.Group> prunable, Map<Integer, double[]> scores) {
        List<double[]> all = new ArrayList<>();
        int total = 0;
        for (ChannelGroups.Group grp : prunable) {
            double[] s = scores.get(grp.id());
            double mean = Arrays.stream(s).average().orElse(1);
            for (double v : s) {
                all.add(new double[] {mean > 0 ? v / mean : 0, grp.id()});
            }
            total += s.length;
        }
        all.sort(Comparator.comparingDouble(a -> a[0]));
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        prunable.forEach(grp -> counts.put(grp.id(), grp.channels()));
        int remove = (int) Math.floor(ratio * total);
        for (int i = 0; i < remove; i++) {
            counts.merge((int) all.get(i)[1], -1, Integer::sum);
        }
        counts.replaceAll((id, k) -> Math.max(1, k));
        return counts;
    }

    private int constrain(int k, int channels) {
        int r = Math.max(k, minChannels);
        r = (r + multipleOf - 1) / multipleOf * multipleOf;
        return Math.min(r, channels);
    }

    private static int[] topK(double[] s, int k) {
        Integer[] idx = new Integer[s.length];
        for (int i = 0; i < s.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : Integer.compare(a, b));
        int[] keep = new int[k];
        for (int i = 0; i < k; i++) {
            keep[i] = idx[i];
        }
        Arrays.sort(keep);
        return keep;
    }

    /** Consumers of pruned channels, in execution order, with the output rows each keeps. */
    private static LinkedHashMap<Integer, int[]> refitLayers(Graph g, ChannelGroups groups, Map<Integer, int[]> keep) {
        TreeMap<Integer, int[]> byNode = new TreeMap<>();
        for (ChannelGroups.Group grp : groups.groups()) {
            if (!keep.containsKey(grp.id())) {
                continue;
            }
            for (int c : grp.consumers()) {
                Node n = g.node(c);
                ChannelGroups.Group og = groups.groupOf(n.output(0));
                int[] rows = og != null ? keep.get(og.id()) : null;
                if (rows == null) {
                    rows = new int[g.tensor(n.input(1)).shape().dim(0)];
                    Arrays.setAll(rows, i -> i);
                }
                byNode.put(c, rows);
            }
        }
        return new LinkedHashMap<>(byNode);
    }

    private static long weightBytes(Graph g) {
        long sum = 0;
        for (Tensor t : g.tensors()) {
            if (t.isConstant() && !g.consumers(g.tensorIndex(t.name())).isEmpty()) {
                sum += t.byteSize();
            }
        }
        return sum;
    }
}
