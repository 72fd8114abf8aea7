package io.tinyml.core.eval;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runner.ModelRunner;
import io.tinyml.core.runner.ModelRunnerLayouts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Compares two executions of the same network — our interpreter on an imported model against the
 * framework that trained it, or two conversions against each other — on the same inputs.
 *
 * <p>Inputs come from a dataset (mapped onto the first runner's single input by an
 * {@link InputMapping}) or are drawn at random, seeded, uniformly in the real range both runners accept
 * for that input ({@link #randomRanges}): a quantized input accepts the real values its integer range
 * stands for, a float input any value; where neither input is quantized, [0, 1). Each runner quantizes
 * the same real values with its own parameters, so the result does not depend on which runner is
 * {@code a}. Inputs are generated in runner {@code a}'s shapes; where runner {@code b} declares the same shape in the other
 * of NHWC and NCHW, values are transposed for it, and {@code b}'s outputs are transposed back to
 * {@code a}'s layout before comparing. Stateless and thread-safe (the runners are not: do not share
 * them between concurrent calls).
 *
 * <pre>{@code
 * try (ModelRunner ours = new InterpreterRunner(SavedModelReader.read(dir));
 *      ModelRunner tf = SavedModelRunner.open(dir)) {
 *     VerifyResult r = Verify.random(ours, tf, 20, 42L);
 *     assert r.maxAbsError() < 1e-4;
 * }
 * }</pre>
 */
public final class Verify {
    private static final Logger log = LoggerFactory.getLogger(Verify.class);
    private static final double REL_FLOOR = 1e-6;

    private Verify() {
    }

    /**
     * Compares two runners on seeded random inputs.
     *
     * @param a the runner under test; inputs are drawn in its shapes
     * @param b the reference runner
     * @param samples how many inputs to draw, at least 1
     * @param seed the random seed
     * @return the agreement
     * @throws IllegalArgumentException if {@code samples < 1}, or the runners' inputs or outputs cannot
     *     be matched (different counts, or shapes that differ other than by NHWC/NCHW layout)
     */
    public static VerifyResult random(ModelRunner a, ModelRunner b, int samples, long seed) {
        return random(a, b, samples, seed, ProgressListener.NONE);
    }

    /**
     * Compares two runners on seeded random inputs, reporting progress.
     *
     * @param a the runner under test; inputs are drawn in its shapes
     * @param b the reference runner
     * @param samples how many inputs to draw, at least 1
     * @param seed the random seed
     * @param progress receives ("verify", done, samples)
     * @return the agreement
     * @throws IllegalArgumentException if {@code samples < 1}, or the runners cannot be matched, or their
     *     quantized inputs share no real value
     */
    public static VerifyResult random(ModelRunner a, ModelRunner b, int samples, long seed,
                                      ProgressListener progress) {
        if (samples < 1) {
            throw new IllegalArgumentException("expected at least 1 random sample, found " + samples);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        Comparison c = new Comparison(a, b);
        List<Range> ranges = randomRanges(a, b);
        for (int s = 0; s < samples; s++) {
            float[][] in = new float[a.inputs().size()][];
            for (int i = 0; i < in.length; i++) {
                in[i] = ranges.get(i).draw(a.inputs().get(i).shape().elementCount(), rnd);
            }
            c.compare(in);
            progress.progress("verify", s + 1, samples);
        }
        return c.result();
    }

    /**
     * Compares two runners on every sample of a dataset (slice it with {@link Dataset#slice} first to
     * use part of it).
     *
     * @param a the runner under test; it must have one input, onto which {@code mapping} maps samples
     * @param b the reference runner
     * @param dataset the samples
     * @param mapping maps a sample onto {@code a}'s input (see {@link #mappingFor})
     * @param progress receives ("verify", done, size)
     * @return the agreement
     * @throws IllegalArgumentException if the dataset is empty, {@code a} has more than one input, a
     *     sample cannot be mapped, or the runners cannot be matched
     */
    public static VerifyResult dataset(ModelRunner a, ModelRunner b, Dataset dataset, InputMapping mapping,
                                       ProgressListener progress) {
        if (a.inputs().size() != 1) {
            throw new IllegalArgumentException("expected a model with 1 input for dataset verification, found "
                    + a.inputs().size() + " " + a.inputs());
        }
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("expected at least 1 sample, found an empty dataset " + dataset.source());
        }
        Comparison c = new Comparison(a, b);
        ModelRunner.TensorSpec in = a.inputs().get(0);
        boolean transpose = in.layout() == ModelRunner.Layout.NCHW
                && mapping.input().shape().equals(ModelRunnerLayouts.toNhwc(in.shape()));
        for (int s = 0; s < dataset.size(); s++) {
            float[] v = mapping.toRealValues(dataset.get(s));
            if (transpose) {
                v = ModelRunnerLayouts.nhwcToNchw(v, mapping.input().shape());
            }
            c.compare(new float[][] {v});
            progress.progress("verify", s + 1, dataset.size());
        }
        return c.result();
    }

    /**
     * Builds the mapping of dataset samples onto a runner's first input: {@code real = raw * scale + offset}.
     * An NCHW input is mapped in its NHWC shape (so that images convert and resize as usual) and
     * transposed by {@link #dataset}.
     *
     * @param runner the runner whose first input receives the samples
     * @param scale multiplies raw sample values
     * @param offset is added after scaling
     * @return the mapping
     * @throws IllegalArgumentException if the input's type cannot take mapped samples
     */
    public static InputMapping mappingFor(ModelRunner runner, float scale, float offset) {
        return mappingFor(runner, scale, offset, true);
    }

    /**
     * Builds the mapping of dataset samples onto a runner's first input, as {@link #mappingFor(ModelRunner,
     * float, float)} does, choosing whether images may change size or channels.
     *
     * @param runner the runner whose first input receives the samples
     * @param scale multiplies raw sample values
     * @param offset is added after scaling
     * @param resize whether images may be resized and have their channels converted
     * @return the mapping
     * @throws IllegalArgumentException if the input's type cannot take mapped samples
     */
    public static InputMapping mappingFor(ModelRunner runner, float scale, float offset, boolean resize) {
        ModelRunner.TensorSpec in = runner.inputs().get(0);
        Shape shape = in.layout() == ModelRunner.Layout.NCHW ? ModelRunnerLayouts.toNhwc(in.shape()) : in.shape();
        Tensor t = Tensor.activation(in.name(), in.type(), shape);
        if (in.quant() != null) {
            t = t.withQuant(in.quant());
        }
        return InputMapping.builder().setInput(t).optScale(scale).optOffset(offset).optResize(resize).build();
    }

    /**
     * The real range random inputs are drawn from, per input: the intersection of the ranges both runners
     * accept. A per-tensor quantized input of type T with {@code (s, zp)} accepts
     * {@code [(T.min - zp) * s, (T.max - zp) * s]}; any other input accepts every real value. Where
     * neither runner bounds an input, the range is [0, 1).
     *
     * @param a one runner
     * @param b the other, with as many inputs
     * @return one range per input, in {@code a}'s input order
     * @throws IllegalArgumentException if the runners have different input counts, or two quantized inputs
     *     share no real value
     */
    public static List<Range> randomRanges(ModelRunner a, ModelRunner b) {
        if (a.inputs().size() != b.inputs().size()) {
            throw new IllegalArgumentException("expected models with the same number of inputs, found "
                    + a.inputs().size() + " " + a.inputs() + " and " + b.inputs().size() + " " + b.inputs());
        }
        List<Range> ranges = new java.util.ArrayList<>();
        for (int i = 0; i < a.inputs().size(); i++) {
            Range ra = accepted(a.inputs().get(i));
            Range rb = accepted(b.inputs().get(i));
            if (ra == null && rb == null) {
                ranges.add(new Range(0f, 1f));
                continue;
            }
            float lo = Math.max(ra == null ? Float.NEGATIVE_INFINITY : ra.low(),
                    rb == null ? Float.NEGATIVE_INFINITY : rb.low());
            float hi = Math.min(ra == null ? Float.POSITIVE_INFINITY : ra.high(),
                    rb == null ? Float.POSITIVE_INFINITY : rb.high());
            if (!(lo < hi)) {
                throw new IllegalArgumentException("expected input " + i + " ranges that overlap, found " + ra + " ("
                        + a.inputs().get(i) + ") and " + rb + " (" + b.inputs().get(i) + ")");
            }
            ranges.add(new Range(lo, hi));
        }
        return List.copyOf(ranges);
    }

    /** The real values a quantized input stands for, or null for an input that takes any real value. */
    private static Range accepted(ModelRunner.TensorSpec spec) {
        QuantParams q = spec.quant();
        if (spec.type().isFloat() || q == null || !q.isPerTensor()) {
            return null;
        }
        int lo = spec.type() == DataType.UINT8 ? 0 : spec.type() == DataType.INT16 ? -32768 : -128;
        int hi = spec.type() == DataType.UINT8 ? 255 : spec.type() == DataType.INT16 ? 32767 : 127;
        return new Range((lo - q.zeroPoint()) * q.scale(), (hi - q.zeroPoint()) * q.scale());
    }

    /**
     * A real range random inputs are drawn from, uniformly. Immutable.
     *
     * @param low the smallest value
     * @param high the end of the range
     */
    public record Range(float low, float high) {
        float[] draw(int n, SplittableRandom rnd) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (low + (high - (double) low) * rnd.nextDouble());
            }
            return v;
        }

        @Override
        public String toString() {
            return "[" + low + ", " + high + "]";
        }
    }

    /** Accumulates the errors of one comparison. */
    private static final class Comparison {
        private final ModelRunner a;
        private final ModelRunner b;
        private final ModelRunnerLayouts.Mapping[] inMaps;
        private final ModelRunnerLayouts.Mapping[] outMaps;
        private double maxAbs;
        private double maxRel;
        private long rows;
        private long agreeing;
        private int samples;

        Comparison(ModelRunner a, ModelRunner b) {
            this.a = a;
            this.b = b;
            List<ModelRunner.TensorSpec> ai = a.inputs();
            List<ModelRunner.TensorSpec> bi = b.inputs();
            List<ModelRunner.TensorSpec> ao = a.outputs();
            List<ModelRunner.TensorSpec> bo = b.outputs();
            if (ai.size() != bi.size() || ao.size() != bo.size()) {
                throw new IllegalArgumentException("expected models with the same number of inputs and outputs, found "
                        + ai.size() + " in/" + ao.size() + " out " + ai + " and " + bi.size() + " in/" + bo.size()
                        + " out " + bi);
            }
            inMaps = new ModelRunnerLayouts.Mapping[ai.size()];
            for (int i = 0; i < inMaps.length; i++) {
                inMaps[i] = ModelRunnerLayouts.mapping(ai.get(i), bi.get(i), "input " + i);
            }
            outMaps = new ModelRunnerLayouts.Mapping[ao.size()];
            for (int o = 0; o < outMaps.length; o++) {
                // decided from a to b (so that messages name a's shape first), applied from b to a
                outMaps[o] = ModelRunnerLayouts.inverse(ModelRunnerLayouts.mapping(ao.get(o), bo.get(o), "output " + o));
            }
        }

        void compare(float[][] in) {
            float[][] inB = new float[in.length][];
            for (int i = 0; i < in.length; i++) {
                inB[i] = ModelRunnerLayouts.apply(inMaps[i], in[i], a.inputs().get(i).shape());
            }
            float[][] outA = a.run(in);
            float[][] outB = b.run(inB);
            for (int o = 0; o < outA.length; o++) {
                float[] y = ModelRunnerLayouts.apply(outMaps[o], outB[o], b.outputs().get(o).shape());
                float[] x = outA[o];
                if (x.length != y.length) {
                    throw new IllegalStateException("expected " + x.length + " values from output " + o
                            + " of both models, found " + x.length + " and " + y.length);
                }
                for (int k = 0; k < x.length; k++) {
                    double d = Math.abs((double) x[k] - y[k]);
                    if (Double.isNaN(d)) {
                        d = Double.isNaN(x[k]) && Double.isNaN(y[k]) ? 0 : Double.POSITIVE_INFINITY;
                    }
                    maxAbs = Math.max(maxAbs, d);
                    maxRel = Math.max(maxRel, d / Math.max(REL_FLOOR, Math.max(Math.abs(x[k]), Math.abs(y[k]))));
                }
                if (o == 0) {
                    int[] s = a.outputs().get(0).shape().toArray();
                    int row = s.length == 0 ? 1 : Math.max(1, s[s.length - 1]);
                    for (int r = 0; r + row <= x.length; r += row) {
                        rows++;
                        if (argmax(x, r, row) == argmax(y, r, row)) {
                            agreeing++;
                        }
                    }
                }
            }
            samples++;
            log.debug("sample {}: max abs {} so far", samples, maxAbs);
        }

        VerifyResult result() {
            return new VerifyResult(maxAbs, maxRel, rows == 0 ? 1.0 : (double) agreeing / rows, samples);
        }

        private static int argmax(float[] v, int from, int n) {
            int best = from;
            for (int i = from + 1; i < from + n; i++) {
                if (v[i] > v[best]) {
                    best = i;
                }
            }
            return best - from;
        }
    }
}
