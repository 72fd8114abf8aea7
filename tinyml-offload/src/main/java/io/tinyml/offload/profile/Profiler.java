package io.tinyml.offload.profile;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.LayerEstimate;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Builds a {@link ModelProfile}: the device side per node from the estimator (cycles at the target
 * clock, energy = time x the target's run-mode power), the edge side by running the model in the
 * reference interpreter on this machine and taking each node's median time over several runs.
 * Thread-safe (stateless).
 *
 * <pre>{@code
 * Estimator est = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).build();
 * ModelProfile p = Profiler.profile(model, est, 5, ProgressListener.NONE);
 * }</pre>
 */
public final class Profiler {
    private static final Logger log = LoggerFactory.getLogger(Profiler.class);

    /** Untimed runs before the timed ones. */
    static final int WARMUP = 3;

    private Profiler() {
    }

    /**
     * Profiles a model.
     *
     * @param model the model (int8 for an int8 wire format)
     * @param estimator the device estimator
     * @param edgeRuns timed interpreter runs (after three warm-up runs), at least 1
     * @param listener receives "profile edge" progress
     * @return the profile
     * @throws UnsupportedOperatorException if the interpreter has no kernel for a node
     * @throws IllegalArgumentException if edgeRuns is below 1
     */
    public static ModelProfile profile(Model model, Estimator estimator, int edgeRuns, ProgressListener listener)
            throws UnsupportedOperatorException {
        if (edgeRuns < 1) {
            throw new IllegalArgumentException("expected at least 1 edge run, found " + edgeRuns);
        }
        int n = model.graph().nodes().size();
        Estimate e = estimator.estimate(model);
        double[] devMs = new double[n];
        double[] devUj = new double[n];
        double mw = estimator.target().activePowerMw();
        for (LayerEstimate l : e.layers()) {
            devMs[l.node()] = l.latencyMs();
            devUj[l.node()] = l.latencyMs() * mw;
        }
        double[] edge = measureEdge(model, edgeRuns, listener);
        String source = "estimator: " + estimator.target().name() + " at " + estimator.target().clockMhz() + " MHz, "
                + estimator.kernels().cliName() + " kernels" + (mw > 0 ? ", " + mw + " mW" : ", no power figure");
        log.debug("profiled {}: device {} ms, edge {} ms", model, e.latencyMs(), Arrays.stream(edge).sum());
        return new ModelProfile(model, estimator, devMs, devUj, edge, source);
    }

    /**
     * Each node's median wall-clock time in the reference interpreter, in milliseconds.
     *
     * @param model the model
     * @param runs timed runs after three warm-up runs
     * @param listener progress
     * @return one value per node
     * @throws UnsupportedOperatorException if a node has no kernel
     */
    public static double[] measureEdge(Model model, int runs, ProgressListener listener)
            throws UnsupportedOperatorException {
        int n = model.graph().nodes().size();
        long[][] nanos = new long[runs][n];
        int[] run = {-1};
        Interpreter it = Interpreter.create(model, ev -> {
            if (run[0] >= 0) {
                nanos[run[0]][ev.index()] = ev.nanos();
            }
        });
        byte[][] inputs = randomInputs(model, new Random(1));
        for (int w = 0; w < WARMUP; w++) {
            it.invoke(inputs); // the JIT compiles the kernels first: cold runs would overstate the edge
        }
        for (int r = 0; r < runs; r++) {
            run[0] = r;
            it.invoke(inputs);
            listener.progress("profile edge", r + 1, runs);
        }
        double[] ms = new double[n];
        long[] col = new long[runs];
        for (int v = 0; v < n; v++) {
            for (int r = 0; r < runs; r++) {
                col[r] = nanos[r][v];
            }
            Arrays.sort(col);
            ms[v] = col[runs / 2] / 1e6;
        }
        return ms;
    }

    /**
     * Random inputs for a model: uniform bytes for integer tensors, uniform [-1, 1) for float tensors.
     *
     * @param model the model
     * @param r the random source
     * @return one array per graph input
     */
    public static byte[][] randomInputs(Model model, Random r) {
        int k = model.graph().inputs().size();
        byte[][] in = new byte[k][];
        for (int i = 0; i < k; i++) {
            Tensor t = model.graph().inputTensor(i);
            in[i] = new byte[t.byteSize()];
            if (t.type() == DataType.FLOAT32) {
                ByteBuffer b = ByteBuffer.wrap(in[i]).order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    b.putFloat(r.nextFloat() * 2 - 1);
                }
            } else {
                r.nextBytes(in[i]);
            }
        }
        return in;
    }
}
