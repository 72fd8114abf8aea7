package io.tinyml.cli;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.data.MappingStats;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tinyml eval MODEL --data DATASET [--input-scale S] [--input-offset O] [--resize] [--threads N] [--json]}: top-1
 * accuracy of a classifier on a labelled dataset, with the input mapping used and the share of input
 * values an integer input clipped (a warning on stderr when above 1 %).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measures a classifier's top-1 accuracy on a labelled dataset (PATH or PATH[from:to]).")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATASET",
            description = "IDX directory, CSV, image folder or .zip, optionally sliced: PATH[from:to]")
    String data;

    @CommandLine.Mixin
    MappingOptions map = new MappingOptions();

    @Option(names = "--raw-input", description = "feed each sample's 8-bit values unchanged as the bytes of an "
            + "INT8/UINT8 input (for data stored already quantized, like TFLM's person_detect test images)")
    boolean raw;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "threads evaluating the data, sharing one prepared model (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--json", description = "machine-readable output: {\"samples\":N,\"top1\":X,\"mapping\":{\"scale\":S,"
            + "\"offset\":O,\"resize\":B,\"sample\":[..],\"input\":[..],\"inputType\":T,\"inputRange\":[L,H]|null,"
            + "\"clippedShare\":C},\"samplesPerSecond\":R,\"threads\":T} (mapping null with --raw-input; R: evaluation "
            + "throughput, reading and preparing the model excluded)")
    boolean json;

    @CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model m = ModelIO.read(model);
        Dataset ds = Datasets.open(data);
        if (raw && map.scaled()) {
            throw new BadInputException("expected either --raw-input or --input-scale/--input-offset, found both");
        }
        InputMapping mapping = map.mapping(m.graph().inputTensor(0));
        if (!raw) {
            MappingOptions.check(mapping, ds);
        }
        MappingStats stats = new MappingStats();
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = json ? ProgressListener.NONE : main.progress(err, "");
        if (threads < 1) {
            throw new BadInputException("expected --threads of at least 1, found " + threads);
        }
        // the statistics are one object for all threads: each sample's mapping records into it in turn
        long t0 = System.nanoTime();
        Accuracy.Result r = raw ? Accuracy.top1(m, ds, rawBytes(m, ds), progress, threads)
                : Accuracy.top1(m, ds, s -> {
                    synchronized (stats) {
                        return mapping.toInputBytes(s, stats);
                    }
                }, progress, threads);
        // throughput of the evaluation itself (reading and preparing the model excluded)
        double perSecond = r.samples() / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println("{\"samples\":" + r.samples() + ",\"top1\":" + r.top1() + ",\"mapping\":"
                    + (raw ? "null" : MappingOptions.json(mapping, ds, stats)) + ",\"samplesPerSecond\":"
                    + Math.round(perSecond) + ",\"threads\":" + threads + "}");
        } else {
            out.printf("samples: %d%ntop-1:   %.4f (%d correct)%nspeed:   %d samples/s on %d thread%s%n", r.samples(),
                    r.top1(), r.correct(), Math.round(perSecond), threads, threads == 1 ? "" : "s");
            if (!raw) {
                out.println(MappingOptions.text(mapping, ds, stats));
            }
        }
        out.flush();
        String warning = raw ? null : MappingOptions.clippingWarning(mapping, ds, stats);
        if (warning != null) {
            err.println(warning);
            err.flush();
        }
        return 0;
    }

    private static java.util.function.Function<io.tinyml.core.data.Sample, byte[]> rawBytes(Model m, Dataset ds) {
        io.tinyml.core.ir.Tensor in = m.graph().inputTensor(0);
        if (in.type() != io.tinyml.core.ir.DataType.INT8 && in.type() != io.tinyml.core.ir.DataType.UINT8) {
            throw new BadInputException("expected an INT8 or UINT8 model input for --raw-input, found " + in.type());
        }
        if (!ds.isUnsigned8() || ds.sampleShape().elementCount() != in.shape().elementCount()) {
            throw new BadInputException("expected 8-bit samples of " + in.shape().elementCount()
                    + " values for --raw-input, found " + ds.sampleShape() + (ds.isUnsigned8() ? "" : " (not 8-bit)"));
        }
        return s -> {
            byte[] b = new byte[s.values().length];
            float[] v = s.values();
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) v[i];
            }
            return b;
        };
    }
}
