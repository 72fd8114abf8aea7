package io.tinyml.samples;

import io.tinyml.codegen.report.FirmwareMeasurement;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.nas.Candidate;
import io.tinyml.nas.Constraints;
import io.tinyml.nas.DjlTrainer;
import io.tinyml.nas.Fidelity;
import io.tinyml.nas.LocalExecutor;
import io.tinyml.nas.Search;
import io.tinyml.nas.SearchResult;
import io.tinyml.nas.SearchSpace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Hardware-aware architecture search on handwritten digits, full size: DS-CNN space for 28×28 inputs,
 * Cortex-M4 with 32 kB whole-firmware flash and 16 kB RAM (estimated for the SDK's generated C, int8),
 * NSGA-II over accuracy / latency / flash with a 2-epoch proxy on 4,000 images, full training of the
 * front (20 epochs on mnist10k[0:8000], scored on [8000:10000]). Then every front model is generated
 * as C, built for QEMU mps2-an386 and checked: output bytes identical to the interpreter for a real
 * test image, measured flash and RAM ({@code make size-m4}) against the estimate.
 *
 * <p>Writes {@code target/nas-digits/} (checkpoint, models, front.json, front.svg); re-running resumes
 * from the checkpoint.
 *
 * <pre>
 * ./mvnw -B -pl samples -am -DskipTests package exec:java -Dsample=io.tinyml.samples.NasDigits \
 *     -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dexec.args="../shared/assets"
 * </pre>
 */
public final class NasDigits {
    private static final float SCALE = 1f / 255;

    private NasDigits() {
    }

    /**
     * Runs the search and the firmware checks.
     *
     * @param args assets folder (default {@code ../shared/assets}), output folder (default
     *     {@code target/nas-digits}), population (10), generations (4), full epochs (20)
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        Path assets = Path.of(args.length > 0 ? args[0] : "../shared/assets");
        Path out = Path.of(args.length > 1 ? args[1] : "target/nas-digits");
        int population = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int generations = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int fullEpochs = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        String mnist = assets.resolve("datasets/mnist10k").toString();
        Dataset train = Datasets.open(mnist + "[0:8000]");
        Dataset eval = Datasets.open(mnist + "[8000:10000]");
        Constraints budget = Constraints.builder().setTarget("cortex-m4").optMaxFlash(32 * 1024)
                .optMaxRam(16 * 1024).build();
        long t0 = System.nanoTime();
        SearchResult r = Search.builder().setSpace(SearchSpace.dscnn(28)).setConstraints(budget)
                .setData(train, eval).optInputScale(SCALE)
                // proxy: Adam 2e-2, batches of 32, no augmentation (the fastest learning over 2 epochs);
                // front: 1e-2 with random shifts of one pixel, which pay off over many epochs
                .optTrainer(new DjlTrainer(SCALE, 0, 2e-2f, 0, 32))
                .optFullTrainer(new DjlTrainer(SCALE, 0, 1e-2f, 1, 32))
                .optPopulation(population).optGenerations(generations)
                .optProxy(new Fidelity(2, 4000, 1000)).optFull(Fidelity.full(fullEpochs)).optMaxFullTrainings(7)
                .optSeed(1).optExecutor(() -> new LocalExecutor(2)).setOutputDirectory(out)
                .optListener((task, done, total) -> System.out.printf("  %s %d/%d (%.0f s)%n", task, done, total,
                        (System.nanoTime() - t0) / 1e9))
                .build().run();
        r.writeFront();
        System.out.printf(Locale.ROOT, "search: %d candidates, %d rejected by the estimator before training, "
                        + "%d trained; %.1f s wall (this run); front of %d:%n", r.candidates().size(), r.rejected(),
                r.trained(), r.seconds(), r.front().size());
        InputMapping map = null;
        for (Candidate c : r.front()) {
            Model q = ModelIO.read(out.resolve(c.modelFile()));
            map = InputMapping.builder().setInput(q.graph().inputTensor(0)).optScale(SCALE).build();
            byte[] in = map.toInputBytes(eval.get(0));
            Path dir = out.resolve("firmware").resolve(c.key());
            if (Files.exists(dir)) {
                try (var s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
            FirmwareMeasurement m = FirmwareMeasurement.measure(c.key(), q, in, dir);
            run(dir, List.of("make", "-s", "run-qemu-m4", "IN=in.bin", "OUT=m4.bin"));
            byte[] expected = Interpreter.create(q).invoke(in)[0];
            boolean same = Arrays.equals(expected, Files.readAllBytes(dir.resolve("m4.bin")));
            System.out.printf(Locale.ROOT, "  %-36s top-1 %.4f (proxy %.4f)  %.3f ms  flash est %,d / measured %,d "
                            + "(%+.2f %%)  RAM est %,d / measured %,d (%+.2f %%)  QEMU bytes %s%n", c.key(),
                    c.accuracy(), c.proxyAccuracy(), c.latencyMs(), m.estFlash(), m.flash(),
                    100.0 * (m.estFlash() - m.flash()) / m.flash(), m.estRam(), m.ram(),
                    100.0 * (m.estRam() - m.ram()) / m.ram(), same ? "identical" : "DIFFERENT");
        }
        System.out.printf(Locale.ROOT, "best int8 top-1 %.4f; total wall %.1f s%n", r.best().accuracy(),
                (System.nanoTime() - t0) / 1e9);
    }

    private static void run(Path dir, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] o = p.getInputStream().readAllBytes();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(cmd + " failed: " + new String(o));
        }
    }
}
