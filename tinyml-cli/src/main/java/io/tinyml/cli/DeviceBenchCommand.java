package io.tinyml.cli;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.json.Json;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.DeviceIdentity;
import io.tinyml.devices.harness.InferenceResult;
import io.tinyml.devices.harness.ResultCheck;
import io.tinyml.devices.registry.DeviceRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tinyml device bench DEVICE --model M --input IN.bin [--runs N] [--warmup W] [--baud B] [--json]}:
 * loads an input over the harness protocol, runs N timed inferences after W warm-ups, reports the
 * latency from the board's own {@code m-lap-us} timestamps and compares the results with the interpreter.
 * Exit status 1 when the board's results differ from the interpreter's.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks a model on a board: latency from the board's timestamps, results vs the interpreter.")
final class DeviceBenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DEVICE", description = "registered name, serial port path, tcp:HOST:PORT or exec:PROGRAM [ARGS]")
    String device;

    @Option(names = "--model", required = true, paramLabel = "M", description = "the model the board runs")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "IN.bin",
            description = "raw input bytes (the model's input tensor(s), concatenated)")
    Path input;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "10", description = "timed inferences (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "1", description = "warm-up inferences (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--baud", paramLabel = "B", defaultValue = "0", description = "baud rate of a serial port (default: registered or 115200)")
    int baud;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "5", description = "seconds per command (default ${DEFAULT-VALUE})")
    int timeout;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || warmup < 0) {
            throw new BadInputException("expected --runs >= 1 and --warmup >= 0, found " + runs + " and " + warmup);
        }
        Model m = ModelIO.read(model);
        Graph g = m.graph();
        byte[] in = Files.readAllBytes(input);
        long expected = 0;
        for (int i = 0; i < g.inputs().size(); i++) {
            expected += g.inputTensor(i).byteSize();
        }
        if (in.length != expected) {
            throw new BadInputException("expected " + expected + " input bytes for " + model.getFileName() + ", found "
                    + in.length + " in " + input);
        }
        byte[][] inputs = new byte[g.inputs().size()][];
        for (int i = 0, off = 0; i < inputs.length; off += inputs[i].length, i++) {
            inputs[i] = java.util.Arrays.copyOfRange(in, off, off + g.inputTensor(i).byteSize());
        }
        byte[][] reference = Interpreter.create(m).invoke(inputs);
        DeviceRecord d = DeviceTarget.resolve(device, baud);
        DeviceIdentity id;
        InferenceResult r;
        try (DeviceClient c = DeviceTarget.connect(d, DeviceTarget.options(timeout))) {
            id = c.identify();
            c.load(in);
            r = c.infer(runs, warmup);
        }
        ResultCheck check = ResultCheck.of(g, reference, r.results());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("device", d.address());
            o.put("name", id.name());
            o.put("vendor", id.vendor());
            o.put("firmware", id.profile());
            o.put("model", id.model());
            o.put("runs", runs);
            o.put("warmup", warmup);
            o.put("startMicros", r.startMicros());
            o.put("endMicros", r.endMicros());
            o.put("microsPerInference", r.microsPerInference());
            o.put("results", r.results());
            o.put("top1", r.top1());
            o.put("equalToInterpreter", check.equal());
            o.put("mismatches", check.mismatches());
            o.put("maxAbsDiff", check.maxAbsDiff());
            out.println(Json.write(o));
        } else {
            out.printf("device:   %s (%s [%s], firmware %s, model %s)%n", d.address(), id.name(), id.vendor(),
                    id.profile(), id.model());
            out.printf("latency:  %.1f us per inference (board m-lap-us %d -> %d over %d runs, %d warm-up)%n",
                    r.microsPerInference(), r.startMicros(), r.endMicros(), runs, warmup);
            out.printf("top-1:    class %d%n", r.top1());
            out.printf("results:  %s (%d values, %d differ from the interpreter, max |diff| %.3g)%n",
                    check.equal() ? "equal to the interpreter" : "DIFFERENT from the interpreter", check.values(),
                    check.mismatches(), check.maxAbsDiff());
        }
        out.flush();
        return check.equal() ? 0 : Main.EXIT_INTERNAL;
    }
}
