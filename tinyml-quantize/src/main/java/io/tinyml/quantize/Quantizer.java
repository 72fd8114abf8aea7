package io.tinyml.quantize;

import io.tinyml.core.ModelException;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.quantize.internal.Calibrator;
import io.tinyml.quantize.internal.GraphQuantizer;
import io.tinyml.quantize.internal.MixedSearch;
import io.tinyml.quantize.internal.TensorStats;
import io.tinyml.quantize.internal.WeightOnly;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Post-training quantization of a float model, as a staged fluent interface: each step offers only
 * what is valid next. The model first goes through the standard pass pipeline (BatchNorm folded,
 * activations fused), so ranges are measured after fused activations.
 *
 * <p>Every stage is immutable and thread-safe; {@code apply()} does the work on the calling thread.
 *
 * <pre>{@code
 * Model q = Quantizer.of(model).int8().perChannel()
 *         .calibrate(Datasets.open("mnist10k[0:8000]"), 200)
 *         .method(CalibrationMethod.PERCENTILE).inputScale(1f / 255)
 *         .listener((task, done, total) -> log.info("{} {}/{}", task, done, total))
 *         .apply();
 * Model half = Quantizer.of(model).fp16().apply();
 * }</pre>
 */
public final class Quantizer {
    private static final Logger log = LoggerFactory.getLogger(Quantizer.class);
    private final Model model;

    private Quantizer(Model model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * Starts quantizing a float model.
     *
     * @param model the model; its first input must be FLOAT32
     * @return the first stage
     * @throws IllegalArgumentException if the model's input is not float
     */
    public static Quantizer of(Model model) {
        Tensor in = model.graph().inputTensor(0);
        if (in.type() != DataType.FLOAT32) {
            throw new IllegalArgumentException("expected a float model (FLOAT32 input), found input '" + in.name()
                    + "' of type " + in.type());
        }
        return new Quantizer(model);
    }

    /** @return full-integer int8: int8 activations, int8 weights, int32 biases */
    public IntegerStep int8() {
        return new IntegerStep(model, Precision.INT8, true);
    }

    /** @return int16 activations with int8 weights and int64 biases */
    public IntegerStep int16x8() {
        return new IntegerStep(model, Precision.INT16, true);
    }

    /** @return a per-layer choice of int8, int16x8 or float */
    public MixedStep mixed() {
        return new MixedStep(model, true);
    }

    /** @return float16 weights, float compute */
    public WeightOnlyStep fp16() {
        return new WeightOnlyStep(model, true);
    }

    /** @return int8 per-channel weights, float activations ("dynamic range", "hybrid") */
    public WeightOnlyStep dynamicRange() {
        return new WeightOnlyStep(model, false);
    }

    static Model prepare(Model m) throws ModelException {
        return PassPipeline.standard().run(m);
    }

    /** Weight-only quantization; needs no calibration. Immutable. */
    public static final class WeightOnlyStep {
        private final Model model;
        private final boolean half;

        WeightOnlyStep(Model model, boolean half) {
            this.model = model;
            this.half = half;
        }

        /**
         * Quantizes the weights.
         *
         * @return the model
         * @throws ModelException if the standard passes fail
         */
        public Model apply() throws ModelException {
            return WeightOnly.apply(prepare(model), half);
        }
    }

    /** Chooses weight granularity, then calibration data. Immutable. */
    public static final class IntegerStep {
        private final Model model;
        private final Precision precision;
        private final boolean perChannel;

        IntegerStep(Model model, Precision precision, boolean perChannel) {
            this.model = model;
            this.precision = precision;
            this.perChannel = perChannel;
        }

        /** @return the step with one weight scale per output channel (the default) */
        public IntegerStep perChannel() {
            return new IntegerStep(model, precision, true);
        }

        /** @return the step with one weight scale per tensor */
        public IntegerStep perTensor() {
            return new IntegerStep(model, precision, false);
        }

        /**
         * Names the calibration data: the first {@code samples} samples of {@code data}.
         *
         * @param data the calibration set (never the evaluation split)
         * @param samples how many samples to use, at least 1
         * @return the calibrated stage
         * @throws IllegalArgumentException if samples is not positive or data is empty
         */
        public Calibrated calibrate(Dataset data, int samples) {
            return new Calibrated(new Settings(model, precision, perChannel, data, samples));
        }
    }

    /** Mixed precision: weight granularity, then calibration data. Immutable. */
    public static final class MixedStep {
        private final Model model;
        private final boolean perChannel;

        MixedStep(Model model, boolean perChannel) {
            this.model = model;
            this.perChannel = perChannel;
        }

        /** @return the step with per-channel weights */
        public MixedStep perChannel() {
            return new MixedStep(model, true);
        }

        /** @return the step with per-tensor weights */
        public MixedStep perTensor() {
            return new MixedStep(model, false);
        }

        /**
         * Names the calibration data.
         *
         * @param data the calibration set; also the validation set unless one is given
         * @param samples how many samples calibrate
         * @return the next stage
         */
        public MixedCalibrated calibrate(Dataset data, int samples) {
            return new MixedCalibrated(new Settings(model, Precision.INT8, perChannel, data, samples), 0.01,
                    Double.POSITIVE_INFINITY, null, 1000);
        }
    }

    /** Calibration settings shared by the final stages. */
    record Settings(Model model, Precision precision, boolean perChannel, Dataset data, int samples,
                    CalibrationMethod method, float scale, float offset, boolean floatIO, boolean biasCorrection,
                    ProgressListener listener) {
        Settings(Model model, Precision precision, boolean perChannel, Dataset data, int samples) {
            this(model, precision, perChannel, data, samples, CalibrationMethod.MINMAX, 1f, 0f, false, false,
                    ProgressListener.NONE);
            if (samples < 1) {
                throw new IllegalArgumentException("expected at least 1 calibration sample, found " + samples);
            }
            if (data.size() == 0) {
                throw new IllegalArgumentException("expected a non-empty calibration set, found " + data);
            }
        }

        Settings with(CalibrationMethod m, float s, float o, boolean f, boolean bc, ProgressListener l) {
            return new Settings(model, precision, perChannel, data, samples, m, s, o, f, bc, l);
        }

        List<float[]> inputs(Model prepared, Dataset d, int n) {
            InputMapping map = InputMapping.builder().setInput(prepared.graph().inputTensor(0)).optScale(scale)
                    .optOffset(offset).optResize(true).build();
            List<float[]> xs = new ArrayList<>();
            for (int i = 0; i < Math.min(n, d.size()); i++) {
                xs.add(map.toRealValues(d.get(i)));
            }
            return xs;
        }

        Map<String, TensorStats> calibrate(Model prepared) throws ModelException {
            boolean hist = method != CalibrationMethod.MINMAX && method != CalibrationMethod.EMA;
            log.info("calibrating on {} samples of {} ({})", Math.min(samples, data.size()), data.source(), method);
            return Calibrator.collect(prepared, inputs(prepared, data, samples), hist, listener);
        }

        GraphQuantizer.Options options() {
            return new GraphQuantizer.Options(method, perChannel, biasCorrection, !floatIO);
        }
    }

    /** The last stage of int8 and int16x8: calibration options, then {@link #apply()}. Immutable. */
    public static final class Calibrated {
        private final Settings s;

        Calibrated(Settings s) {
            this.s = s;
        }

        /** @param m the range method (default MINMAX) @return the stage */
        public Calibrated method(CalibrationMethod m) {
            return new Calibrated(s.with(Objects.requireNonNull(m), s.scale, s.offset, s.floatIO, s.biasCorrection, s.listener));
        }

        /** @param scale multiplies raw sample values to give the model's real input (default 1) @return the stage */
        public Calibrated inputScale(float scale) {
            return new Calibrated(s.with(s.method, scale, s.offset, s.floatIO, s.biasCorrection, s.listener));
        }

        /** @param offset is added after scaling (default 0) @return the stage */
        public Calibrated inputOffset(float offset) {
            return new Calibrated(s.with(s.method, s.scale, offset, s.floatIO, s.biasCorrection, s.listener));
        }

        /** @param floatIO keep float32 model inputs and outputs (default false: integer I/O, as TFLM wants) @return the stage */
        public Calibrated floatIO(boolean floatIO) {
            return new Calibrated(s.with(s.method, s.scale, s.offset, floatIO, s.biasCorrection, s.listener));
        }

        /** @param on correct biases for the mean shift of weight rounding (default false) @return the stage */
        public Calibrated biasCorrection(boolean on) {
            return new Calibrated(s.with(s.method, s.scale, s.offset, s.floatIO, on, s.listener));
        }

        /** @param l receives "calibrate" progress @return the stage */
        public Calibrated listener(ProgressListener l) {
            return new Calibrated(s.with(s.method, s.scale, s.offset, s.floatIO, s.biasCorrection, Objects.requireNonNull(l)));
        }

        /**
         * Calibrates and quantizes.
         *
         * @return the quantized model, which the reference interpreter runs
         * @throws ModelException if the interpreter cannot run the float model or a pass fails
         */
        public Model apply() throws ModelException {
            Model prepared = prepare(s.model);
            Map<String, TensorStats> stats = s.calibrate(prepared);
            Map<String, Precision> all = new java.util.HashMap<>();
            prepared.graph().nodes().forEach(n -> all.put(n.name(), s.precision));
            return GraphQuantizer.quantize(prepared, stats, s.options(), all);
        }
    }

    /** The last stage of mixed precision. Immutable. */
    public static final class MixedCalibrated {
        private final Settings s;
        private final double maxDrop;
        private final double maxNoise;
        private final Dataset validation;
        private final int validationSamples;

        MixedCalibrated(Settings s, double maxDrop, double maxNoise, Dataset validation, int validationSamples) {
            this.s = s;
            this.maxDrop = maxDrop;
            this.maxNoise = maxNoise;
            this.validation = validation;
            this.validationSamples = validationSamples;
        }

        /** @param m the range method @return the stage */
        public MixedCalibrated method(CalibrationMethod m) {
            return new MixedCalibrated(s.with(m, s.scale, s.offset, s.floatIO, s.biasCorrection, s.listener), maxDrop,
                    maxNoise, validation, validationSamples);
        }

        /** @param scale input scale @return the stage */
        public MixedCalibrated inputScale(float scale) {
            return new MixedCalibrated(s.with(s.method, scale, s.offset, s.floatIO, s.biasCorrection, s.listener),
                    maxDrop, maxNoise, validation, validationSamples);
        }

        /** @param offset input offset @return the stage */
        public MixedCalibrated inputOffset(float offset) {
            return new MixedCalibrated(s.with(s.method, s.scale, offset, s.floatIO, s.biasCorrection, s.listener),
                    maxDrop, maxNoise, validation, validationSamples);
        }

        /** @param l progress @return the stage */
        public MixedCalibrated listener(ProgressListener l) {
            return new MixedCalibrated(s.with(s.method, s.scale, s.offset, s.floatIO, s.biasCorrection, l), maxDrop,
                    maxNoise, validation, validationSamples);
        }

        /**
         * Sets the largest acceptable top-1 drop (a fraction: 0.001 = 0.1 percentage point).
         *
         * @param drop the target, non-negative
         * @return the stage
         */
        public MixedCalibrated maxAccuracyDrop(double drop) {
            if (!(drop >= 0)) {
                throw new IllegalArgumentException("expected a non-negative accuracy drop, found " + drop);
            }
            return new MixedCalibrated(s, drop, maxNoise, validation, validationSamples);
        }

        /**
         * Sets an error target: the largest acceptable noise-to-signal ratio {@code Σ(y−ŷ)² / Σy²} of the
         * first output on the calibration inputs (default: none).
         *
         * @param nsr the target, non-negative
         * @return the stage
         */
        public MixedCalibrated maxOutputNoise(double nsr) {
            if (!(nsr >= 0)) {
                throw new IllegalArgumentException("expected a non-negative noise ratio, found " + nsr);
            }
            return new MixedCalibrated(s, maxDrop, nsr, validation, validationSamples);
        }

        /**
         * Sets the labelled data the accuracy target is checked on (default: the first 1000 samples of
         * the calibration set). Never pass the evaluation split.
         *
         * @param data the validation data
         * @param samples how many of its samples to use
         * @return the stage
         */
        public MixedCalibrated validation(Dataset data, int samples) {
            return new MixedCalibrated(s, maxDrop, maxNoise, data, samples);
        }

        /**
         * Measures per-layer sensitivity and chooses the smallest per-layer precision that meets the target.
         *
         * @return the model and the layer-by-layer choice
         * @throws ModelException if the interpreter cannot run a model or a pass fails
         */
        public MixedPrecisionResult apply() throws ModelException {
            Model prepared = prepare(s.model);
            Map<String, TensorStats> stats = s.calibrate(prepared);
            Dataset val = validation != null ? validation : s.data;
            Dataset v = val.slice(0, Math.min(validationSamples, val.size()));
            return MixedSearch.search(prepared, stats, s.options(), s.inputs(prepared, s.data, Math.min(s.samples, 100)),
                    v, s.scale, s.offset, maxDrop, maxNoise, s.listener);
        }
    }
}
