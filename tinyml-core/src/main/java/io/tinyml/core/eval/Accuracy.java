package io.tinyml.core.eval;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.data.Sample;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.runtime.internal.Parallel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Top-1 accuracy of a classifier: each sample is mapped onto the model's first input, the model
 * runs with the reference interpreter, and the index of the largest value of its first output is
 * compared with the label. Thread-safe (stateless; each call makes its own interpreter).
 *
 * <pre>{@code
 * Dataset test = Datasets.open("mnist10k[8000:10000]");
 * InputMapping map = InputMapping.builder().setInput(model.graph().inputTensor(0)).optScale(1f / 255).build();
 * Accuracy.Result r = Accuracy.top1(model, test, map, ProgressListener.NONE);
 * }</pre>
 */
public final class Accuracy {
    private Accuracy() {
    }

    /**
     * The outcome of an evaluation.
     *
     * @param samples samples evaluated
     * @param correct samples whose arg-max matched the label
     */
    public record Result(int samples, int correct) {
        /** @return correct / samples, or 0 for an empty set */
        public double top1() {
            return samples == 0 ? 0 : (double) correct / samples;
        }
    }

    /**
     * Evaluates top-1 accuracy.
     *
     * @param model the classifier
     * @param data labelled samples
     * @param mapping how a sample becomes the model's first input
     * @param listener progress, once per 100 samples and at the end
     * @return the result
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     * @throws IllegalArgumentException if the first output has fewer than two classes
     */
    public static Result top1(Model model, Dataset data, InputMapping mapping, ProgressListener listener)
            throws UnsupportedOperatorException {
        return top1(model, data, mapping::toInputBytes, listener);
    }

    /**
     * Evaluates top-1 accuracy on several threads sharing one prepared plan; see
     * {@link #top1(Model, Dataset, java.util.function.Function, ProgressListener, int)}.
     *
     * @param model the classifier
     * @param data labelled samples
     * @param mapping how a sample becomes the model's first input
     * @param listener progress, about once per 100 samples and at the end
     * @param threads how many threads, at least 1
     * @return the result, equal to the one-thread result
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     * @throws IllegalArgumentException if the first output has fewer than two classes or {@code threads < 1}
     */
    public static Result top1(Model model, Dataset data, InputMapping mapping, ProgressListener listener,
                              int threads) throws UnsupportedOperatorException {
        return top1(model, data, mapping::toInputBytes, listener, threads);
    }

    /**
     * Evaluates top-1 accuracy with a custom conversion of samples to input bytes.
     *
     * @param model the classifier
     * @param data labelled samples
     * @param toInput returns the raw little-endian bytes of the model's first input for a sample
     * @param listener progress, once per 100 samples and at the end
     * @return the result
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     * @throws IllegalArgumentException if the first output has fewer than two classes
     */
    public static Result top1(Model model, Dataset data, java.util.function.Function<Sample, byte[]> toInput,
                              ProgressListener listener) throws UnsupportedOperatorException {
        return top1(model, data, toInput, listener, 1);
    }

    /**
     * Evaluates top-1 accuracy on several threads: one prepared interpreter and its
     * {@link Interpreter#fork() forks} (one plan, per-thread state) each evaluate a contiguous slice of
     * the data. The result equals the one-thread result.
     *
     * @param model the classifier
     * @param data labelled samples
     * @param toInput returns the raw little-endian bytes of the model's first input for a sample;
     *                called concurrently when {@code threads > 1}, so it must be thread-safe
     * @param listener progress, about once per 100 samples and at the end; calls are serialized
     * @param threads how many threads, at least 1
     * @return the result
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     * @throws IllegalArgumentException if the first output has fewer than two classes or {@code threads < 1}
     */
    public static Result top1(Model model, Dataset data, java.util.function.Function<Sample, byte[]> toInput,
                              ProgressListener listener, int threads) throws UnsupportedOperatorException {
        Tensor out = model.graph().outputTensor(0);
        int classes = out.shape().elementCount();
        if (classes < 2) {
            throw new IllegalArgumentException("expected a classifier output with at least 2 scores, found '"
                    + out.name() + "' " + out.shape());
        }
        if (model.graph().inputs().size() != 1) {
            throw new IllegalArgumentException("expected a model with one input, found "
                    + model.graph().inputs().size());
        }
        if (threads < 1) {
            throw new IllegalArgumentException("expected at least 1 thread, found " + threads);
        }
        int n = data.size();
        int t = Math.max(1, Math.min(threads, n));
        Interpreter[] workers = new Interpreter[t];
        workers[0] = Interpreter.create(model);
        for (int w = 1; w < t; w++) {
            workers[w] = workers[0].fork();
        }
        AtomicInteger correct = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Object progressLock = new Object();
        Parallel.forEachSlice(n, t, (w, from, to) -> {
            Interpreter it = workers[w];
            byte[][] y = {new byte[out.byteSize()]};
            int mine = 0;
            for (int i = from; i < to; i++) {
                Sample s = data.get(i);
                it.invoke(new byte[][] {toInput.apply(s)}, y);
                if (argmax(out, y[0]) == s.label()) {
                    mine++;
                }
                int d = done.incrementAndGet();
                if (d % 100 == 0 || d == n) {
                    synchronized (progressLock) {
                        listener.progress("evaluate", d, n);
                    }
                }
            }
            correct.addAndGet(mine);
        });
        return new Result(n, correct.get());
    }

    /**
     * Index of the largest score in a raw output tensor (first index on ties). Quantized scores
     * compare as their integers, which orders them as their real values (scales are positive).
     *
     * @param t the output tensor's description
     * @param raw its little-endian bytes
     * @return the arg-max
     */
    public static int argmax(Tensor t, byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int n = t.shape().elementCount();
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double v = switch (t.type()) {
                case FLOAT32 -> b.getFloat(4 * i);
                case FLOAT16 -> io.tinyml.core.ir.Half.toFloat(b.getShort(2 * i));
                case INT8 -> b.get(i);
                case UINT8, BOOL -> b.get(i) & 0xff;
                case INT16 -> b.getShort(2 * i);
                case INT32 -> b.getInt(4 * i);
                case INT64 -> b.getLong(8 * i);
            };
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }
}
