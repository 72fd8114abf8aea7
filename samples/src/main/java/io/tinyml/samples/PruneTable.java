package io.tinyml.samples;

import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.Optimization;
import io.tinyml.codegen.report.FirmwareMeasurement;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.prune.Criterion;
import io.tinyml.prune.FineTune;
import io.tinyml.prune.PruneResult;
import io.tinyml.prune.Pruner;
import io.tinyml.prune.Recovery;
import io.tinyml.prune.StructuredPruning;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.eval.QuantEval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table of issue 14's closing note: tiny_digits and mnist8 pruned structurally at 0.25, 0.5 and
 * 0.75 (ACTIVATION criterion) without recovery, with least-squares recovery, and with least-squares
 * recovery followed by fine-tuning in two steps (half the channels removed, recovered and fine-tuned, then
 * the rest: {@link StructuredPruning#steps(int)}; {@link FineTune#distilled} at each step: distillation from
 * the unpruned model, random shifts; tinyml-train); at 0.5 also with the ratio allocated by the layer-wise sensitivity scan.
 * Each quantized to int8 (200 calibration samples); top-1 of the int8 model on mnist10k[8000:10000]
 * (never used for any choice), MACs and weight bytes of the float model, and the generated firmware
 * measured on the QEMU Cortex-M4 board ({@code make size-m4}: text + data; {@code make count-m4}:
 * instructions of one inference), built for speed (-O3, the default) and for size (-Os,
 * {@link Optimization#SIZE}). Pruning calibration and fine-tuning use mnist10k[0:8000]. Prints a
 * Markdown table.
 *
 * <pre>
 * ./mvnw -B -pl samples -am -DskipTests package exec:java -Dsample=io.tinyml.samples.PruneTable \
 *     -Dexec.args="../shared/assets 20" -Dai.djl.offline=true
 * </pre>
 * Arguments: the assets folder, fine-tuning epochs of the last step (default 20; the first step trains
 * half), optionally the models (mnist8, tiny_digits or both, the default). Needs arm-none-eabi-gcc and qemu-system-arm. Deterministic (seeded
 * training, one intra-op thread).
 */
public final class PruneTable {
    private PruneTable() {
    }

    /**
     * Runs the table.
     *
     * @param args the assets folder, fine-tuning epochs, models
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        Path assets = Path.of(args.length > 0 ? args[0] : "../shared/assets");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String models = args.length > 2 ? args[2] : "mnist8,tiny_digits";
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        Dataset train = Datasets.open(assets.resolve("datasets/mnist10k") + "[0:8000]");
        Dataset eval = Datasets.open(assets.resolve("datasets/mnist10k") + "[8000:10000]");
        Path work = Files.createDirectories(Path.of("target/prune-table"));
        System.out.println("| model | ratio | allocation | recovery | top-1 int8 | MACs | weight bytes | flash -O3 "
                + "| instructions -O3 | flash -Os | instructions -Os |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        if (models.contains("mnist8")) {
            row("mnist8", assets.resolve("models/onnx/mnist8/model.onnx"), 1f, train, eval, epochs, work);
        }
        if (models.contains("tiny_digits")) {
            row("tiny_digits", assets.resolve("models/pytorch/tiny_digits.onnx"), 1f / 255, train, eval, epochs,
                    work);
        }
    }

    private static void row(String name, Path path, float scale, Dataset train, Dataset eval, int epochs, Path work)
            throws Exception {
        Model f = ModelIO.read(path);
        InputMapping map = InputMapping.builder().setInput(f.graph().inputTensor(0)).optScale(scale).build();
        Measured base = measure(name + "-base", f, scale, train, eval, work);
        print(name, "-", "-", "-", base, base);
        String tuned = "least squares + distilled fine-tune, 2 steps: " + Math.max(1, epochs / 2) + " + " + epochs
                + " ep";
        for (double ratio : new double[] {0.25, 0.5, 0.75}) {
            StructuredPruning p = Pruner.of(f).structured().ratio(ratio).criterion(Criterion.ACTIVATION)
                    .calibrate(train, map, 256).listener(ProgressListener.NONE);
            List<StructuredPruning> variants = new ArrayList<>(List.of(p, p.recover(Recovery.LEAST_SQUARES),
                    p.recover(Recovery.LEAST_SQUARES).steps(2).finetune(train, FineTune.distilled(epochs))));
            List<String[]> labels = new ArrayList<>(List.of(new String[] {"per layer", "none"},
                    new String[] {"per layer", "least squares"}, new String[] {"per layer", tuned}));
            if (ratio == 0.5) {
                StructuredPruning s = p.sensitivity(true).recover(Recovery.LEAST_SQUARES);
                variants.add(s);
                variants.add(s.steps(2).finetune(train, FineTune.distilled(epochs)));
                labels.add(new String[] {"sensitivity", "least squares"});
                labels.add(new String[] {"sensitivity", tuned});
            }
            for (int v = 0; v < variants.size(); v++) {
                PruneResult r = variants.get(v).apply();
                Measured m = measure(String.format(Locale.ROOT, "%s-%.2f-%d", name, ratio, v), r.model(), scale, train,
                        eval, work);
                print(name, String.format(Locale.ROOT, "%.2f", ratio), labels.get(v)[0], labels.get(v)[1], m, base);
            }
        }
    }

    private record Measured(double top1, long macs, long weightBytes, FirmwareMeasurement speed,
                            FirmwareMeasurement size) {
    }

    private static Measured measure(String label, Model f, float scale, Dataset train, Dataset eval, Path work)
            throws Exception {
        Model q = Quantizer.of(f).int8().calibrate(train, 200).inputScale(scale).apply();
        double top1 = QuantEval.top1(q, eval, scale, 0);
        byte[] in = new byte[q.graph().inputTensor(0).byteSize()];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 37);
        }
        FirmwareMeasurement speed = FirmwareMeasurement.measure(label, q, in, clean(work.resolve(label)));
        FirmwareMeasurement size = FirmwareMeasurement.measure(label, q, in, clean(work.resolve(label + "-os")),
                CodegenOptions.defaults().withOptimization(Optimization.SIZE));
        return new Measured(top1, io.tinyml.core.estimate.CostModel.totalMacs(f.graph()), weightBytes(f), speed, size);
    }

    private static Path clean(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    private static long weightBytes(Model m) {
        long sum = 0;
        for (io.tinyml.core.ir.Tensor t : m.graph().tensors()) {
            if (t.isConstant()) {
                sum += t.byteSize();
            }
        }
        return sum;
    }

    private static String pct(long v, long base) {
        return String.format(Locale.ROOT, "%d (%+.1f %%)", v, 100.0 * v / base - 100);
    }

    private static void print(String name, String ratio, String allocation, String recovery, Measured m,
                              Measured base) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.4f (%+.2f pp) | %d | %d | %s | %s | %s | %s |%n",
                name, ratio, allocation, recovery, m.top1, 100 * (m.top1 - base.top1), m.macs, m.weightBytes,
                pct(m.speed.flash(), base.speed.flash()), pct(m.speed.instructions(), base.speed.instructions()),
                pct(m.size.flash(), base.size.flash()), pct(m.size.instructions(), base.size.instructions()));
    }
}
