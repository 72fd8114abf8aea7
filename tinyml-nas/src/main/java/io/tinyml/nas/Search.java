package io.tinyml.nas;

import io.tinyml.core.ModelException;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.io.ModelIO;
import io.tinyml.nas.internal.CandidateEvaluator;
import io.tinyml.nas.internal.Checkpoint;
import io.tinyml.nas.internal.Nsga2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * Hardware-aware architecture search: NSGA-II over a {@link SearchSpace} with three objectives — int8
 * top-1 (maximised), estimated latency and estimated flash (minimised) — under {@link Constraints}.
 *
 * <p>Every candidate is quantized and estimated <em>before</em> training; one that misses a budget is
 * recorded as rejected and never trained (offspring are redrawn until feasible). Feasible candidates
 * are ranked by a low-fidelity proxy ({@link Fidelity}: few epochs on a subset); only the final
 * population's non-dominated front is trained at full fidelity, written as int8 {@code .tflite} files
 * and re-sorted into the returned front.
 *
 * <p>The search is seeded: the random source of generation {@code g} is derived from the seed and
 * {@code g} alone, so a run resumed from its checkpoint ({@code checkpoint.json} in the output
 * directory, written atomically after every generation and every fully trained model) continues
 * exactly as the uninterrupted run would. The checkpoint records the space, budgets, seed, sizes and
 * fidelities and refuses to resume a different configuration; the trainer is not recorded (it may be
 * a lambda): resuming with a different trainer is the caller's choice. Progress is reported to the listener as tasks
 * {@code "search"} (candidates trained so far) and {@code "full training"}. Candidates of a generation
 * are trained in parallel by the {@link CandidateExecutor}.
 *
 * <pre>{@code
 * SearchResult r = Search.builder()
 *         .setSpace(SearchSpace.dscnn(28))
 *         .setConstraints(Constraints.builder().setTarget("cortex-m4").optMaxFlash(32 * 1024).optMaxRam(16 * 1024).build())
 *         .setData(Datasets.open("mnist10k[0:8000]"), Datasets.open("mnist10k[8000:10000]"))
 *         .optInputScale(1f / 255)
 *         .setOutputDirectory(Path.of("nas-out"))
 *         .build().run();
 * }</pre>
 *
 * <p>Instances are immutable; {@link #run()} may be called again to resume or re-read a finished search.
 */
public final class Search {
    private static final Logger log = LoggerFactory.getLogger(Search.class);
    /** Largest number of draws per offspring before a duplicate is accepted or the generation stops growing. */
    private static final int MAX_TRIES = 200;
    /** Random draws per member of the initial population before the space is declared infeasible. */
    private static final int INITIAL_TRIES = 50;

    private final Builder b;

    private Search(Builder b) {
        this.b = b;
    }

    /**
     * Starts a builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs (or resumes) the search.
     *
     * @return the front and every candidate seen; the front is empty when no architecture of the space
     *     meets the budgets (every candidate seen is then a rejected one)
     * @throws IOException if the output directory or the checkpoint cannot be used, or the data are unusable
     * @throws ModelException if a candidate cannot be built, trained, quantized or estimated
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if the checkpoint belongs to a different search configuration
     */
    public SearchResult run() throws IOException, ModelException, InterruptedException {
        long t0 = System.nanoTime();
        Files.createDirectories(b.output.resolve("models"));
        Path cpFile = b.output.resolve("checkpoint.json");
        CandidateEvaluator ev = new CandidateEvaluator(b.constraints, b.trainer, b.train, b.eval, b.inputScale,
                b.inputOffset, b.calibrationSamples);
        String fp = fingerprint();
        Map<String, Candidate> archive = new LinkedHashMap<>();
        List<String> population = new ArrayList<>();
        int generation = -1;
        boolean finished = false;
        if (Files.exists(cpFile)) {
            Checkpoint cp = Checkpoint.read(cpFile);
            if (!cp.fingerprint().equals(fp)) {
                throw new IllegalStateException("expected " + cpFile + " to hold this search's checkpoint, found one of "
                        + "another configuration (" + cp.fingerprint() + " vs " + fp + "); use a new output directory");
            }
            cp.archive().forEach(c -> archive.put(c.key(), c));
            population.addAll(cp.population());
            generation = cp.generation();
            finished = cp.finished();
            log.info("resuming from {}: {} generations done, {} candidates known", cpFile, generation + 1,
                    archive.size());
        }
        try (CandidateExecutor exec = b.executor.get()) {
            while (generation < b.generations) {
                int g = generation + 1;
                Random rnd = new Random(b.seed * 0x9E3779B97F4A7C15L + g);
                List<Candidate> children = g == 0 ? initial(ev, archive, rnd) : offspring(ev, archive, population, rnd);
                if (g == 0 && children.isEmpty()) {
                    // nothing fits: the result has an empty front and lists the rejected candidates
                    new Checkpoint(Checkpoint.FORMAT, fp, b.generations, List.of(), List.copyOf(archive.values()), true)
                            .write(cpFile);
                    generation = b.generations;
                    finished = true;
                    break;
                }
                List<Candidate> trained = proxy(ev, exec, children, g);
                trained.forEach(c -> archive.put(c.key(), c));
                List<String> merged = new ArrayList<>(population);
                trained.stream().map(Candidate::key).filter(k -> !merged.contains(k)).forEach(merged::add);
                List<double[]> obj = merged.stream().map(k -> objectives(archive.get(k), false)).toList();
                population = Nsga2.select(obj, b.population).stream().map(merged::get).toList();
                generation = g;
                new Checkpoint(Checkpoint.FORMAT, fp, generation, population, List.copyOf(archive.values()), false)
                        .write(cpFile);
                log.info("generation {}/{}: {} new candidates trained, {} known (of which {} rejected before training)",
                        g, b.generations, trained.size(), archive.size(),
                        archive.values().stream().filter(c -> !c.feasible()).count());
            }
            if (!finished) {
                CandidateEvaluator fullEv = b.fullTrainer == null ? ev : new CandidateEvaluator(b.constraints,
                        b.fullTrainer, b.train, b.eval, b.inputScale, b.inputOffset, b.calibrationSamples);
                full(fullEv, exec, archive, population, fp, cpFile, generation);
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ModelException me) {
                throw me;
            }
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("candidate evaluation failed: " + c, c);
        }
        List<Candidate> fullyTrained = population.stream().map(archive::get).filter(Candidate::fullyTrained).toList();
        List<double[]> obj = fullyTrained.stream().map(c -> objectives(c, true)).toList();
        List<Candidate> front = new ArrayList<>();
        List<List<Integer>> fronts = Nsga2.fronts(obj);
        if (!fronts.isEmpty()) {
            fronts.get(0).forEach(i -> front.add(fullyTrained.get(i)));
        }
        front.sort((x, y) -> Double.compare(x.latencyMs(), y.latencyMs()));
        return new SearchResult(front, List.copyOf(archive.values()), b.output, (System.nanoTime() - t0) / 1e9);
    }

    private List<Candidate> initial(CandidateEvaluator ev, Map<String, Candidate> archive, Random rnd)
            throws ModelException {
        List<Candidate> out = new ArrayList<>();
        for (int tries = 0; out.size() < b.population && tries < INITIAL_TRIES * b.population; tries++) {
            Candidate c = consider(ev, archive, b.space.sample(rnd), out);
            if (c != null) {
                out.add(c);
            }
        }
        if (out.isEmpty()) {
            log.warn("no architecture of the space meets the budgets in {} draws ({} distinct candidates rejected)",
                    INITIAL_TRIES * b.population, archive.size());
        }
        return out;
    }

    private List<Candidate> offspring(CandidateEvaluator ev, Map<String, Candidate> archive, List<String> population,
                                      Random rnd) throws ModelException {
        List<double[]> obj = population.stream().map(k -> objectives(archive.get(k), false)).toList();
        double[][] rc = Nsga2.rankAndCrowding(obj);
        int[] card = b.space.cardinalities();
        List<Candidate> out = new ArrayList<>();
        for (int tries = 0; out.size() < b.population && tries < MAX_TRIES * b.population; tries++) {
            int[] pa = archive.get(population.get(Nsga2.tournament(rc, rnd))).genes();
            int[] pb = archive.get(population.get(Nsga2.tournament(rc, rnd))).genes();
            Candidate c = consider(ev, archive, Nsga2.offspring(pa, pb, card, rnd), out);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** A new feasible candidate for these genes, or null (already known, or rejected by the estimator). */
    private Candidate consider(CandidateEvaluator ev, Map<String, Candidate> archive, int[] genes,
                               List<Candidate> pending) throws ModelException {
        Architecture a = b.space.decode(genes);
        String key = a.key();
        if (archive.containsKey(key) || pending.stream().anyMatch(p -> p.key().equals(key))) {
            return null;
        }
        CandidateEvaluator.Estimated e;
        try {
            e = ev.estimate(a, b.seed);
        } catch (IllegalArgumentException ex) {
            // strides that leave no feature map: not a network, recorded as rejected by the structure
            archive.put(key, new Candidate(key, genes, a, 0, 0, 0, 0,
                    List.of(new Shortfall("structure", 0, 0, "")), Double.NaN, Double.NaN, null));
            return null;
        }
        Candidate c = new Candidate(key, genes, a, e.estimate().flashBytes(), e.estimate().ramBytes(),
                e.estimate().latencyMs(), e.estimate().energyUj(), e.shortfalls(), Double.NaN, Double.NaN, null);
        if (!c.feasible()) {
            archive.put(key, c);
            return null;
        }
        return c;
    }

    private List<Candidate> proxy(CandidateEvaluator ev, CandidateExecutor exec, List<Candidate> cs, int g)
            throws ExecutionException, InterruptedException {
        List<Callable<Candidate>> tasks = new ArrayList<>();
        Fidelity f = b.proxy;
        long total = (long) b.population * (b.generations + 1);
        for (Candidate c : cs) {
            tasks.add(() -> {
                CandidateEvaluator.Trained t = ev.train(c.architecture(), f.epochs(), f.trainSamples(),
                        f.evalSamples(), b.seed);
                log.debug("proxy {}: top-1 {}", c.key(), t.top1());
                return c.withProxy(t.top1());
            });
        }
        List<Candidate> out = exec.runAll(tasks);
        b.listener.progress("search", Math.min(total, (long) b.population * g + out.size()), total);
        return out;
    }

    private void full(CandidateEvaluator ev, CandidateExecutor exec, Map<String, Candidate> archive,
                      List<String> population, String fp, Path cpFile, int generation)
            throws ExecutionException, InterruptedException, IOException {
        List<double[]> obj = population.stream().map(k -> objectives(archive.get(k), false)).toList();
        List<Candidate> front = new ArrayList<>();
        if (population.isEmpty()) {
            return;
        }
        Nsga2.fronts(obj).get(0).forEach(i -> front.add(archive.get(population.get(i))));
        front.sort((x, y) -> Double.compare(y.proxyAccuracy(), x.proxyAccuracy()));
        List<Candidate> todo = front.stream().filter(c -> !c.fullyTrained()).limit(Math.max(0,
                b.maxFullTrainings - front.stream().filter(Candidate::fullyTrained).count())).toList();
        int done = 0;
        for (int from = 0; from < todo.size(); from += exec instanceof LocalExecutor l ? l.threads() : 1) {
            List<Candidate> batch = todo.subList(from, Math.min(todo.size(),
                    from + (exec instanceof LocalExecutor l ? l.threads() : 1)));
            List<Callable<Candidate>> tasks = new ArrayList<>();
            for (Candidate c : batch) {
                tasks.add(() -> {
                    Fidelity f = b.full;
                    CandidateEvaluator.Trained t = ev.train(c.architecture(), f.epochs(), f.trainSamples(),
                            f.evalSamples(), b.seed);
                    String file = "models/" + c.key() + ".tflite";
                    ModelIO.write(t.int8(), b.output.resolve(file));
                    CandidateEvaluator.Estimated e = ev.estimate(t.int8());
                    return c.withFull(t.top1(), e.estimate().flashBytes(), e.estimate().ramBytes(),
                            e.estimate().latencyMs(), e.estimate().energyUj(), file);
                });
            }
            for (Candidate c : exec.runAll(tasks)) {
                archive.put(c.key(), c);
                log.info("full training {}: int8 top-1 {} (proxy {})", c.key(), c.accuracy(), c.proxyAccuracy());
            }
            done += batch.size();
            b.listener.progress("full training", done, todo.size());
            new Checkpoint(Checkpoint.FORMAT, fp, generation, population, List.copyOf(archive.values()),
                    done == todo.size()).write(cpFile);
        }
        if (todo.isEmpty()) {
            new Checkpoint(Checkpoint.FORMAT, fp, generation, population, List.copyOf(archive.values()), true)
                    .write(cpFile);
        }
    }

    /** Minimised objectives: -top-1, latency, flash. */
    private static double[] objectives(Candidate c, boolean full) {
        return new double[] {-(full ? c.accuracy() : c.proxyAccuracy()), c.latencyMs(), c.flashBytes()};
    }

    private String fingerprint() {
        // not Constraints.toString(): its target's feature set iterates in a per-JVM order, so a process
        // resuming a killed one would see another fingerprint
        Constraints c = b.constraints;
        String budgets = c.target().name() + "," + c.target().clockHz() + "," + c.kernels() + "," + c.maxFlash() + ","
                + c.maxRam() + "," + c.maxLatencyMs() + "," + c.maxEnergyUj();
        String s = b.space.toJson() + "|" + budgets + "|" + b.seed + "|" + b.population + "|" + b.generations
                + "|" + b.proxy + "|" + b.full + "|" + b.maxFullTrainings + "|" + b.train.size() + "|"
                + b.eval.size() + "|" + b.inputScale + "|" + b.inputOffset + "|" + b.calibrationSamples;
        return Integer.toHexString(s.hashCode());
    }

    /**
     * Configures a {@link Search}: space, constraints, data and output directory are required. Not
     * thread-safe.
     */
    public static final class Builder {
        private SearchSpace space;
        private Constraints constraints;
        private Dataset train;
        private Dataset eval;
        private Path output;
        private CandidateTrainer trainer;
        private CandidateTrainer fullTrainer;
        private java.util.function.Supplier<CandidateExecutor> executor = () -> new LocalExecutor(1);
        private float inputScale = 1f;
        private float inputOffset = 0f;
        private int population = 8;
        private int generations = 4;
        private Fidelity proxy = new Fidelity(2, 2000, 1000);
        private Fidelity full = Fidelity.full(10);
        private int maxFullTrainings = 8;
        private int calibrationSamples = 200;
        private long seed = 1;
        private ProgressListener listener = ProgressListener.NONE;

        private Builder() {
        }

        /**
         * Sets the search space.
         *
         * @param s the space
         * @return this builder
         */
        public Builder setSpace(SearchSpace s) {
            this.space = Objects.requireNonNull(s, "space");
            return this;
        }

        /**
         * Sets the budgets.
         *
         * @param c the constraints
         * @return this builder
         */
        public Builder setConstraints(Constraints c) {
            this.constraints = Objects.requireNonNull(c, "constraints");
            return this;
        }

        /**
         * Sets the labelled training and evaluation data.
         *
         * @param trainData training (and calibration) data
         * @param evalData evaluation data
         * @return this builder
         */
        public Builder setData(Dataset trainData, Dataset evalData) {
            this.train = Objects.requireNonNull(trainData, "train");
            this.eval = Objects.requireNonNull(evalData, "eval");
            return this;
        }

        /**
         * Sets the directory for the checkpoint and the front's model files; the search resumes from a
         * checkpoint found there.
         *
         * @param dir the directory (created if missing)
         * @return this builder
         */
        public Builder setOutputDirectory(Path dir) {
            this.output = Objects.requireNonNull(dir, "output");
            return this;
        }

        /**
         * Sets the trainer (default: {@link DjlTrainer} with the input scale and offset).
         *
         * @param t the trainer
         * @return this builder
         */
        public Builder optTrainer(CandidateTrainer t) {
            this.trainer = Objects.requireNonNull(t, "trainer");
            return this;
        }

        /**
         * Sets a different trainer for the front's full training (e.g. with data augmentation that only
         * pays off over many epochs); default: the proxy's trainer.
         *
         * @param t the trainer
         * @return this builder
         */
        public Builder optFullTrainer(CandidateTrainer t) {
            this.fullTrainer = Objects.requireNonNull(t, "fullTrainer");
            return this;
        }

        /**
         * Sets the executor factory, called once per run (default: the caller's thread).
         *
         * @param e the factory
         * @return this builder
         */
        public Builder optExecutor(java.util.function.Supplier<CandidateExecutor> e) {
            this.executor = Objects.requireNonNull(e, "executor");
            return this;
        }

        /**
         * Sets how raw sample values map onto the network input: {@code real = raw * scale + offset}.
         *
         * @param scale the scale (default 1)
         * @return this builder
         */
        public Builder optInputScale(float scale) {
            this.inputScale = scale;
            return this;
        }

        /**
         * Sets the input offset.
         *
         * @param offset the offset (default 0)
         * @return this builder
         */
        public Builder optInputOffset(float offset) {
            this.inputOffset = offset;
            return this;
        }

        /**
         * Sets the population size.
         *
         * @param n candidates per generation (default 8)
         * @return this builder
         */
        public Builder optPopulation(int n) {
            this.population = n;
            return this;
        }

        /**
         * Sets the generations after the initial population.
         *
         * @param n generations (default 4)
         * @return this builder
         */
        public Builder optGenerations(int n) {
            this.generations = n;
            return this;
        }

        /**
         * Sets the low-fidelity proxy.
         *
         * @param f the proxy (default 2 epochs on 2,000 samples, scored on 1,000)
         * @return this builder
         */
        public Builder optProxy(Fidelity f) {
            this.proxy = Objects.requireNonNull(f, "proxy");
            return this;
        }

        /**
         * Sets the full-fidelity training of the front.
         *
         * @param f the fidelity (default 10 epochs on all data)
         * @return this builder
         */
        public Builder optFull(Fidelity f) {
            this.full = Objects.requireNonNull(f, "full");
            return this;
        }

        /**
         * Sets how many front members are trained fully (most accurate proxies first).
         *
         * @param n the limit (default 8)
         * @return this builder
         */
        public Builder optMaxFullTrainings(int n) {
            this.maxFullTrainings = n;
            return this;
        }

        /**
         * Sets the samples calibrating each trained candidate's int8 model.
         *
         * @param n samples (default 200)
         * @return this builder
         */
        public Builder optCalibrationSamples(int n) {
            this.calibrationSamples = n;
            return this;
        }

        /**
         * Sets the seed.
         *
         * @param s the seed (default 1)
         * @return this builder
         */
        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Sets the progress listener.
         *
         * @param l the listener
         * @return this builder
         */
        public Builder optListener(ProgressListener l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * Builds the search.
         *
         * @return the search
         * @throws IllegalStateException if a required setting is missing
         * @throws IllegalArgumentException if a count is not positive
         */
        public Search build() {
            if (space == null || constraints == null || train == null || output == null) {
                throw new IllegalStateException("expected space, constraints, data and output directory, found "
                        + (space == null ? "no space" : constraints == null ? "no constraints"
                        : train == null ? "no data" : "no output directory"));
            }
            if (population < 2 || generations < 0 || maxFullTrainings < 1 || calibrationSamples < 1) {
                throw new IllegalArgumentException("expected population >= 2, generations >= 0, full trainings >= 1 and "
                        + "calibration samples >= 1, found " + population + ", " + generations + ", "
                        + maxFullTrainings + ", " + calibrationSamples);
            }
            if (train.size() == 0 || eval.size() == 0) {
                throw new IllegalArgumentException("expected non-empty training and evaluation data, found "
                        + train.size() + " and " + eval.size() + " samples");
            }
            if (trainer == null) {
                trainer = DjlTrainer.of(inputScale, inputOffset);
            }
            Builder copy = new Builder();
            copy.space = space;
            copy.constraints = constraints;
            copy.train = train;
            copy.eval = eval;
            copy.output = output;
            copy.trainer = trainer;
            copy.fullTrainer = fullTrainer;
            copy.executor = executor;
            copy.inputScale = inputScale;
            copy.inputOffset = inputOffset;
            copy.population = population;
            copy.generations = generations;
            copy.proxy = proxy;
            copy.full = full;
            copy.maxFullTrainings = maxFullTrainings;
            copy.calibrationSamples = calibrationSamples;
            copy.seed = seed;
            copy.listener = listener;
            return new Search(copy);
        }
    }
}
