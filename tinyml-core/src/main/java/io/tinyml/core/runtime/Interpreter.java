package io.tinyml.core.runtime;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Half;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.runtime.internal.Kernel;
import io.tinyml.core.runtime.internal.KernelFactory;
import io.tinyml.core.runtime.internal.Parallel;
import io.tinyml.core.runtime.internal.SharedWeights;
import io.tinyml.core.runtime.internal.TensorArrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * The reference interpreter: runs a model on the JVM. Float32 kernels are deterministic; int8 and
 * int16 kernels are bit-exact with TensorFlow Lite Micro's reference kernels. Every tensor has its
 * own primitive array (no memory planning); constants are decoded once, and every kernel is prepared
 * once at creation: convolution and fully-connected weights are re-laid-out for vectorisable inner
 * loops, requantization constants computed, scratch buffers allocated. {@link #invoke(byte[][], byte[][])}
 * then allocates nothing.
 *
 * <p>Not thread-safe: use one interpreter per thread; {@link #fork()} makes another for the same
 * model that shares the prepared weights, and {@link #invokeBatch(byte[][][], byte[][][], int)} runs a
 * batch on several threads that way.
 *
 * <pre>{@code
 * Interpreter it = Interpreter.create(model);
 * byte[][] out = it.invoke(inputBytes);
 * float[][] real = it.invokeFloat(new float[] {1.5f});
 * }</pre>
 */
public final class Interpreter {
    private static final Logger log = LoggerFactory.getLogger(Interpreter.class);

    private final Model model;
    private final Graph graph;
    private final Object[] arrays;
    private final Kernel[] kernels;
    private final NodeObserver observer;
    private final SharedWeights shared;
    /** Tensor indices, types and byte sizes of the graph inputs and outputs, resolved once. */
    private final int[] inIdx;
    private final int[] outIdx;
    private final DataType[] inType;
    private final DataType[] outType;
    private final int[] inBytes;
    private final int[] outBytes;
    /** Forks kept for {@link #invokeBatch(byte[][][], byte[][][], int)}. */
    private final java.util.List<Interpreter> forks = new java.util.ArrayList<>();

    private Interpreter(Model model, NodeObserver observer, SharedWeights shared) throws UnsupportedOperatorException {
        this.model = Objects.requireNonNull(model, "model");
        this.graph = model.graph();
        this.observer = observer;
        this.shared = shared;
        this.arrays = new Object[graph.tensors().size()];
        for (int i = 0; i < arrays.length; i++) {
            Tensor t = graph.tensor(i);
            arrays[i] = t.isConstant() ? shared.constant(i, () -> TensorArrays.of(t))
                    : TensorArrays.allocate(t.type(), t.shape().elementCount());
        }
        this.kernels = new Kernel[graph.nodes().size()];
        for (int n = 0; n < kernels.length; n++) {
            kernels[n] = KernelFactory.create(graph, graph.node(n), arrays, shared);
        }
        int ni = graph.inputs().size();
        int no = graph.outputs().size();
        inIdx = new int[ni];
        inType = new DataType[ni];
        inBytes = new int[ni];
        for (int i = 0; i < ni; i++) {
            inIdx[i] = graph.inputs().get(i);
            inType[i] = graph.inputTensor(i).type();
            inBytes[i] = graph.inputTensor(i).byteSize();
        }
        outIdx = new int[no];
        outType = new DataType[no];
        outBytes = new int[no];
        for (int o = 0; o < no; o++) {
            outIdx[o] = graph.outputs().get(o);
            outType[o] = graph.outputTensor(o).type();
            outBytes[o] = graph.outputTensor(o).byteSize();
        }
        log.debug("prepared {} kernels for {}", kernels.length, model);
    }

    /**
     * Prepares an interpreter for a model.
     *
     * @param model the model
     * @return the interpreter
     * @throws UnsupportedOperatorException if a node has no kernel in the reference interpreter
     */
    public static Interpreter create(Model model) throws UnsupportedOperatorException {
        return new Interpreter(model, null, new SharedWeights());
    }

    /**
     * Prepares an interpreter that reports each node's completion to an observer.
     *
     * @param model the model
     * @param observer called after each node, in execution order; may be null
     * @return the interpreter
     * @throws UnsupportedOperatorException if a node has no kernel in the reference interpreter
     */
    public static Interpreter create(Model model, NodeObserver observer) throws UnsupportedOperatorException {
        return new Interpreter(model, observer, new SharedWeights());
    }

    /**
     * Returns a new interpreter of the same model for another thread: it shares this one's read-only
     * plan (decoded constants and re-laid-out weights) and has its own activation arrays and scratch
     * buffers, so preparing it costs no weight packing and little memory. The two may then run
     * concurrently, one per thread. The new interpreter has no observer.
     *
     * <pre>{@code
     * Interpreter first = Interpreter.create(model);
     * Interpreter second = first.fork();   // hand to a second worker thread
     * }</pre>
     *
     * @return the new interpreter
     */
    public Interpreter fork() {
        try {
            return new Interpreter(model, null, shared);
        } catch (UnsupportedOperatorException e) {
            // this interpreter was prepared from the same model, so every node has a kernel
            throw new IllegalStateException("expected the kernels prepared for " + model + ", found " + e.getMessage(), e);
        }
    }

    /**
     * Returns the model this interpreter runs.
     *
     * @return the model
     */
    public Model model() {
        return model;
    }

    /**
     * Runs the model on raw inputs.
     *
     * @param inputs one array per graph input: little-endian bytes in the tensor's type, row-major (NHWC)
     * @return one array per graph output, in the same encoding
     * @throws IllegalArgumentException if the number of inputs or the size of one is wrong
     */
    public byte[][] invoke(byte[]... inputs) {
        byte[][] out = new byte[outIdx.length][];
        for (int o = 0; o < out.length; o++) {
            out[o] = new byte[outBytes[o]];
        }
        invoke(inputs, out);
        return out;
    }

    /**
     * Runs the model on raw inputs and writes its outputs into arrays the caller owns. After the
     * first calls have warmed the JIT up this allocates nothing: every buffer and packed weight was
     * prepared at {@link #create}.
     *
     * <pre>{@code
     * byte[][] out = {new byte[it.model().graph().outputTensor(0).byteSize()]};
     * for (byte[] sample : samples) {
     *     it.invoke(new byte[][] {sample}, out);
     * }
     * }</pre>
     *
     * @param inputs one array per graph input: little-endian bytes in the tensor's type, row-major (NHWC)
     * @param outputs one array per graph output, of the output tensor's byte size; overwritten
     * @throws IllegalArgumentException if the number or the size of the inputs or outputs is wrong
     */
    public void invoke(byte[][] inputs, byte[][] outputs) {
        checkCount(inputs.length);
        if (outputs.length != outIdx.length) {
            throw new IllegalArgumentException("expected " + outIdx.length + " output arrays, found "
                    + outputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null || inputs[i].length != inBytes[i]) {
                Tensor t = graph.inputTensor(i);
                throw new IllegalArgumentException("expected input " + i + " '" + t.name() + "' of " + t.byteSize()
                        + " bytes (" + t.type() + t.shape() + "), found "
                        + (inputs[i] == null ? "null" : String.valueOf(inputs[i].length)));
            }
        }
        for (int o = 0; o < outputs.length; o++) {
            if (outputs[o] == null || outputs[o].length != outBytes[o]) {
                Tensor t = graph.outputTensor(o);
                throw new IllegalArgumentException("expected output array " + o + " '" + t.name() + "' of "
                        + t.byteSize() + " bytes (" + t.type() + t.shape() + "), found "
                        + (outputs[o] == null ? "null" : String.valueOf(outputs[o].length)));
            }
        }
        for (int i = 0; i < inputs.length; i++) {
            TensorArrays.read(inType[i], inputs[i], arrays[inIdx[i]]);
        }
        run();
        for (int o = 0; o < outputs.length; o++) {
            TensorArrays.write(outType[o], arrays[outIdx[o]], outputs[o]);
        }
    }

    /**
     * Runs the model on a batch of samples, one after another on the calling thread, with the same
     * prepared plan: {@code outputs[s]} receives the outputs of {@code inputs[s]}. Allocates nothing.
     *
     * <pre>{@code
     * byte[][][] in = new byte[n][][];    // in[s] = {sample s's input bytes}
     * byte[][][] out = new byte[n][1][it.model().graph().outputTensor(0).byteSize()];
     * it.invokeBatch(in, out);
     * }</pre>
     *
     * @param inputs per sample, one array per graph input (as {@link #invoke(byte[][], byte[][])})
     * @param outputs per sample, one array per graph output of the output tensor's byte size; overwritten
     * @throws IllegalArgumentException if the batch sizes differ or a sample's inputs or outputs are wrong
     */
    public void invokeBatch(byte[][][] inputs, byte[][][] outputs) {
        checkBatch(inputs, outputs);
        for (int s = 0; s < inputs.length; s++) {
            invoke(inputs[s], outputs[s]);
        }
    }

    /**
     * Runs the model on a batch of samples on several threads: the batch is cut into {@code threads}
     * contiguous slices, this interpreter runs the first and {@link #fork() forks} (made once and kept)
     * run the others, all sharing one prepared plan. Results are those of
     * {@link #invokeBatch(byte[][][], byte[][][])} to the bit. The calling thread waits; the threads
     * are started per call, so batches should hold many samples.
     *
     * @param inputs per sample, one array per graph input
     * @param outputs per sample, one array per graph output; overwritten
     * @param threads how many threads, at least 1
     * @throws IllegalArgumentException if {@code threads < 1}, the batch sizes differ or a sample's
     *         inputs or outputs are wrong
     */
    public void invokeBatch(byte[][][] inputs, byte[][][] outputs, int threads) {
        checkBatch(inputs, outputs);
        if (threads < 1) {
            throw new IllegalArgumentException("expected at least 1 thread, found " + threads);
        }
        int n = inputs.length;
        int t = Math.min(threads, Math.max(1, n));
        if (t == 1) {
            invokeBatch(inputs, outputs);
            return;
        }
        Interpreter[] workers = workers(t);
        Parallel.forEachSlice(n, t, (w, from, to) -> {
            for (int s = from; s < to; s++) {
                workers[w].invoke(inputs[s], outputs[s]);
            }
        });
    }

    /** This interpreter and {@code count - 1} forks of it, the forks made on first need and kept. */
    private Interpreter[] workers(int count) {
        while (forks.size() < count - 1) {
            forks.add(fork());
        }
        Interpreter[] w = new Interpreter[count];
        w[0] = this;
        for (int i = 1; i < count; i++) {
            w[i] = forks.get(i - 1);
        }
        return w;
    }

    private void checkBatch(byte[][][] inputs, byte[][][] outputs) {
        if (inputs.length != outputs.length) {
            throw new IllegalArgumentException("expected as many output sets as input samples (" + inputs.length
                    + "), found " + outputs.length);
        }
    }

    /**
     * Runs the model on real values: inputs of quantized tensors are quantized (round half away from
     * zero, clamped), quantized outputs are dequantized.
     *
     * @param inputs one array of real values per graph input, row-major (NHWC)
     * @return one array of real values per graph output
     * @throws IllegalArgumentException if the number of inputs or the length of one is wrong, or an
     *         input tensor is neither float nor per-tensor quantized
     */
    public float[][] invokeFloat(float[]... inputs) {
        checkCount(inputs.length);
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = graph.inputTensor(i);
            int n = t.shape().elementCount();
            if (inputs[i] == null || inputs[i].length != n) {
                throw new IllegalArgumentException("expected input " + i + " '" + t.name() + "' of " + n
                        + " values (" + t.type() + t.shape() + "), found "
                        + (inputs[i] == null ? "null" : String.valueOf(inputs[i].length)));
            }
            writeReal(t, inputs[i], arrays[graph.inputs().get(i)]);
        }
        run();
        float[][] out = new float[graph.outputs().size()][];
        for (int o = 0; o < out.length; o++) {
            Tensor t = graph.outputTensor(o);
            Object a = arrays[graph.outputs().get(o)];
            float scale = 0;
            long zp = 0;
            if (t.type() != DataType.FLOAT32 && t.type() != DataType.FLOAT16 && t.quant().isPresent()) {
                scale = t.requireQuant().scale(0);
                zp = t.requireQuant().zeroPoint(0);
            }
            float[] v = new float[t.shape().elementCount()];
            for (int k = 0; k < v.length; k++) {
                v[k] = TensorArrays.realValue(t.type(), a, k, scale, zp);
            }
            out[o] = v;
        }
        return out;
    }

    private static void writeReal(Tensor t, float[] src, Object dst) {
        switch (t.type()) {
            case FLOAT32 -> System.arraycopy(src, 0, dst, 0, src.length);
            case FLOAT16 -> {
                short[] h = (short[]) dst;
                for (int k = 0; k < src.length; k++) {
                    h[k] = Half.fromFloat(src[k]);
                }
            }
            case INT8, UINT8, INT16, INT32 -> {
                QuantParams q = t.quant().filter(QuantParams::isPerTensor).orElseThrow(() ->
                        new IllegalArgumentException("expected a float or per-tensor quantized input '" + t.name()
                                + "', found " + t.type() + " " + t.quant().map(Object::toString).orElse("unquantized")));
                float scale = q.scale();
                int zp = q.zeroPoint();
                long lo = t.type() == DataType.INT8 ? -128 : t.type() == DataType.UINT8 ? 0
                        : t.type() == DataType.INT16 ? -32768 : Integer.MIN_VALUE;
                long hi = t.type() == DataType.INT8 ? 127 : t.type() == DataType.UINT8 ? 255
                        : t.type() == DataType.INT16 ? 32767 : Integer.MAX_VALUE;
                for (int k = 0; k < src.length; k++) {
                    long v = FixedPoint.roundHalfAway((double) (src[k] / scale)) + zp;
                    v = Math.max(lo, Math.min(hi, v));
                    switch (t.type()) {
                        case INT8, UINT8 -> ((byte[]) dst)[k] = (byte) v;
                        case INT16 -> ((short[]) dst)[k] = (short) v;
                        default -> ((int[]) dst)[k] = (int) v;
                    }
                }
            }
            default -> throw new IllegalArgumentException("expected a float or quantized integer input '" + t.name()
                    + "', found " + t.type());
        }
    }

    private void checkCount(int n) {
        if (n != inIdx.length) {
            throw new IllegalArgumentException("expected " + graph.inputs().size() + " inputs, found " + n);
        }
    }

    private void run() {
        if (observer == null) {
            for (Kernel k : kernels) {
                k.run();
            }
            return;
        }
        for (int n = 0; n < kernels.length; n++) {
            long t0 = System.nanoTime();
            kernels[n].run();
            long dt = System.nanoTime() - t0;
            observer.afterNode(new NodeEvent(graph, n, dt, arrays));
        }
    }
}
