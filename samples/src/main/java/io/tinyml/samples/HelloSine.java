package io.tinyml.samples;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.Harness;
import io.tinyml.codegen.ProjectKind;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.estimate.CostModel;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.devices.emulator.EmulatedBoard;
import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.DeviceIdentity;
import io.tinyml.devices.harness.HarnessOptions;
import io.tinyml.devices.harness.InferenceResult;
import io.tinyml.offload.plan.Candidate;
import io.tinyml.offload.plan.Constraints;
import io.tinyml.offload.plan.LinkPresets;
import io.tinyml.offload.plan.Objective;
import io.tinyml.offload.plan.SplitPlan;
import io.tinyml.offload.plan.SplitPlanner;
import io.tinyml.offload.profile.ModelProfile;
import io.tinyml.offload.profile.Profiler;
import io.tinyml.offload.runtime.MessageCodec;
import io.tinyml.prune.PruneResult;
import io.tinyml.prune.Pruner;
import io.tinyml.prune.Recovery;
import io.tinyml.quantize.Quantizer;
import io.tinyml.train.LossFunction;
import io.tinyml.train.OptimizerSpec;
import io.tinyml.train.Training;
import io.tinyml.train.TrainingResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The main sample, end to end and self-contained: trains a sine regressor in plain Java (the
 * network of TensorFlow Lite Micro's hello_world), builds it as an SDK model, runs the standard
 * passes, fine-tunes it through DJL (PyTorch engine, offline), saves it as a .tflite file, reads it
 * back, runs it with the reference interpreter, quantizes it to int8, estimates flash/RAM/latency on
 * a Cortex-M4, prunes its hidden layers and quantizes and estimates the pruned model, generates C for it and runs
 * that C on the host and on an emulated Cortex-M4 (QEMU), checking that every result is the
 * interpreter's to the byte. Each capability of the SDK joins this journey as it lands; steps whose
 * toolchain (gcc/make, arm-none-eabi-gcc, qemu-system-arm) is missing say so and are skipped.
 *
 * <pre>
 * ./mvnw -B -pl samples -am -DskipTests package exec:java            # writes target/hello-sine/
 * </pre>
 */
public final class HelloSine {
    private HelloSine() {
    }

    /**
     * Runs the journey.
     *
     * @param args optional output directory (default {@code target/hello-sine})
     * @throws Exception if any step fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/hello-sine");
        Result r = run(dir, 10_000);
        System.out.printf("%nhello-sine: float max error %.4f, int8 max error %.4f, C on host %s, C on QEMU Cortex-M4 %s%n",
                r.maxError(), r.int8().maxError(), verdict(r.int8().hostIdentical()), verdict(r.int8().qemuIdentical()));
        Pruned p = r.int8().pruned();
        System.out.printf("hello-sine: fine-tuned MSE %.6f (was %.6f); pruned %d -> %d MACs, int8 max error %.4f, flash %,d -> %,d B%n",
                r.tuneMseAfter(), r.tuneMseBefore(), p.macsBefore(), p.macsAfter(), p.int8MaxError(),
                r.int8().estimate().flashBytes(), p.estimate().flashBytes());
        boolean ok = r.maxError() < 0.05 && r.int8().maxError() < 0.1 && p.int8MaxError() < 0.1
                && !Boolean.FALSE.equals(r.int8().hostIdentical())
                && !Boolean.FALSE.equals(r.int8().qemuIdentical());
        if (!ok) {
            System.exit(1);
        }
    }

    private static String verdict(Boolean identical) {
        return identical == null ? "skipped" : identical ? "byte-identical" : "DIFFERENT";
    }

    /**
     * The figures of one run.
     *
     * @param trainMse mean squared error of the trained float network
     * @param tfliteBytes size of the written .tflite file
     * @param maxError largest |model(x) - sin(x)| over 100 points of [0, 2π], from the re-read file
     * @param model the model as re-read from disk
     * @param int8 the int8 part of the journey
     * @param tuneMseBefore mean squared error against sin(x) over 100 points of [0, 2π] (interpreter) before
     *        fine-tuning through DJL
     * @param tuneMseAfter the same after fine-tuning
     * @param tuneHistory the fine-tuning's per-epoch training MSE (DJL's)
     */
    public record Result(double trainMse, long tfliteBytes, double maxError, Model model, Journey int8,
                         double tuneMseBefore, double tuneMseAfter, List<Double> tuneHistory) {
    }

    /**
     * The figures of the int8 part of the journey.
     *
     * @param tfliteBytes size of the written int8 .tflite file
     * @param maxError largest |int8 model(x) - sin(x)| over 100 points
     * @param estimate the Cortex-M4 estimate of the int8 model
     * @param hostIdentical whether the generated C built with the host gcc printed the interpreter's bytes
     *        (null when gcc/make are missing)
     * @param qemuIdentical whether the firmware on the emulated Cortex-M4 printed the interpreter's bytes
     *        (null when arm-none-eabi-gcc/qemu-system-arm are missing)
     * @param splits the best place to run each inference (device-only, edge-only or a cut) per link preset
     * @param boardIdentical whether the emulated board, driven over its UART with the MLPerf Tiny harness protocol,
     *        answered the interpreter's outputs (null when arm-none-eabi-gcc/qemu-system-arm are missing)
     * @param pruned the pruned part of the journey
     */
    public record Journey(long tfliteBytes, double maxError, Estimate estimate, Boolean hostIdentical,
                          Boolean qemuIdentical, Map<String, String> splits, Boolean boardIdentical, Pruned pruned) {
    }

    /**
     * The figures of the pruning step: the hidden layers pruned structurally, refitted by least squares,
     * then quantized to int8 and estimated like the dense model.
     *
     * @param paramsBefore parameters of the dense float model
     * @param paramsAfter parameters of the pruned float model
     * @param macsBefore multiply-accumulates per inference, dense
     * @param macsAfter multiply-accumulates per inference, pruned
     * @param hidden the hidden layers' widths after pruning, in graph order
     * @param maxError largest |pruned float model(x) - sin(x)| over 100 points
     * @param int8MaxError largest |pruned int8 model(x) - sin(x)| over 100 points
     * @param estimate the Cortex-M4 estimate of the pruned int8 model (compare its flash with the dense one's)
     * @param model the pruned int8 model
     */
    public record Pruned(long paramsBefore, long paramsAfter, long macsBefore, long macsAfter, List<Integer> hidden,
                         double maxError, double int8MaxError, Estimate estimate, Model model) {
    }

    /**
     * Runs every step, printing what it does.
     *
     * @param dir the output directory
     * @param steps training steps
     * @return the figures
     * @throws Exception if any step fails
     */
    public static Result run(Path dir, int steps) throws Exception {
        Files.createDirectories(dir);
        System.out.println("1. train a 1-16-16-1 ReLU network on sin(x), x in [0, 2pi], in plain Java");
        SineTrainer trainer = new SineTrainer(42);
        double mse = trainer.train(steps, 32);
        System.out.printf("   training MSE %.6f%n", mse);

        System.out.println("2. build it as an SDK model and run the standard passes");
        Model model = PassPipeline.standard().run(build(trainer));
        Graph g = model.graph();
        System.out.printf("   %d nodes, %d parameters, %d MACs%n", g.nodes().size(), g.parameterCount(),
                CostModel.totalMacs(g));

        System.out.println("3. fine-tune it a few epochs through DJL (PyTorch engine, offline), mean squared error");
        double mseBefore = meanSquaredError(model);
        TrainingResult tuned = fineTune(model);
        model = tuned.model();
        double mseAfter = meanSquaredError(model);
        List<Double> history = tuned.history().stream().map(s -> s.loss()).toList();
        System.out.printf("   MSE against sin(x) on 100 points: %.6f before, %.6f after %d epochs (training MSE per"
                + " epoch %s)%n", mseBefore, mseAfter, history.size(), history.stream()
                .map(v -> String.format("%.6f", v)).toList());

        Path file = dir.resolve("sine_float.tflite");
        System.out.println("4. save as " + file + " and read it back");
        ModelIO.write(model, file);
        Model reread = ModelIO.read(file);
        if (!reread.graph().equals(model.graph())) {
            throw new IllegalStateException("expected the re-read graph to equal the written one");
        }
        System.out.printf("   %,d bytes, sha256 %s%n", Files.size(file), reread.provenance().sourceSha256());

        System.out.println("5. run it with the reference interpreter on 100 points");
        Interpreter interpreter = Interpreter.create(reread);
        double maxErr = 0;
        for (int i = 0; i < 100; i++) {
            float x = (float) (i * 2 * Math.PI / 99);
            float y = interpreter.invokeFloat(new float[] {x})[0][0];
            maxErr = Math.max(maxErr, Math.abs(y - Math.sin(x)));
            if (i % 20 == 0) {
                System.out.printf("   x=%.3f  model=%+.4f  sin=%+.4f%n", x, y, Math.sin(x));
            }
        }
        Journey int8 = int8Journey(reread, dir);
        return new Result(mse, Files.size(file), maxErr, reread, int8, mseBefore, mseAfter, history);
    }

    /** 2,000 points of [0, 2π] drawn with seed 3 (not the training's), 5 epochs of Adam at 1e-4, batches of 32. */
    private static TrainingResult fineTune(Model model) throws Exception {
        Random r = new Random(3);
        Dataset.Builder data = Dataset.builder(Shape.of(1));
        float[] targets = new float[2000];
        for (int i = 0; i < targets.length; i++) {
            float x = (float) (r.nextDouble() * 2 * Math.PI);
            data.add(new float[] {x}, 0);
            targets[i] = (float) Math.sin(x);
        }
        return Training.builder().optLoss(LossFunction.MSE).optOptimizer(OptimizerSpec.adam(1e-4f))
                .optEpochs(5).optBatchSize(32).optSeed(7).build().fitRegression(model, data.build(), targets);
    }

    /** Mean squared error against sin(x) over the 100 evenly spaced points of [0, 2π], by the interpreter. */
    private static double meanSquaredError(Model m) throws Exception {
        Interpreter in = Interpreter.create(m);
        double s = 0;
        for (int i = 0; i < 100; i++) {
            float x = (float) (i * 2 * Math.PI / 99);
            double d = in.invokeFloat(new float[] {x})[0][0] - Math.sin(x);
            s += d * d;
        }
        return s / 100;
    }

    /** Largest |model(x) - sin(x)| over the 100 evenly spaced points of [0, 2π], by the interpreter. */
    private static double maxError(Model m) throws Exception {
        Interpreter in = Interpreter.create(m);
        double e = 0;
        for (int i = 0; i < 100; i++) {
            float x = (float) (i * 2 * Math.PI / 99);
            e = Math.max(e, Math.abs(in.invokeFloat(new float[] {x})[0][0] - Math.sin(x)));
        }
        return e;
    }

    private static Journey int8Journey(Model floatModel, Path dir) throws Exception {
        System.out.println("6. quantize to int8 (per-channel weights), calibrated on 200 points of [0, 2pi]");
        Dataset.Builder calib = Dataset.builder(Shape.of(1));
        Random r = new Random(1);
        for (int i = 0; i < 200; i++) {
            calib.add(new float[] {(float) (r.nextDouble() * 2 * Math.PI)}, 0);
        }
        Dataset calibration = calib.build();
        Model int8 = Quantizer.of(floatModel).int8().perChannel().calibrate(calibration, 200).apply();
        Path file8 = dir.resolve("sine_int8.tflite");
        ModelIO.write(int8, file8);
        double maxErr = maxError(ModelIO.read(file8));
        System.out.printf("   %,d bytes (float %,d); max |int8 model(x) - sin(x)| = %.4f%n", Files.size(file8),
                Files.size(dir.resolve("sine_float.tflite")), maxErr);

        System.out.println("7. estimate flash, RAM and latency on a Cortex-M4 (84 MHz), before any code is built");
        Estimator m4 = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).build();
        Estimate e = m4.estimate(int8);
        System.out.printf("   flash %,d B, RAM %,d B (arena %,d B), %,d cycles = %.3f ms, fits: %s%n", e.flashBytes(),
                e.ramBytes(), e.arenaBytes(), e.cycles(), e.latencyMs(), e.fits());

        Pruned pruned = prune(floatModel, calibration, m4, e, dir);

        System.out.println("9. generate C (make project) and run it on the host and on an emulated Cortex-M4");
        Path project = dir.resolve("sine_c").toAbsolutePath();
        CodeGenerator.generate(int8, CodegenOptions.defaults()).writeTo(project, true);
        float x = 1.0f;
        Tensor in = int8.graph().inputTensor(0);
        byte[] input = {(byte) Math.max(-128, Math.min(127, Math.round(x / in.requireQuant().scale())
                + in.requireQuant().zeroPoint()))};
        byte[] expected = Interpreter.create(int8).invoke(input)[0];
        Path inFile = Files.write(project.resolve("in.bin"), input);
        Boolean host = null;
        if (onPath("gcc") && onPath("make")) {
            make(project, "host");
            Path out = project.resolve("out_host.bin");
            run(project, project.resolve("build/host/demo").toString(), inFile.toString(), out.toString());
            host = java.util.Arrays.equals(expected, Files.readAllBytes(out));
            System.out.printf("   host gcc:          output %s, interpreter %s -> %s%n", hex(Files.readAllBytes(out)),
                    hex(expected), host ? "identical" : "DIFFERENT");
        } else {
            System.out.println("   host build skipped: gcc/make not installed");
        }
        Boolean qemu = null;
        if (onPath("arm-none-eabi-gcc") && onPath("qemu-system-arm") && onPath("make")) {
            Path out = project.resolve("out_m4.bin");
            make(project, "run-qemu-m4", "IN=" + inFile, "OUT=" + out);
            qemu = java.util.Arrays.equals(expected, Files.readAllBytes(out));
            System.out.printf("   QEMU Cortex-M4:    output %s -> %s%n", hex(Files.readAllBytes(out)),
                    qemu ? "identical" : "DIFFERENT");
        } else {
            System.out.println("   emulated run skipped: install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm");
        }
        Map<String, String> splits = splitPlans(int8);
        Boolean board = null;
        if (onPath("arm-none-eabi-gcc") && onPath("qemu-system-arm") && onPath("make")) {
            board = onEmulatedBoard(int8, dir.resolve("sine_harness").toAbsolutePath(), input, expected);
        } else {
            System.out.println("11. board run skipped: install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm");
        }
        return new Journey(Files.size(file8), maxErr, e, host, qemu, splits, board, pruned);
    }

    private static Pruned prune(Model floatModel, Dataset calibration, Estimator m4, Estimate dense, Path dir)
            throws Exception {
        System.out.println("8. prune 25 % of the hidden layers' neurons (least-squares refit on the calibration points),"
                + " quantize and estimate again");
        InputMapping map = InputMapping.builder().setInput(floatModel.graph().inputTensor(0)).build();
        PruneResult p = Pruner.of(floatModel).structured().ratio(0.25).calibrate(calibration, map, 200)
                .recover(Recovery.LEAST_SQUARES).apply();
        Model pf = p.model();
        List<Integer> hidden = p.report().layers().stream().map(c -> c.after()).toList();
        double floatErr = maxError(pf);
        Model p8 = Quantizer.of(pf).int8().perChannel().calibrate(calibration, 200).apply();
        Path file = dir.resolve("sine_pruned_int8.tflite");
        ModelIO.write(p8, file);
        double int8Err = maxError(ModelIO.read(file));
        Estimate e = m4.estimate(p8);
        long paramsBefore = floatModel.graph().parameterCount();
        long paramsAfter = pf.graph().parameterCount();
        System.out.printf("   hidden layers %s -> %s neurons: %d -> %d parameters, %d -> %d MACs%n",
                p.report().layers().stream().map(c -> c.before()).toList(), hidden, paramsBefore, paramsAfter,
                p.report().macsBefore(), p.report().macsAfter());
        System.out.printf("   max |model(x) - sin(x)|: float %.4f, int8 %.4f; flash %,d B -> %,d B, %,d -> %,d cycles%n",
                floatErr, int8Err, dense.flashBytes(), e.flashBytes(), dense.cycles(), e.cycles());
        return new Pruned(paramsBefore, paramsAfter, p.report().macsBefore(), p.report().macsAfter(), hidden, floatErr,
                int8Err, e, p8);
    }

    private static Map<String, String> splitPlans(Model int8) throws Exception {
        System.out.println("10. plan where to run it: on the Cortex-M4, on an edge server, or split between them");
        Estimator est = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).build();
        ModelProfile profile = Profiler.profile(int8, est, 3, ProgressListener.NONE);
        Map<String, String> best = new LinkedHashMap<>();
        for (String link : List.of("uart-115200", "ble-1m", "wifi")) {
            SplitPlan plan = new SplitPlanner(SplitPlanner.DEFAULT_MAX_CUTS, MessageCodec.wireFormat(int8, 16))
                    .plan(profile.costGraph(), LinkPresets.get(link), Objective.latency(), Constraints.none(),
                            profile.prefixResources());
            Candidate c = plan.best().orElseThrow();
            best.put(link, c.label(profile.costGraph()));
            System.out.printf("   %-12s best: %-40s %.3f ms (device-only %.3f ms)%n", link, c.label(profile.costGraph()),
                    c.latencyMs(), plan.deviceOnly().latencyMs());
        }
        return best;
    }

    private static boolean onEmulatedBoard(Model int8, Path project, byte[] input, byte[] expected) throws Exception {
        System.out.println("11. flash it with the MLPerf Tiny harness on an emulated board and run it over its UART");
        CodeGenerator.generate(int8, new CodegenOptions("tinyml", ProjectKind.MAKE, Harness.MLPERF_TINY))
                .writeTo(project, true);
        make(project, "-f", "harness.mk", "harness-m4");
        Path elf = project.resolve("build/harness-m4/firmware.elf");
        QuantParams out = int8.graph().outputTensor(0).requireQuant();
        try (EmulatedBoard board = EmulatedBoard.start(elf, "mps2-an386", Duration.ofSeconds(10));
             DeviceClient client = DeviceClient.connect(board.connect(), HarnessOptions.defaults())) {
            DeviceIdentity id = client.identify();
            client.load(input);
            InferenceResult r = client.infer(10, 1);
            byte[] got = new byte[r.results().length];
            for (int i = 0; i < got.length; i++) {
                got[i] = (byte) (Math.round(r.results()[i] / out.scale()) + out.zeroPoint());
            }
            boolean same = java.util.Arrays.equals(expected, got);
            System.out.printf("   board '%s' by %s: output %s, %.1f us per inference (board timer) -> %s%n", id.name(),
                    id.vendor(), hex(got), r.microsPerInference(), same ? "identical" : "DIFFERENT");
            return same;
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void make(Path project, String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "make";
        cmd[1] = "-s";
        System.arraycopy(args, 0, cmd, 2, args.length);
        run(project, cmd);
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("expected '" + String.join(" ", cmd) + "' to succeed, found:\n" + log);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte v : b) {
            sb.append(String.format("%02x", v & 0xff));
        }
        return sb.toString();
    }

    /**
     * Builds the trained network as an IR model: three fully-connected layers, ReLU fused into the
     * first two.
     *
     * @param t the trained network
     * @return the model
     */
    public static Model build(SineTrainer t) {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 1)));
        int h1 = dense(b, "dense_1", x, t.weights1(), t.biases1(), 1, Activation.RELU);
        int h2 = dense(b, "dense_2", h1, t.weights2(), t.biases2(), SineTrainer.HIDDEN, Activation.RELU);
        int y = dense(b, "dense_3", h2, t.weights3(), t.biases3(), SineTrainer.HIDDEN, Activation.NONE);
        b.addOutput(y);
        return Model.of(b.build(), Provenance.builtInCode("io.tinyml.samples.HelloSine (trained in plain Java)"));
    }

    private static int dense(GraphBuilder b, String name, int in, float[] w, float[] bias, int inSize,
                             Activation act) {
        int out = bias.length;
        int wi = b.addTensor(Tensor.ofFloats(name + "/kernel", Shape.of(out, inSize), w));
        int bi = b.addTensor(Tensor.ofFloats(name + "/bias", Shape.of(out), bias));
        // TFLite keeps no node names: a reader names a node after its first output, so use the same name
        int y = b.addTensor(Tensor.activation(name, DataType.FLOAT32, Shape.of(1, out)));
        b.addNode(name, new Op.FullyConnected(act, false), List.of(in, wi, bi), List.of(y));
        return y;
    }
}
