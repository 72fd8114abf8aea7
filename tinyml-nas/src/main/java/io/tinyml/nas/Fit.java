package io.tinyml.nas;

import io.tinyml.core.ModelException;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.nas.internal.CandidateEvaluator;
import io.tinyml.prune.Criterion;
import io.tinyml.prune.Pruner;
import io.tinyml.prune.Recovery;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.eval.QuantEval;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * "Make this model fit": tries, in order of cost, int8 post-training quantization (then mixed
 * int8/int16 when only accuracy is short), structured pruning at 25, 50 and 75 % with least-squares
 * recovery (then a short fine-tune when only accuracy is short), and an architecture {@link Search}
 * trained on the user's data; it stops at the first int8 model whose estimate meets every budget of the
 * {@link Constraints} and whose top-1 on the evaluation data reaches the minimum. Every attempt is a
 * {@link FitStep} of the returned {@link FitReport}; when nothing fits the report names the closest
 * attempt and each requirement it misses, by how much.
 *
 * <pre>{@code
 * FitReport r = Fit.of(ModelIO.read(Path.of("model.onnx")))
 *         .setConstraints(Constraints.builder().setTarget("cortex-m4").optMaxFlash(100 * 1024).build())
 *         .setMinAccuracy(0.90)
 *         .setData(Datasets.open("mnist10k[0:8000]"), Datasets.open("mnist10k[8000:10000]"))
 *         .optListener((task, done, total) -> System.err.println(task + " " + done + "/" + total))
 *         .run();
 * if (r.fits()) {
 *     r.writeTo(Path.of("out"));   // model.tflite, estimate.json, report.json
 * }
 * }</pre>
 *
 * <p>Configuration methods return this builder-like object (not thread-safe); {@link #run()} may be
 * called once per configuration. The report is immutable.
 */
public final class Fit {
    private static final Logger log = LoggerFactory.getLogger(Fit.class);
    private static final double[] PRUNE_RATIOS = {0.25, 0.5, 0.75};
    /** Adam's rate for fine-tuning a pruned model. */
    private static final float FINE_TUNE_RATE = 3e-4f;

    private final Model model;
    private Constraints constraints;
    private double minAccuracy = Double.NaN;
    private Dataset train;
    private Dataset eval;
    private float inputScale = 1f;
    private float inputOffset = 0f;
    private boolean prune = true;
    private boolean search = true;
    private SearchSpace space;
    private int population = 8;
    private int generations = 3;
    private Fidelity proxy = new Fidelity(2, 2000, 1000);
    private Fidelity full = Fidelity.full(10);
    private int fineTuneEpochs = 2;
    private int calibrationSamples = 200;
    private long seed = 1;
    private Path workDirectory;
    private CandidateTrainer trainer;
    private Supplier<CandidateExecutor> executor = () -> new LocalExecutor(2);
    private ProgressListener listener = ProgressListener.NONE;

    private Fit(Model model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * Starts a fit of a float classifier (one input, one output of class scores).
     *
     * @param floatModel the model
     * @return the configuration
     */
    public static Fit of(Model floatModel) {
        return new Fit(floatModel);
    }

    /**
     * Sets the budgets (required).
     *
     * @param c the constraints
     * @return this
     */
    public Fit setConstraints(Constraints c) {
        this.constraints = Objects.requireNonNull(c, "constraints");
        return this;
    }

    /**
     * Sets the minimum int8 top-1 on the evaluation data (required).
     *
     * @param top1 in [0, 1]
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Fit setMinAccuracy(double top1) {
        if (!(top1 >= 0 && top1 <= 1)) {
            throw new IllegalArgumentException("expected a minimum accuracy in [0, 1], found " + top1);
        }
        this.minAccuracy = top1;
        return this;
    }

    /**
     * Sets the labelled data (required): calibration, pruning and training use {@code trainData}, every
     * accuracy is measured on {@code evalData}.
     *
     * @param trainData training and calibration data
     * @param evalData evaluation data
     * @return this
     */
    public Fit setData(Dataset trainData, Dataset evalData) {
        this.train = Objects.requireNonNull(trainData, "train");
        this.eval = Objects.requireNonNull(evalData, "eval");
        return this;
    }

    /**
     * Sets how raw sample values map onto the model input: {@code real = raw * scale + offset}.
     *
     * @param scale the scale (default 1)
     * @param offset the offset (default 0)
     * @return this
     */
    public Fit optInputMapping(float scale, float offset) {
        this.inputScale = scale;
        this.inputOffset = offset;
        return this;
    }

    /**
     * Enables or disables the pruning steps.
     *
     * @param on true to prune (default)
     * @return this
     */
    public Fit optPruning(boolean on) {
        this.prune = on;
        return this;
    }

    /**
     * Enables or disables the architecture search step.
     *
     * @param on true to search (default)
     * @return this
     */
    public Fit optSearch(boolean on) {
        this.search = on;
        return this;
    }

    /**
     * Sets the search space (default {@link SearchSpace#dscnn(int)} at the model's input resolution).
     *
     * @param s the space
     * @return this
     */
    public Fit optSearchSpace(SearchSpace s) {
        this.space = Objects.requireNonNull(s, "space");
        return this;
    }

    /**
     * Sets the search's effort.
     *
     * @param populationSize candidates per generation (default 8)
     * @param generationCount generations after the first (default 3)
     * @param proxyFidelity the low-fidelity proxy (default 2 epochs on 2,000 samples)
     * @param fullFidelity the front's training (default 10 epochs on all data)
     * @return this
     */
    public Fit optSearchBudget(int populationSize, int generationCount, Fidelity proxyFidelity, Fidelity fullFidelity) {
        this.population = populationSize;
        this.generations = generationCount;
        this.proxy = Objects.requireNonNull(proxyFidelity, "proxy");
        this.full = Objects.requireNonNull(fullFidelity, "full");
        return this;
    }

    /**
     * Sets the epochs of the fine-tune after pruning (0 = none).
     *
     * @param epochs epochs (default 2)
     * @return this
     */
    public Fit optFineTuneEpochs(int epochs) {
        this.fineTuneEpochs = epochs;
        return this;
    }

    /**
     * Sets the directory of the search's checkpoint and candidate models (default: a new temporary one).
     * A fit re-run with the same directory resumes its search.
     *
     * @param dir the directory
     * @return this
     */
    public Fit optWorkDirectory(Path dir) {
        this.workDirectory = Objects.requireNonNull(dir, "dir");
        return this;
    }

    /**
     * Sets the trainer of fine-tunes and search candidates (default: {@link DjlTrainer#of} for the
     * search, Adam at 3e-4 for fine-tunes).
     *
     * @param t the trainer
     * @return this
     */
    public Fit optTrainer(CandidateTrainer t) {
        this.trainer = Objects.requireNonNull(t, "trainer");
        return this;
    }

    /**
     * Sets the executor of the search (default: two local threads).
     *
     * @param e the factory
     * @return this
     */
    public Fit optExecutor(Supplier<CandidateExecutor> e) {
        this.executor = Objects.requireNonNull(e, "executor");
        return this;
    }

    /**
     * Sets the seed of pruning calibration, training and search.
     *
     * @param s the seed (default 1)
     * @return this
     */
    public Fit optSeed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * Sets the progress listener: task {@code "fit"} counts steps; the search reports its own tasks.
     *
     * @param l the listener
     * @return this
     */
    public Fit optListener(ProgressListener l) {
        this.listener = Objects.requireNonNull(l, "listener");
        return this;
    }

    /**
     * Runs the steps until one fits.
     *
     * @return the report
     * @throws IllegalStateException if constraints, minimum accuracy or data are missing
     * @throws ModelException if the model cannot be quantized, pruned, estimated or run
     * @throws IOException if the data are unusable or the work directory cannot be written
     * @throws InterruptedException if interrupted during the search
     */
    public FitReport run() throws ModelException, IOException, InterruptedException {
        if (constraints == null || Double.isNaN(minAccuracy) || train == null) {
            throw new IllegalStateException("expected constraints, a minimum accuracy and data, found "
                    + (constraints == null ? "no constraints" : train == null ? "no data" : "no minimum accuracy"));
        }
        Shape in = model.graph().inputTensor(0).shape();
        boolean image = in.rank() == 4;
        CandidateTrainer tr = trainer != null ? trainer
                : DjlTrainer.of(inputScale, inputOffset);
        CandidateEvaluator ev = new CandidateEvaluator(constraints, tr, train, eval, inputScale, inputOffset,
                calibrationSamples);
        List<FitStep> steps = new ArrayList<>();
        int total = 2 + (prune ? PRUNE_RATIOS.length : 0) + (search ? 1 : 0);

        Model q = ev.quantize(model, calibrationSamples);
        FitStep s = step("int8 PTQ (per-channel weights)", ev, q, "");
        steps.add(s);
        listener.progress("fit", steps.size(), total);
        if (s.fits()) {
            return done(steps, q, ev);
        }
        if (onlyAccuracy(s)) {
            FitReport r = tryMixed(ev, steps);
            if (r != null) {
                return r;
            }
        }
        listener.progress("fit", 2, total);
        if (prune) {
            InputMapping map = InputMapping.builder().setInput(model.graph().inputTensor(0)).optScale(inputScale)
                    .optOffset(inputOffset).build();
            for (int i = 0; i < PRUNE_RATIOS.length; i++) {
                double ratio = PRUNE_RATIOS[i];
                String name = String.format(Locale.ROOT, "structured pruning %.0f %% + least-squares recovery",
                        100 * ratio);
                Model pruned;
                try {
                    pruned = Pruner.of(model).structured().ratio(ratio).criterion(Criterion.ACTIVATION)
                            .calibrate(train, map, Math.min(256, train.size())).recover(Recovery.LEAST_SQUARES)
                            .apply().model();
                } catch (IllegalArgumentException | IllegalStateException e) {
                    steps.add(skipped(name, e.getMessage()));
                    continue;
                }
                Model pq = ev.quantize(pruned, calibrationSamples);
                s = step(name, ev, pq, "");
                steps.add(s);
                listener.progress("fit", 2 + i + 1, total);
                if (s.fits()) {
                    return done(steps, pq, ev);
                }
                if (onlyAccuracy(s) && fineTuneEpochs > 0) {
                    String ftName = name + " + fine-tune " + fineTuneEpochs + " epochs";
                    try {
                        // a trained model is fine-tuned at a small rate (the search's rate would undo its training)
                        CandidateTrainer ft = trainer != null ? trainer
                                : new DjlTrainer(inputScale, inputOffset, FINE_TUNE_RATE, 0, 32);
                        Model tuned = ft.train(pruned, train, fineTuneEpochs, seed);
                        Model tq = ev.quantize(tuned, calibrationSamples);
                        s = step(ftName, ev, tq, "");
                        steps.add(s);
                        if (s.fits()) {
                            return done(steps, tq, ev);
                        }
                    } catch (ModelException | IllegalArgumentException e) {
                        steps.add(skipped(ftName, e.getMessage()));
                    }
                }
            }
        }
        if (search) {
            FitReport r = trySearch(ev, tr, steps, in, image);
            if (r != null) {
                return r;
            }
        }
        listener.progress("fit", total, total);
        return new FitReport(false, null, null, steps, constraints, minAccuracy);
    }

    private FitReport tryMixed(CandidateEvaluator ev, List<FitStep> steps) throws ModelException {
        String name = "mixed int8/int16 PTQ";
        Model mq;
        try {
            mq = Quantizer.of(io.tinyml.core.pass.PassPipeline.standard().run(model)).mixed().perChannel()
                    .calibrate(train, Math.min(calibrationSamples, train.size())).inputScale(inputScale)
                    .inputOffset(inputOffset).validation(eval, Math.min(500, eval.size()))
                    .maxAccuracyDrop(0.005).apply().model();
        } catch (IllegalArgumentException | IllegalStateException e) {
            steps.add(skipped(name, e.getMessage()));
            return null;
        }
        FitStep s = step(name, ev, mq, "");
        steps.add(s);
        return s.fits() ? done(steps, mq, ev) : null;
    }

    private FitReport trySearch(CandidateEvaluator ev, CandidateTrainer tr, List<FitStep> steps, Shape in,
                                boolean image) throws ModelException, IOException, InterruptedException {
        String name = "architecture search";
        if (!image || (space == null && in.dim(1) != in.dim(2))) {
            steps.add(skipped(name, "needs a square image input [1, H, H, C] or a search space, found " + in));
            return null;
        }
        SearchSpace sp = space != null ? space : SearchSpace.dscnn(in.dim(1));
        Path dir = workDirectory != null ? workDirectory : Files.createTempDirectory("tinyml-fit-search");
        SearchResult r = Search.builder().setSpace(sp).setConstraints(constraints).setData(train, eval)
                .optInputScale(inputScale).optInputOffset(inputOffset).optTrainer(tr).optExecutor(executor)
                .optPopulation(population).optGenerations(generations).optProxy(proxy).optFull(full)
                .optSeed(seed).optCalibrationSamples(calibrationSamples).setOutputDirectory(dir)
                .optListener(listener).build().run();
        if (r.front().isEmpty()) {
            Candidate closest = r.candidates().stream().filter(c -> !c.shortfalls().isEmpty()
                    && !c.shortfalls().get(0).constraint().equals("structure")).min((a, b) -> Double.compare(
                    a.shortfalls().stream().mapToDouble(Shortfall::relativeGap).sum(),
                    b.shortfalls().stream().mapToDouble(Shortfall::relativeGap).sum())).orElse(null);
            String note = "no architecture of the space meets the budgets: " + r.rejected()
                    + " candidates rejected by the estimator, none trained";
            if (closest == null) {
                steps.add(skipped(name, note));
            } else {
                steps.add(new FitStep(name + ": " + closest.key(), Double.NaN, closest.flashBytes(),
                        closest.ramBytes(), closest.latencyMs(), closest.energyUj(), closest.shortfalls(),
                        note + "; closest shown"));
            }
            return null;
        }
        // most accurate first: the first that reaches the minimum is accepted
        List<Candidate> front = new ArrayList<>(r.front());
        front.sort((a, b) -> Double.compare(b.accuracy(), a.accuracy()));
        for (Candidate c : front) {
            Model m = io.tinyml.core.io.ModelIO.read(dir.resolve(c.modelFile()));
            FitStep s = step(name + ": " + c.key(), ev, m, "searched architecture, model " + dir.resolve(c.modelFile()));
            steps.add(s);
            if (s.fits()) {
                return done(steps, m, ev);
            }
        }
        return null;
    }

    private FitStep step(String name, CandidateEvaluator ev, Model q, String note) throws ModelException {
        CandidateEvaluator.Estimated e = ev.estimate(q);
        double acc = QuantEval.top1(q, eval, inputScale, inputOffset);
        List<Shortfall> sf = new ArrayList<>(e.shortfalls());
        if (acc < minAccuracy) {
            sf.add(new Shortfall("accuracy", acc, minAccuracy, "top-1"));
        }
        log.info("fit step {}: top-1 {}, flash {} B, RAM {} B, {} ms: {}", name, acc, e.estimate().flashBytes(),
                e.estimate().ramBytes(), e.estimate().latencyMs(), sf.isEmpty() ? "fits" : sf);
        return new FitStep(name, acc, e.estimate().flashBytes(), e.estimate().ramBytes(), e.estimate().latencyMs(),
                e.estimate().energyUj(), sf, note);
    }

    private static FitStep skipped(String name, String why) {
        return new FitStep(name, Double.NaN, 0, 0, 0, 0,
                List.of(new Shortfall("not applicable", 0, 0, "n/a")), why);
    }

    private static boolean onlyAccuracy(FitStep s) {
        return !s.shortfalls().isEmpty() && s.shortfalls().stream().allMatch(f -> f.constraint().equals("accuracy"));
    }

    private FitReport done(List<FitStep> steps, Model q, CandidateEvaluator ev) {
        return new FitReport(true, q, ev.estimate(q).estimate(), steps, constraints, minAccuracy);
    }
}
