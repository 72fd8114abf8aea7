package io.tinyml.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.pass.FoldBatchNorm;
import io.tinyml.core.pass.PassException;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.train.internal.BatchNormInsertion;
import io.tinyml.train.internal.ClassifierLoss;
import io.tinyml.train.internal.DjlEngine;
import io.tinyml.train.internal.Observations;
import io.tinyml.train.internal.TrainingData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains (fine-tunes) a float IR classifier with DJL's PyTorch engine, offline, and returns the trained
 * IR model. A configuration is immutable and reusable; {@link #fit(Model, Dataset)} builds the
 * network ({@link TrainableModel}), one DJL trainer per run, and scopes every batch's arrays to a
 * sub-manager that is closed after the step, so memory stays flat across epochs.
 *
 * <p>Data are checked before the first step: a sample that does not map onto the model input, a value
 * that is not finite or a label beyond the model's classes fails with a one-line
 * {@link DatasetException}; nothing is trained and nothing is returned.
 *
 * <p><b>Determinism.</b> The same seed, data and configuration give the same weights: sample order and
 * any initialisation are drawn from {@code java.util.Random(seed)}, PyTorch's generator is seeded, and
 * libtorch's CPU kernels are deterministic when it runs one intra-op thread
 * ({@code -Dai.djl.pytorch.num_threads=1}, as the tests run); with more threads, reductions may be
 * summed in a different order from run to run (last-bit differences).
 *
 * <pre>{@code
 * TrainingResult r = Training.builder()
 *         .optOptimizer(OptimizerSpec.adam(1e-3f))
 *         .optEpochs(2).optBatchSize(32).optSeed(7)
 *         .optInputScale(1f / 255)
 *         .build()
 *         .fit(ModelIO.read(Path.of("tiny_digits.onnx")), Datasets.open("mnist10k[0:8000]"));
 * Model tuned = r.model();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; a {@code fit} call is not shared between threads.
 */
public final class Training {
    private static final Logger log = LoggerFactory.getLogger(Training.class);
    /** Samples over which re-inserted batch norm statistics are measured. */
    private static final int BN_SAMPLES = 1000;

    private final LossFunction loss;
    private final OptimizerSpec optimizer;
    private final LearningRateSchedule schedule;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final float inputScale;
    private final float inputOffset;
    private final Dataset validation;
    private final double validationFraction;
    private final int patience;
    private final int shift;
    private final double averaging;
    private final boolean reinsertBatchNorm;
    private final int bnSamples;
    private final boolean validateInitial;
    private final boolean selectByAccuracy;
    private final int qatSamples;
    private final Model teacher;
    private final float temperature;
    private final double distillWeight;
    private final ProgressListener listener;
    private final Consumer<EpochStats> epochListener;

    private Training(Builder b) {
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.schedule = b.schedule;
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.inputScale = b.inputScale;
        this.inputOffset = b.inputOffset;
        this.validation = b.validation;
        this.validationFraction = b.validationFraction;
        this.patience = b.patience;
        this.shift = b.shift;
        this.averaging = b.averaging;
        this.reinsertBatchNorm = b.reinsertBatchNorm;
        this.bnSamples = b.bnSamples;
        this.validateInitial = b.validateInitial;
        this.selectByAccuracy = b.selectByAccuracy;
        this.qatSamples = b.qatSamples;
        this.teacher = b.teacher;
        this.temperature = b.temperature;
        this.distillWeight = b.distillWeight;
        this.listener = b.listener;
        this.epochListener = b.epochListener;
    }

    /**
     * Starts a configuration with the defaults: cross-entropy, Adam at 1e-3, constant rate, 1 epoch,
     * batches of 32, seed 0, raw input values, no validation.
     *
     * @return a builder; not thread-safe
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains a copy of a float classifier on labelled data.
     *
     * @param model the float model: one FLOAT32 input, one output whose last axis holds the classes
     * @param data the training data; samples are mapped onto the input with the input scale and offset
     * @return the trained model and the history
     * @throws DatasetException if the data (or validation data) is unusable; the message names the sample
     * @throws UnsupportedOperatorException if the model holds an operator that cannot be trained
     * @throws IllegalArgumentException if the model does not have one input and one output
     */
    public TrainingResult fit(Model model, Dataset data) throws DatasetException, UnsupportedOperatorException {
        Graph g = model.graph();
        if (g.inputs().size() != 1 || g.outputs().size() != 1) {
            throw new IllegalArgumentException("expected a model with one input and one output to train, found "
                    + g.inputs().size() + " inputs and " + g.outputs().size() + " outputs");
        }
        Shape outShape = g.outputTensor(0).shape();
        int classes = outShape.dim(outShape.rank() - 1);
        InputMapping mapping = InputMapping.builder().setInput(g.inputTensor(0)).optScale(inputScale)
                .optOffset(inputOffset).build();
        Dataset train = data;
        Dataset val = validation;
        if (val == null && validationFraction > 0) {
            int cut = data.size() - (int) Math.round(data.size() * validationFraction);
            train = data.slice(0, cut);
            val = data.slice(cut, data.size());
        }
        if (shift > 0 && g.inputTensor(0).shape().rank() != 4) {
            throw new IllegalArgumentException("expected an image input [1, H, W, C] for random shifts, found "
                    + g.inputTensor(0).shape());
        }
        TrainingData tr = TrainingData.of(train, mapping, classes, "training data");
        TrainingData va = val == null ? null : TrainingData.of(val, mapping, classes, "validation data");
        int producer = g.producer(g.outputs().get(0));
        boolean probabilities = producer >= 0 && g.node(producer).op().kind() == OpKind.SOFTMAX;
        Distillation kd = teacher == null ? null : Distillation.of(teacher, g, classes, temperature, distillWeight);
        Model start = reinsertBatchNorm ? BatchNormInsertion.apply(model, tr, BN_SAMPLES) : model;
        TrainingResult r;
        try (TrainableModel net = TrainableModel.of(start); TrainableModel teacherNet = kd == null ? null
                : TrainableModel.of(teacher)) {
            if (qatSamples > 0) {
                net.block().setFakeQuantization(Observations.ranges(start, tr, qatSamples));
            }
            r = run(net, teacherNet, kd, tr, va, classes, probabilities, g.inputTensor(0).shape());
        }
        if (start == model) {
            return r;
        }
        try {
            Model folded = PassPipeline.of(new FoldBatchNorm()).run(r.model());
            return new TrainingResult(folded, r.history(), r.bestEpoch(), r.stoppedEarly());
        } catch (PassException e) {
            throw new IllegalStateException("expected the re-inserted batch norm to fold, found: " + e.getMessage(), e);
        }
    }

    /**
     * Trains a copy of a float regressor: every output value is fitted to a real target by mean squared
     * error (the loss must be {@link LossFunction#MSE}). Uses the optimiser, schedule, epochs, batch
     * size, seed, input mapping and listeners of this configuration; validation, early stopping, random
     * shifts, weight averaging, batch norm re-insertion and quantization-aware training are classifier
     * options and are refused here. The history's accuracies are NaN.
     *
     * @param model the float model: one FLOAT32 input, one FLOAT32 output
     * @param data the inputs; labels are ignored
     * @param targets {@code data.size()} times the output's element count real values, sample after sample
     * @return the trained model (after the last epoch) and the history
     * @throws DatasetException if the data is unusable or a target is not finite; the message names the sample
     * @throws UnsupportedOperatorException if the model holds an operator that cannot be trained
     * @throws IllegalArgumentException if the loss is not MSE, a classifier-only option is set, the model does
     *     not have one input and one output, or the number of targets does not match
     */
    public TrainingResult fitRegression(Model model, Dataset data, float[] targets)
            throws DatasetException, UnsupportedOperatorException {
        Objects.requireNonNull(targets, "targets");
        if (loss != LossFunction.MSE) {
            throw new IllegalArgumentException("expected the MSE loss for regression, found " + loss);
        }
        if (validation != null || validationFraction > 0 || shift > 0 || averaging > 0 || reinsertBatchNorm
                || bnSamples > 0 || validateInitial || selectByAccuracy || qatSamples > 0 || teacher != null) {
            throw new IllegalArgumentException("expected no classifier-only option (validation, shifts, averaging,"
                    + " batch norm, quantization-aware training, distillation) for regression");
        }
        Graph g = model.graph();
        if (g.inputs().size() != 1 || g.outputs().size() != 1) {
            throw new IllegalArgumentException("expected a model with one input and one output to train, found "
                    + g.inputs().size() + " inputs and " + g.outputs().size() + " outputs");
        }
        int outs = g.outputTensor(0).shape().elementCount();
        if (targets.length != (long) data.size() * outs) {
            throw new IllegalArgumentException("expected " + data.size() + " x " + outs + " targets, found "
                    + targets.length);
        }
        for (int i = 0; i < targets.length; i++) {
            if (!Float.isFinite(targets[i])) {
                throw new DatasetException("regression targets: expected finite values, found " + targets[i]
                        + " for sample " + i / outs);
            }
        }
        InputMapping mapping = InputMapping.builder().setInput(g.inputTensor(0)).optScale(inputScale)
                .optOffset(inputOffset).build();
        TrainingData tr = TrainingData.of(data, mapping, Integer.MAX_VALUE, "training data");
        Shape inShape = g.inputTensor(0).shape();
        try (TrainableModel net = TrainableModel.of(model)) {
            DjlEngine.pytorch().setRandomSeed((int) seed);
            int batches = (tr.size() + batchSize - 1) / batchSize;
            Optimizer opt = djlOptimizer(batches);
            ai.djl.training.loss.Loss mse = new ai.djl.training.loss.Loss("mse") {
                @Override
                public NDArray evaluate(NDList labels, NDList predictions) {
                    NDArray pred = predictions.singletonOrThrow();
                    return pred.reshape(pred.getShape().get(0), outs).sub(labels.singletonOrThrow()).square().mean();
                }
            };
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(mse).optOptimizer(opt)
                    .optDevices(new Device[] {Device.cpu()});
            List<EpochStats> history = new ArrayList<>();
            Random order = new Random(seed);
            try (Trainer trainer = net.djl().newTrainer(cfg)) {
                trainer.initialize(TrainableModel.djlShape(inShape, batchSize));
                int[] idx = new int[tr.size()];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = i;
                }
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    shuffle(idx, order);
                    long t0 = System.nanoTime();
                    double lossSum = 0;
                    String task = "train epoch " + epoch + "/" + epochs;
                    for (int b = 0; b < batches; b++) {
                        int from = b * batchSize;
                        int to = Math.min(tr.size(), from + batchSize);
                        try (NDManager mgr = trainer.getManager().newSubManager()) {
                            float[] y = new float[(to - from) * outs];
                            for (int i = from; i < to; i++) {
                                System.arraycopy(targets, idx[i] * outs, y, (i - from) * outs, outs);
                            }
                            NDList x = new NDList(batchArray(mgr, tr, idx, from, to, inShape));
                            NDList ys = new NDList(mgr.create(y, new ai.djl.ndarray.types.Shape(to - from, outs)));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray l = mse.evaluate(ys, trainer.forward(x, ys));
                                gc.backward(l);
                                lossSum += l.getFloat() * (to - from);
                            }
                            trainer.step();
                        }
                        listener.progress(task, b + 1, batches);
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double lr = optimizer.learningRate() * schedule.factor(Math.min(epochs - 1e-9, epoch), epochs);
                    EpochStats s = new EpochStats(epoch, lossSum / tr.size(), Double.NaN, Double.NaN, Double.NaN,
                            tr.size() / secs, lr);
                    history.add(s);
                    log.info("epoch {}/{}: mse {} ({} samples/s)", epoch, epochs, String.format(Locale.ROOT, "%.4g", s.loss()),
                            Math.round(s.samplesPerSecond()));
                    epochListener.accept(s);
                }
            }
            return new TrainingResult(net.toModel(provenance(epochs)), history, epochs, false);
        }
    }

    /** The configured optimiser, its rate following the schedule over {@code batches} steps per epoch. */
    private Optimizer djlOptimizer(int batches) {
        Tracker rate = num -> (float) (optimizer.learningRate()
                * schedule.factor(Math.min(epochs - 1e-9, Math.max(0, num - 1) / (double) batches), epochs));
        return switch (optimizer.kind()) {
            case SGD -> Optimizer.sgd().setLearningRateTracker(rate).optMomentum(optimizer.momentum())
                    .optWeightDecays(optimizer.weightDecay()).build();
            case ADAM -> Optimizer.adam().optLearningRateTracker(rate).optWeightDecays(optimizer.weightDecay()).build();
        };
    }

    private TrainingResult run(TrainableModel net, TrainableModel teacherNet, Distillation kd, TrainingData tr,
                               TrainingData va, int classes, boolean probabilities, Shape inShape) {
        DjlEngine.pytorch().setRandomSeed((int) seed);
        int batches = (tr.size() + batchSize - 1) / batchSize;
        Optimizer opt = djlOptimizer(batches);
        ClassifierLoss lossFn = new ClassifierLoss(loss == LossFunction.CROSS_ENTROPY, probabilities, classes);
        DefaultTrainingConfig cfg = new DefaultTrainingConfig(lossFn).optOptimizer(opt)
                .optDevices(new Device[] {Device.cpu()});
        List<EpochStats> history = new ArrayList<>();
        Random order = new Random(seed);
        Model best = null;
        int bestEpoch = 0;
        double bestLoss = Double.POSITIVE_INFINITY;
        double bestAccuracy = Double.NEGATIVE_INFINITY;
        boolean stopped = false;
        try (Trainer trainer = net.djl().newTrainer(cfg);
             WeightAverage avg = averaging > 0 ? new WeightAverage(net.block(), averaging) : null) {
            trainer.initialize(TrainableModel.djlShape(inShape, batchSize));
            int[] idx = new int[tr.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            if (validateInitial) {
                double[] v = evaluate(trainer, lossFn, va, classes, inShape);
                log.info("before training: val loss {} val accuracy {}", fmt(v[0]), fmt(v[1]));
                bestLoss = v[0];
                bestAccuracy = v[1];
                best = net.toModel(provenance(0));
            }
            for (int epoch = 1; epoch <= epochs; epoch++) {
                shuffle(idx, order);
                long t0 = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                String task = "train epoch " + epoch + "/" + epochs;
                for (int b = 0; b < batches; b++) {
                    int from = b * batchSize;
                    int to = Math.min(tr.size(), from + batchSize);
                    try (NDManager mgr = trainer.getManager().newSubManager()) {
                        NDArray xs = shift > 0 ? shiftedBatch(mgr, tr, idx, from, to, inShape, order)
                                : batchArray(mgr, tr, idx, from, to, inShape);
                        NDList x = new NDList(xs);
                        NDList y = new NDList(labelArray(mgr, tr, idx, from, to));
                        NDArray soft = kd == null ? null : kd.softTargets(teacherNet.block().forward(
                                new ai.djl.training.ParameterStore(mgr, false), x, false).singletonOrThrow());
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList pred = trainer.forward(x, y);
                            NDArray l = kd == null ? lossFn.evaluate(y, pred)
                                    : kd.loss(lossFn.evaluate(y, pred), pred.singletonOrThrow(), probabilities, soft);
                            gc.backward(l);
                            lossSum += l.getFloat() * (to - from);
                            correct += countCorrect(pred.singletonOrThrow(), tr, idx, from, to, classes);
                        }
                        step(trainer);
                    }
                    if (avg != null) {
                        avg.update();
                    }
                    listener.progress(task, b + 1, batches);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                // averaged weights or re-measured batch norm: the epoch's result is an exported model (needed
                // after every epoch with validation, after the last without)
                Model exported = (avg != null || bnSamples > 0) && (va != null || epoch == epochs)
                        ? export(net, avg, tr, epoch) : null;
                double[] v;
                if (va == null) {
                    v = new double[] {Double.NaN, Double.NaN};
                } else if (exported != null) {
                    v = evaluateExported(exported, lossFn, va, classes);
                } else {
                    v = evaluate(trainer, lossFn, va, classes, inShape);
                }
                double lr = optimizer.learningRate() * schedule.factor(Math.min(epochs - 1e-9, epoch), epochs);
                EpochStats s = new EpochStats(epoch, lossSum / tr.size(), correct / (double) tr.size(), v[0], v[1],
                        tr.size() / secs, lr);
                history.add(s);
                log.info("epoch {}/{}: loss {} accuracy {} val loss {} val accuracy {} ({} samples/s)", epoch, epochs,
                        fmt(s.loss()), fmt(s.accuracy()), fmt(s.validationLoss()), fmt(s.validationAccuracy()),
                        Math.round(s.samplesPerSecond()));
                epochListener.accept(s);
                if (va == null) {
                    bestEpoch = epoch;
                    best = exported;
                    continue;
                }
                if (selectByAccuracy ? v[1] > bestAccuracy || v[1] == bestAccuracy && v[0] < bestLoss
                        : v[0] < bestLoss) {
                    bestLoss = v[0];
                    bestAccuracy = v[1];
                    bestEpoch = epoch;
                    best = exported != null ? exported : net.toModel(provenance(epoch));
                } else if (patience > 0 && epoch - bestEpoch >= patience) {
                    stopped = epoch < epochs;
                    break;
                }
            }
            if (best == null) {
                best = net.toModel(provenance(bestEpoch));
            }
        }
        return new TrainingResult(best, history, bestEpoch, stopped);
    }

    /**
     * One optimiser step. DJL refuses the first step of a trainer when every gradient is exactly zero (its
     * check for a forgotten {@code backward()}); that also happens legitimately when a whole batch is
     * classified with saturated softmax outputs (large logits), where the exact update is no change. Such a
     * step is skipped: at the first step the optimiser has no momentum, so skipping equals stepping.
     */
    private static void step(Trainer trainer) {
        try {
            trainer.step();
        } catch (IllegalStateException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("Gradient values are all zeros")) {
                throw e;
            }
            log.debug("skipped a step whose gradients are all zero");
        }
    }

    /** The network's weights (the averaged ones when averaging) with re-measured batch norm when asked for. */
    private Model export(TrainableModel net, WeightAverage avg, TrainingData tr, int epoch) {
        Model m = net.toModel(provenance(epoch), avg == null ? Map.of() : avg.values());
        return bnSamples > 0 && BatchNormStatistics.present(m) ? BatchNormStatistics.reestimate(m, tr, bnSamples) : m;
    }

    /** Validation figures of an exported model, run by a network built from it. */
    private double[] evaluateExported(Model m, ClassifierLoss lossFn, TrainingData d, int classes) {
        try (TrainableModel copy = TrainableModel.of(m); NDManager mgr = copy.djl().getNDManager().newSubManager()) {
            double lossSum = 0;
            long correct = 0;
            int[] idx = new int[d.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Shape in = m.graph().inputTensor(0).shape();
            for (int from = 0; from < d.size(); from += batchSize) {
                int to = Math.min(d.size(), from + batchSize);
                try (NDManager b = mgr.newSubManager()) {
                    NDList x = new NDList(batchArray(b, d, idx, from, to, in));
                    NDList pred = copy.block().forward(new ai.djl.training.ParameterStore(b, false), x, false);
                    lossSum += lossFn.evaluate(new NDList(labelArray(b, d, idx, from, to)), pred).getFloat() * (to - from);
                    correct += countCorrect(pred.singletonOrThrow(), d, idx, from, to, classes);
                }
            }
            return new double[] {lossSum / d.size(), correct / (double) d.size()};
        } catch (UnsupportedOperatorException e) {
            throw new IllegalStateException("expected the exported model to rebuild, found: " + e.getMessage(), e);
        }
    }

    private Map<String, String> provenance(int epoch) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("engine", "DJL PyTorch");
        p.put("loss", loss.name().toLowerCase(Locale.ROOT));
        p.put("optimizer", optimizer.toString());
        p.put("epochs", Integer.toString(epoch));
        p.put("batchSize", Integer.toString(batchSize));
        p.put("seed", Long.toString(seed));
        if (teacher != null) {
            p.put("distillation", "T=" + temperature + ", weight=" + distillWeight);
        }
        return p;
    }

    private double[] evaluate(Trainer trainer, ClassifierLoss lossFn, TrainingData d, int classes, Shape inShape) {
        int[] idx = new int[d.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < d.size(); from += batchSize) {
            int to = Math.min(d.size(), from + batchSize);
            try (NDManager mgr = trainer.getManager().newSubManager()) {
                NDList y = new NDList(labelArray(mgr, d, idx, from, to));
                NDList pred = trainer.evaluate(new NDList(batchArray(mgr, d, idx, from, to, inShape)));
                lossSum += lossFn.evaluate(y, pred).getFloat() * (to - from);
                correct += countCorrect(pred.singletonOrThrow(), d, idx, from, to, classes);
            }
        }
        return new double[] {lossSum / d.size(), correct / (double) d.size()};
    }

    static NDArray batchArray(NDManager mgr, TrainingData d, int[] idx, int from, int to, Shape inShape) {
        return mgr.create(d.gather(idx, from, to), TrainableModel.djlShape(inShape, to - from));
    }

    /** A batch of images each moved by a random whole-pixel offset in [-shift, shift], uncovered pixels = raw 0. */
    private NDArray shiftedBatch(NDManager mgr, TrainingData d, int[] idx, int from, int to, Shape inShape, Random r) {
        int h = inShape.dim(1);
        int w = inShape.dim(2);
        int c = inShape.dim(3);
        int per = d.perSample();
        float[] x = new float[(to - from) * per];
        for (int i = from; i < to; i++) {
            int dy = r.nextInt(2 * shift + 1) - shift;
            int dx = r.nextInt(2 * shift + 1) - shift;
            int src = idx[i] * per;
            int dst = (i - from) * per;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    int sy = y - dy;
                    int sx = xx - dx;
                    boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                    for (int k = 0; k < c; k++) {
                        x[dst + (y * w + xx) * c + k] = inside ? d.values()[src + (sy * w + sx) * c + k] : inputOffset;
                    }
                }
            }
        }
        return mgr.create(x, TrainableModel.djlShape(inShape, to - from));
    }

    private static NDArray labelArray(NDManager mgr, TrainingData d, int[] idx, int from, int to) {
        long[] y = new long[to - from];
        for (int i = from; i < to; i++) {
            y[i - from] = d.labels()[idx[i]];
        }
        return mgr.create(y);
    }

    private static long countCorrect(NDArray pred, TrainingData d, int[] idx, int from, int to, int classes) {
        float[] p = pred.toFloatArray();
        long correct = 0;
        for (int i = from; i < to; i++) {
            int base = (i - from) * classes;
            int arg = 0;
            for (int k = 1; k < classes; k++) {
                if (p[base + k] > p[base + arg]) {
                    arg = k;
                }
            }
            if (arg == d.labels()[idx[i]]) {
                correct++;
            }
        }
        return correct;
    }

    private static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * Builds a {@link Training}; {@code opt*} setters are all optional. Not thread-safe.
     */
    public static final class Builder {
        private LossFunction loss = LossFunction.CROSS_ENTROPY;
        private OptimizerSpec optimizer = OptimizerSpec.adam(1e-3f);
        private LearningRateSchedule schedule = LearningRateSchedule.constant();
        private int epochs = 1;
        private int batchSize = 32;
        private long seed;
        private float inputScale = 1f;
        private float inputOffset;
        private Dataset validation;
        private double validationFraction;
        private int patience;
        private int shift;
        private double averaging;
        private boolean reinsertBatchNorm;
        private int bnSamples;
        private boolean validateInitial;
        private boolean selectByAccuracy;
        private int qatSamples;
        private Model teacher;
        private float temperature;
        private double distillWeight;
        private ProgressListener listener = ProgressListener.NONE;
        private Consumer<EpochStats> epochListener = s -> { };

        private Builder() {
        }

        /**
         * Sets the loss.
         *
         * @param l the loss
         * @return this builder
         */
        public Builder optLoss(LossFunction l) {
            this.loss = Objects.requireNonNull(l, "loss");
            return this;
        }

        /**
         * Sets the optimiser.
         *
         * @param o the optimiser and its base learning rate
         * @return this builder
         */
        public Builder optOptimizer(OptimizerSpec o) {
            this.optimizer = Objects.requireNonNull(o, "optimizer");
            return this;
        }

        /**
         * Sets the learning-rate schedule.
         *
         * @param s the schedule
         * @return this builder
         */
        public Builder optSchedule(LearningRateSchedule s) {
            this.schedule = Objects.requireNonNull(s, "schedule");
            return this;
        }

        /**
         * Sets the number of epochs (the most, with early stopping).
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder optEpochs(int n) {
            this.epochs = n;
            return this;
        }

        /**
         * Sets the batch size.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder optBatchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /**
         * Sets the seed of sample order and of PyTorch's generator.
         *
         * @param s the seed
         * @return this builder
         */
        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Sets the mapping of raw sample values onto the model input: {@code real = raw * scale + offset}.
         *
         * @param scale the scale, finite (e.g. {@code 1/255f} for 8-bit images into [0, 1])
         * @return this builder
         */
        public Builder optInputScale(float scale) {
            this.inputScale = scale;
            return this;
        }

        /**
         * Sets the offset added after scaling.
         *
         * @param offset the offset, finite
         * @return this builder
         */
        public Builder optInputOffset(float offset) {
            this.inputOffset = offset;
            return this;
        }

        /**
         * Sets separate validation data, evaluated after every epoch; the result holds the weights of the
         * epoch with the lowest validation loss.
         *
         * @param d the validation data
         * @return this builder
         */
        public Builder optValidation(Dataset d) {
            this.validation = Objects.requireNonNull(d, "validation");
            return this;
        }

        /**
         * Holds out the last fraction of the training data for validation (ignored when
         * {@link #optValidation(Dataset)} is set).
         *
         * @param fraction in [0, 1)
         * @return this builder
         */
        public Builder optValidationFraction(double fraction) {
            this.validationFraction = fraction;
            return this;
        }

        /**
         * Stops when the validation loss has not improved for {@code epochs} epochs (needs validation data).
         *
         * @param epochs the patience, at least 1; 0 turns early stopping off
         * @return this builder
         */
        public Builder optEarlyStopping(int epochs) {
            this.patience = epochs;
            return this;
        }

        /**
         * Augments image training data (model input {@code [1, H, W, C]}) by moving each sample by a random
         * whole-pixel offset of at most {@code pixels} in each direction, drawn from the seeded generator;
         * uncovered pixels take the value of a raw 0. Validation data are never augmented.
         *
         * @param pixels the largest offset, 0 (off) to 8
         * @return this builder
         */
        public Builder optRandomShift(int pixels) {
            this.shift = pixels;
            return this;
        }

        /**
         * Keeps an exponential moving average of the trained weights, updated after every step
         * ({@code avg = decay * avg + (1 - decay) * w}), and returns (and validates) the averaged weights
         * instead of the last ones. Batch-norm running statistics are not averaged.
         *
         * @param decay in [0, 1); 0 turns averaging off
         * @return this builder
         */
        public Builder optWeightAveraging(double decay) {
            this.averaging = decay;
            return this;
        }

        /**
         * Fine-tunes a model whose batch norm was folded into its convolutions at export (PyTorch's ONNX
         * exporter does this) with batch norm put back: before training, a batch norm measured to be the
         * identity on the first 1000 training samples is inserted after every convolution without a fused
         * activation; after training it is folded again, so the result has the input's structure.
         *
         * @param on whether to re-insert batch norm
         * @return this builder
         */
        public Builder optReinsertBatchNorm(boolean on) {
            this.reinsertBatchNorm = on;
            return this;
        }

        /**
         * Validates the starting weights too, before the first epoch: when no epoch's weights reach a lower
         * validation loss, the result holds the starting weights ({@link TrainingResult#bestEpoch()} 0),
         * so fine-tuning never returns a model that validates worse than the one it was given. Needs
         * validation data.
         *
         * @param on whether the starting weights are a candidate
         * @return this builder
         */
        public Builder optValidateInitial(boolean on) {
            this.validateInitial = on;
            return this;
        }

        /**
         * Chooses the returned weights by validation <em>accuracy</em> (the highest; among equals, the
         * lowest validation loss) instead of by validation loss alone. For a classifier that is fine-tuned
         * and then quantized, accuracy is what is kept; the loss also rewards confidence on samples already
         * classified right and can prefer an epoch that classifies fewer of them right. Early stopping then
         * counts epochs since the best accuracy. Needs validation data.
         *
         * @param on whether to select by accuracy
         * @return this builder
         */
        public Builder optSelectByAccuracy(boolean on) {
            this.selectByAccuracy = on;
            return this;
        }

        /**
         * Re-measures batch-norm running statistics before a result is validated or returned: the
         * weights' (or the averaged weights') statistics over the first {@code samples} training samples,
         * by training-mode forward passes without gradients whose batch statistics are averaged
         * (as PyTorch's {@code update_bn}; augmentation is not applied). During training the statistics
         * follow an exponential average of the last few dozen batches of moving weights, and averaged
         * weights ({@link #optWeightAveraging(double)}) have none of their own. Costs one forward pass over
         * those samples per epoch. Models without batch norm are unaffected.
         *
         * @param samples the most training samples to measure on; 0 (the default) turns it off
         * @return this builder
         */
        public Builder optBatchNormStatistics(int samples) {
            this.bnSamples = samples;
            return this;
        }

        /**
         * Trains quantization-aware: the forward passes see int8 weights (symmetric, per output channel)
         * and int8 activations (per tensor, over ranges measured by the interpreter on the first
         * {@code calibrationSamples} training samples, as post-training calibration does), with
         * straight-through gradients, so that the result quantizes (with tinyml-quantize, unchanged)
         * with less loss. The returned model is float. Batch norm should be folded first.
         *
         * @param calibrationSamples samples to measure activation ranges on; 0 turns it off
         * @return this builder
         */
        public Builder optQuantizationAware(int calibrationSamples) {
            this.qatSamples = calibrationSamples;
            return this;
        }

        /**
         * Trains by knowledge distillation from a teacher classifier (typically the model before pruning or
         * compression): the training loss becomes {@code (1 - weight) * hardLoss + weight * T^2 *
         * KL(softmax(teacher / T) || softmax(student / T))}, the teacher's and student's logits divided by
         * the temperature {@code T} (Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural
         * Network", 2015; the {@code T^2} keeps the soft term's gradients on the hard term's scale). The
         * teacher sees the same (augmented) batch as the student, in inference mode, and is not trained.
         * A model ending in a softmax contributes the logarithm of its probabilities as logits. Validation
         * figures stay the hard loss and accuracy.
         *
         * @param teacherModel the float teacher: one input of the student's shape, as many classes
         * @param temperature the softening temperature, at least 1 (e.g. 4)
         * @param weight the soft term's share in [0, 1] (1: soft targets only)
         * @return this builder
         */
        public Builder optDistillation(Model teacherModel, float temperature, double weight) {
            this.teacher = Objects.requireNonNull(teacherModel, "teacher");
            this.temperature = temperature;
            this.distillWeight = weight;
            return this;
        }

        /**
         * Sets the listener told of every batch ({@code "train epoch e/E"}, batches done, batches per epoch).
         *
         * @param l the listener
         * @return this builder
         */
        public Builder optListener(ProgressListener l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * Sets the receiver of each epoch's figures (loss, accuracy, samples/s, ...).
         *
         * @param l the receiver; called on the training thread, must be quick
         * @return this builder
         */
        public Builder optEpochListener(Consumer<EpochStats> l) {
            this.epochListener = Objects.requireNonNull(l, "epochListener");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the configuration
         * @throws IllegalArgumentException if a value is out of range, or early stopping has no validation data
         */
        public Training build() {
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("expected at least 1 epoch and a batch size of at least 1, found "
                        + epochs + " and " + batchSize);
            }
            if (!(averaging >= 0 && averaging < 1)) {
                throw new IllegalArgumentException("expected a weight-averaging decay in [0, 1), found " + averaging);
            }
            if (qatSamples < 0 || qatSamples > 0 && reinsertBatchNorm) {
                throw new IllegalArgumentException("expected non-negative calibration samples for quantization-aware "
                        + "training, without batch norm re-insertion, found " + qatSamples
                        + (reinsertBatchNorm ? " with re-insertion" : ""));
            }
            if (teacher != null && (!(temperature >= 1) || !Float.isFinite(temperature)
                    || !(distillWeight >= 0 && distillWeight <= 1))) {
                throw new IllegalArgumentException("expected a distillation temperature >= 1 and a weight in [0, 1],"
                        + " found " + temperature + " and " + distillWeight);
            }
            if (bnSamples < 0) {
                throw new IllegalArgumentException("expected non-negative batch-norm samples, found " + bnSamples);
            }
            if (shift < 0 || shift > 8) {
                throw new IllegalArgumentException("expected a random shift of 0 to 8 pixels, found " + shift);
            }
            if (!Float.isFinite(inputScale) || !Float.isFinite(inputOffset)) {
                throw new IllegalArgumentException("expected a finite input scale and offset, found " + inputScale
                        + " and " + inputOffset);
            }
            if (!(validationFraction >= 0 && validationFraction < 1)) {
                throw new IllegalArgumentException("expected a validation fraction in [0, 1), found " + validationFraction);
            }
            if (patience < 0 || patience > 0 && validation == null && validationFraction == 0) {
                throw new IllegalArgumentException("expected early stopping patience >= 0 with validation data, found "
                        + patience + (patience > 0 ? " without validation data" : ""));
            }
            if (validateInitial && validation == null && validationFraction == 0) {
                throw new IllegalArgumentException("expected validation data to validate the starting weights, "
                        + "found none");
            }
            if (selectByAccuracy && validation == null && validationFraction == 0) {
                throw new IllegalArgumentException("expected validation data to select weights by accuracy, "
                        + "found none");
            }
            return new Training(this);
        }
    }
}
