package io.tinyml.nas.internal;

import io.tinyml.core.ModelException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.ir.Model;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.nas.Architecture;
import io.tinyml.nas.CandidateTrainer;
import io.tinyml.nas.Constraints;
import io.tinyml.nas.Shortfall;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.eval.QuantEval;

import java.io.IOException;
import java.util.List;

/**
 * The steps applied to one candidate: build its initial network, quantize it to int8 and estimate it
 * (before any training: the structure of the int8 graph, hence flash, RAM and latency, does not depend
 * on the trained weights), then train, fold batch norm, quantize and score top-1 with the interpreter.
 * Immutable and thread-safe.
 *
 * @param constraints the budgets
 * @param trainer the trainer
 * @param train the training data
 * @param eval the evaluation data
 * @param inputScale raw-to-real input scale
 * @param inputOffset raw-to-real input offset
 * @param calibrationSamples samples calibrating the int8 model of a trained candidate
 */
public record CandidateEvaluator(Constraints constraints, CandidateTrainer trainer, Dataset train, Dataset eval,
                                 float inputScale, float inputOffset, int calibrationSamples) {
    /** Samples calibrating an untrained network before it is estimated (only the graph's structure matters). */
    private static final int ESTIMATE_CALIBRATION = 4;

    /**
     * The estimate of an architecture's int8 model and the budgets it misses.
     *
     * @param estimate the estimate
     * @param shortfalls the missed budgets
     */
    public record Estimated(Estimate estimate, List<Shortfall> shortfalls) {
    }

    /** @return input channels of the data */
    public int channels() {
        var s = train.sampleShape();
        return s.rank() == 3 ? s.dim(2) : 1;
    }

    /** @return classes of the data (the largest label + 1, or the named classes) */
    public int classes() {
        return Math.max(train.labelCounts().length, train.classes().size());
    }

    /**
     * Initial float network of an architecture.
     *
     * @param a the architecture
     * @param seed the initialisation seed
     * @return the model
     */
    public Model initial(Architecture a, long seed) {
        return a.toSpec(channels(), classes()).toModel(seed);
    }

    /**
     * Estimates an architecture without training it.
     *
     * @param a the architecture
     * @param seed the initialisation seed
     * @return the estimate and shortfalls
     * @throws ModelException if the network cannot be quantized or estimated
     */
    public Estimated estimate(Architecture a, long seed) throws ModelException {
        return estimate(quantize(initial(a, seed), ESTIMATE_CALIBRATION));
    }

    /**
     * Estimates an int8 model.
     *
     * @param int8 the model
     * @return the estimate and shortfalls
     */
    public Estimated estimate(Model int8) {
        Estimate e = constraints.estimator().estimate(int8);
        return new Estimated(e, constraints.check(e));
    }

    /**
     * Folds batch norm and quantizes to int8 with per-channel weights.
     *
     * @param floatModel the float model
     * @param samples calibration samples
     * @return the int8 model
     * @throws ModelException if a pass or the quantizer fails
     */
    public Model quantize(Model floatModel, int samples) throws ModelException {
        Model folded = PassPipeline.standard().run(floatModel);
        return Quantizer.of(folded).int8().perChannel().calibrate(train, Math.min(samples, train.size()))
                .inputScale(inputScale).inputOffset(inputOffset).apply();
    }

    /**
     * Trains an architecture, quantizes it and scores it.
     *
     * @param a the architecture
     * @param epochs training epochs
     * @param trainSamples training samples (the first ones)
     * @param evalSamples evaluation samples (the first ones)
     * @param seed the seed of initialisation and training
     * @return the int8 model and its top-1
     * @throws ModelException if training or quantization fails
     * @throws IOException if the data are unusable
     */
    public Trained train(Architecture a, int epochs, int trainSamples, int evalSamples, long seed)
            throws ModelException, IOException {
        Dataset tr = train.slice(0, Math.min(trainSamples, train.size()));
        Dataset ev = eval.slice(0, Math.min(evalSamples, eval.size()));
        Model f = trainer.train(initial(a, seed), tr, epochs, seed);
        Model q = quantize(f, calibrationSamples);
        return new Trained(q, QuantEval.top1(q, ev, inputScale, inputOffset));
    }

    /**
     * A trained, quantized candidate.
     *
     * @param int8 the int8 model
     * @param top1 its top-1 on the evaluation samples
     */
    public record Trained(Model int8, double top1) {
    }
}
