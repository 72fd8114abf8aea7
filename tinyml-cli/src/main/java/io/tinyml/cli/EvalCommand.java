package io.tinyml.cli;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tinyml eval MODEL --data DATASET [--input-scale S] [--input-offset O] [--json]}: top-1
 * accuracy of a classifier on a labelled dataset.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measures a classifier's top-1 accuracy on a labelled dataset (PATH or PATH[from:to]).")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATASET",
            description = "IDX directory, CSV, image folder or .zip, optionally sliced: PATH[from:to]")
    String data;

    @Option(names = "--input-scale", paramLabel = "S", defaultValue = "1",
            description = "real input = raw value * S + O (default ${DEFAULT-VALUE})")
    float scale;

    @Option(names = "--input-offset", paramLabel = "O", defaultValue = "0", description = "see --input-scale")
    float offset;

    @Option(names = "--json", description = "machine-readable output: {\"samples\":N,\"top1\":X}")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model m = ModelIO.read(model);
        Dataset ds = Datasets.open(data);
        InputMapping mapping = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(scale)
                .optOffset(offset).optResize(true).build();
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = json ? ProgressListener.NONE : (task, done, total) -> {
            if (done % 1000 == 0 || done == total) {
                err.printf("\r%s %d/%d", task, done, total);
                if (done == total) {
                    err.println();
                }
                err.flush();
            }
        };
        Accuracy.Result r = Accuracy.top1(m, ds, mapping, progress);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println("{\"samples\":" + r.samples() + ",\"top1\":" + r.top1() + "}");
        } else {
            out.printf("samples: %d%ntop-1:   %.4f (%d correct)%n", r.samples(), r.top1(), r.correct());
        }
        return 0;
    }
}
