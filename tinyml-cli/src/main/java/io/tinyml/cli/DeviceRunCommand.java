package io.tinyml.cli;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.json.Json;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.InferenceResult;
import io.tinyml.devices.harness.ResultCheck;
import io.tinyml.devices.registry.DeviceRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tinyml device run DEVICE --model M --data DATASET[from:to] [--input-scale S] [--input-offset O]}:
 * runs every sample of a labelled dataset slice on the board, streaming one line per sample, and ends
 * with the board's top-1 next to the interpreter's (the figure {@code tinyml eval} prints).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs a dataset slice on a board over the harness protocol; on-board top-1 vs the interpreter.")
final class DeviceRunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DEVICE", description = "registered name, serial port path, tcp:HOST:PORT or exec:PROGRAM [ARGS]")
    String device;

    @Option(names = "--model", required = true, paramLabel = "M", description = "the model the board runs")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATASET", description = "labelled data, PATH or PATH[from:to]")
    String data;

    @Option(names = "--input-scale", paramLabel = "S", defaultValue = "1", description = "real input = raw value * S + O (default ${DEFAULT-VALUE})")
    float scale;

    @Option(names = "--input-offset", paramLabel = "O", defaultValue = "0", description = "see --input-scale")
    float offset;

    @Option(names = "--baud", paramLabel = "B", defaultValue = "0", description = "baud rate of a serial port (default: registered or 115200)")
    int baud;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "5", description = "seconds per command (default ${DEFAULT-VALUE})")
    int timeout;

    @Option(names = "--json", description = "machine-readable summary instead of per-sample lines")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model m = ModelIO.read(model);
        if (m.graph().inputs().size() != 1) {
            throw new BadInputException("expected a model with one input for a dataset, found "
                    + m.graph().inputs().size());
        }
        Dataset ds = Datasets.open(data);
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(scale).optOffset(offset)
                .optResize(true).build();
        Interpreter ref = Interpreter.create(m);
        DeviceRecord d = DeviceTarget.resolve(device, baud);
        PrintWriter out = spec.commandLine().getOut();
        int board = 0;
        int interp = 0;
        int agree = 0;
        int mismatches = 0;
        double micros = 0;
        try (DeviceClient c = DeviceTarget.connect(d, DeviceTarget.options(timeout))) {
            if (!json) {
                out.println("sample label board interpreter us");
            }
            for (int i = 0; i < ds.size(); i++) {
                byte[] in = map.toInputBytes(ds.get(i));
                c.load(in);
                InferenceResult r = c.infer(1, 0);
                byte[][] expected = ref.invoke(in);
                int refTop1 = argmax(m, expected);
                ResultCheck check = ResultCheck.of(m.graph(), expected, r.results());
                mismatches += check.equal() ? 0 : 1;
                board += r.top1() == ds.label(i) ? 1 : 0;
                interp += refTop1 == ds.label(i) ? 1 : 0;
                agree += r.top1() == refTop1 ? 1 : 0;
                micros += r.microsPerInference();
                if (!json) {
                    out.printf("%d %d %d %d %.0f%s%n", i, ds.label(i), r.top1(), refTop1, r.microsPerInference(),
                            check.equal() ? "" : " results-differ");
                    out.flush();
                }
            }
        }
        int n = ds.size();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("device", d.address());
            o.put("samples", n);
            o.put("boardTop1", n == 0 ? 0 : (double) board / n);
            o.put("interpreterTop1", n == 0 ? 0 : (double) interp / n);
            o.put("top1Agreement", agree);
            o.put("resultMismatches", mismatches);
            o.put("meanMicrosPerInference", n == 0 ? 0 : micros / n);
            out.println(Json.write(o));
        } else {
            out.printf("top-1 on the board: %.4f (%d/%d); interpreter: %.4f (%d/%d); same class %d/%d; results"
                    + " differ on %d; mean %.1f us per inference%n", n == 0 ? 0 : (double) board / n, board, n,
                    n == 0 ? 0 : (double) interp / n, interp, n, agree, n, mismatches, n == 0 ? 0 : micros / n);
        }
        out.flush();
        return mismatches == 0 ? 0 : Main.EXIT_INTERNAL;
    }

    private static int argmax(Model m, byte[][] out) {
        float[] v = ResultCheck.dequantize(m.graph().outputTensor(0), out[0]);
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
