package io.tinyml.core.io.keras;

import io.jhdf.HdfFile;
import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.keras.internal.Hdf5Weights;
import io.tinyml.core.io.keras.internal.KerasWeights;
import io.tinyml.core.testing.Assets;
import io.tinyml.core.testing.GuardedReader.Outcome;
import io.tinyml.core.testing.GuardedReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutation fuzzing of the Keras reader: model_config JSON text (byte edits, numbers, names,
 * nesting, unknown layers, dangling and cyclic inbound nodes, huge shapes) with in-memory weights,
 * and bytes of small .h5 and .keras files. Every mutant must read or end in
 * MalformedModelException / UnsupportedOperatorException / IOException within two seconds; anything
 * else fails with the seed and the mutant number.
 */
class KerasFuzzTest {
    static {
        System.setProperty("org.slf4j.simpleLogger.log.io.jhdf", "error");
    }

    private static final long SEED = Long.getLong("tinyml.fuzz.seed", 0x4B3A_5EEDL);
    private static final int CONFIG_MUTANTS = Integer.getInteger("tinyml.fuzz.mutants", 10_000);
    private static final int FILE_MUTANTS = Integer.getInteger("tinyml.fuzz.fileMutants", 3_000);
    /** The most bytes one read of a mutant may allocate (a work bound that does not depend on the machine's load). */
    private static final long READ_BYTE_BUDGET = 64L << 20;
    private static final String[] TOKENS = {"null", "[]", "{}", "\"\"", "true", "-1", "0", "1e309", "-0.5",
        "2147483648", "16777217", "100000", "NaN", "\"same\"", "\"channels_first\"", "[null, 4]", "[[1, 2], [3]]",
        "{\"class_name\": \"Bogus\", \"config\": {}}", "\"\\ud800\"", "[1, [2, [3]]]"};
    private static final String[] CLASSES = {"Bogus", "Lambda", "Conv3D", "Sequential", "Functional", "InputLayer",
        "Dense", "Add", "Concatenate", "Flatten", "Reshape", "Softmax", "ReLU", "GlobalMaxPooling2D"};

    private static GuardedReader reader;

    @BeforeAll
    static void startWorker() {
        reader = new GuardedReader("keras-fuzz-reader", READ_BYTE_BUDGET, true);
    }

    @AfterAll
    static void stopWorker() {
        reader.close();
    }

    private static Outcome guarded(GuardedReader.Read read, String label) throws InterruptedException {
        return reader.read(read, label);
    }

    /** A config seed with its weights. */
    record Seed(String name, String config, KerasWeights weights) {
    }

    private static List<Seed> seeds() throws Exception {
        List<Seed> s = new ArrayList<>();
        s.add(new Seed("sequential fixture", KerasFixtureTest.sequentialConfig(),
                KerasFixtureTest.sequentialWeights().asKerasWeights()));
        s.add(new Seed("functional fixture (Keras 2)", KerasFixtureTest.functionalConfig(false),
                KerasFixtureTest.functionalWeights().asKerasWeights()));
        s.add(new Seed("functional fixture (Keras 3)", KerasFixtureTest.functionalConfig(true),
                KerasFixtureTest.functionalWeights().asKerasWeights()));
        Path resnet = Assets.root().resolve(KerasReaderTest.RESNET8_H5);
        if (Files.exists(resnet)) {
            try (HdfFile f = new HdfFile(resnet)) {
                String config = Hdf5Weights.stringAttribute(f, "model_config");
                KerasWeights h5 = Hdf5Weights.keras2((io.jhdf.api.Group) f.getChild("model_weights"), "resnet8",
                        Files.size(resnet));
                s.add(new Seed("ic_resnet8", config, cached(h5, config)));
            }
        }
        return s;
    }

    /** Reads every layer's weights once, so mutants do not re-read the HDF5 file. */
    private static KerasWeights cached(KerasWeights h5, String config) throws MalformedModelException {
        Map<String, List<KerasWeights.Weight>> m = new HashMap<>();
        Matcher names = Pattern.compile("\"name\": \"([^\"]+)\", \"inbound_nodes\"").matcher(config);
        while (names.find()) {
            List<KerasWeights.Weight> ws = new ArrayList<>();
            for (KerasWeights.Weight w : h5.weights(names.group(1), "")) {
                float[] v = w.read();
                String n = w.name();
                int[] d = w.dims();
                ws.add(new KerasWeights.Weight() {
                    public String name() {
                        return n;
                    }

                    public int[] dims() {
                        return d.clone();
                    }

                    public float[] read() {
                        return v.clone();
                    }
                });
            }
            m.put(names.group(1), ws);
        }
        return (layer, key) -> m.getOrDefault(layer, List.of());
    }

    @Test
    void configMutantsReadOrFailCleanly() throws Exception {
        List<Seed> seeds = seeds();
        Random rnd = new Random(SEED);
        int[] counts = new int[Outcome.values().length];
        int[] perKind = new int[CONFIG_KINDS];
        for (int m = 0; m < CONFIG_MUTANTS; m++) {
            Seed seed = seeds.get(m % seeds.size());
            int kind = rnd.nextInt(CONFIG_KINDS);
            perKind[kind]++;
            String mutant = mutateConfig(seed.config(), kind, rnd);
            String label = "seed " + SEED + " config mutant " + m + " (kind " + kind + " of " + seed.name() + ")";
            counts[guarded(() -> KerasReader.fromConfig(mutant, seed.weights(), label), label).ordinal()]++;
        }
        System.out.printf("Keras config fuzz: seed %d, %d mutants of %d configs, at most %,d B allocated by one read: read ok %d, malformed %d, "
                        + "unsupported %d; per kind %s%n", SEED, CONFIG_MUTANTS, seeds.size(), reader.mostAllocatedBytes(), counts[0],
                counts[1], counts[2], Arrays.toString(perKind));
        assertEquals(CONFIG_MUTANTS, counts[0] + counts[1] + counts[2]);
        assertTrue(counts[0] > 0, "expected some mutants to still read");
        assertTrue(counts[1] > CONFIG_MUTANTS / 10, "expected many malformed mutants, found " + counts[1]);
        assertTrue(counts[2] > 0, "expected some unsupported mutants");
    }

    @Test
    void fileMutantsReadOrFailCleanly() throws Exception {
        List<byte[]> files = List.of(
                KerasFixtures.h5(KerasFixtureTest.sequentialConfig(), KerasFixtureTest.sequentialWeights()),
                KerasFixtures.keras3(KerasFixtureTest.functionalConfig(true), KerasFixtureTest.functionalWeights(),
                        KerasFixtureTest.functionalKeras3Keys()),
                KerasFixtures.weightsH5Keras3(KerasFixtureTest.functionalWeights(),
                        KerasFixtureTest.functionalKeras3Keys()));
        List<String> names = List.of("sequential .h5", "functional .keras", "model.weights.h5 inside .keras");
        Random rnd = new Random(SEED + 1);
        int[] counts = new int[Outcome.values().length];
        String k3config = KerasFixtureTest.functionalConfig(true);
        for (int m = 0; m < FILE_MUTANTS; m++) {
            int which = m % files.size();
            byte[] mutant = mutateBytes(files.get(which), rnd);
            String label = "seed " + (SEED + 1) + " file mutant " + m + " (" + names.get(which) + ")";
            GuardedReader.Read read = which < 2 ? () -> KerasReader.read(mutant, label)
                    : () -> KerasReader.read(KerasFixtures.zip(Map.of(
                            "config.json", k3config.getBytes(StandardCharsets.UTF_8), "model.weights.h5", mutant)),
                    label);
            counts[guarded(read, label).ordinal()]++;
        }
        System.out.printf("Keras file fuzz: seed %d, %d byte mutants of .h5/.keras, at most %,d B allocated by one read: read ok %d, malformed %d, "
                        + "unsupported %d, I/O %d%n", SEED + 1, FILE_MUTANTS, reader.mostAllocatedBytes(), counts[0], counts[1], counts[2],
                counts[3]);
        assertEquals(FILE_MUTANTS, Arrays.stream(counts).sum());
        assertTrue(counts[1] > 0, "expected malformed mutants");
    }

    private static final int CONFIG_KINDS = 12;
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final Pattern STRING = Pattern.compile("\"([^\"\\\\]*)\"");
    private static final Pattern CLASS = Pattern.compile("\"class_name\": \"([^\"]+)\"");
    private static final Pattern REF = Pattern.compile("\\[\"([^\"]+)\", (\\d+), (\\d+)");

    static String mutateConfig(String src, int kind, Random rnd) {
        switch (kind) {
            case 0 -> { // flip one char
                char[] c = src.toCharArray();
                c[rnd.nextInt(c.length)] = (char) (rnd.nextBoolean() ? rnd.nextInt(128) : " {}[],:\"-0.e\\".charAt(rnd.nextInt(13)));
                return new String(c);
            }
            case 1 -> { // delete a range
                int a = rnd.nextInt(src.length());
                int b = Math.min(src.length(), a + 1 + rnd.nextInt(64));
                return src.substring(0, a) + src.substring(b);
            }
            case 2 -> { // duplicate a range
                int a = rnd.nextInt(src.length());
                int b = Math.min(src.length(), a + 1 + rnd.nextInt(256));
                return src.substring(0, b) + src.substring(a, b) + src.substring(b);
            }
            case 3 -> { // replace a number
                return replaceRandom(src, NUMBER, rnd, m -> TOKENS[5 + rnd.nextInt(7)]);
            }
            case 4 -> { // swap a string for another string of the text (names, classes, paddings)
                List<String> all = all(src, STRING);
                return replaceRandom(src, STRING, rnd, m -> "\"" + all.get(rnd.nextInt(all.size())) + "\"");
            }
            case 5 -> { // deep nesting around a value
                int depth = rnd.nextBoolean() ? 60 + rnd.nextInt(10) : 100 + rnd.nextInt(20000);
                return replaceRandom(src, NUMBER, rnd, m -> "[".repeat(depth) + m + "]".repeat(depth));
            }
            case 6 -> { // truncate
                return src.substring(0, rnd.nextInt(src.length()));
            }
            case 7 -> { // unknown or misplaced layer class
                return replaceRandom(src, CLASS, rnd, m -> "\"class_name\": \"" + CLASSES[rnd.nextInt(CLASSES.length)]
                        + "\"");
            }
            case 8 -> { // dangling or cyclic inbound reference: point at another layer, a later one, or nothing
                List<String> layers = all(src, REF);
                return replaceRandom(src, REF, rnd, m -> {
                    int r = rnd.nextInt(4);
                    String name = r == 0 ? "no_such_layer" : layers.get(rnd.nextInt(layers.size()));
                    int node = r == 1 ? 1 + rnd.nextInt(3) : 0;
                    int tensor = r == 2 ? 1 : 0;
                    return "[\"" + name + "\", " + node + ", " + tensor;
                });
            }
            case 9 -> { // huge shapes and sizes
                return replaceRandom(src, NUMBER, rnd, m -> String.valueOf(rnd.nextBoolean() ? 16_777_216
                        : 4096 + rnd.nextInt(100_000)));
            }
            case 10 -> { // any value replaced by a token
                Pattern value = Pattern.compile(": (\"[^\"]*\"|-?\\d[\\d.eE+-]*|true|false|null)");
                return replaceRandom(src, value, rnd, m -> ": " + TOKENS[rnd.nextInt(TOKENS.length)]);
            }
            default -> { // several edits at once
                String s = src;
                for (int i = 0; i < 2 + rnd.nextInt(4); i++) {
                    s = mutateConfig(s, rnd.nextInt(CONFIG_KINDS - 1), rnd);
                    if (s.isEmpty()) {
                        return s;
                    }
                }
                return s;
            }
        }
    }

    private static List<String> all(String s, Pattern p) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out.isEmpty() ? List.of("x") : out;
    }

    private static String replaceRandom(String s, Pattern p, Random rnd, java.util.function.Function<String, String> f) {
        Matcher m = p.matcher(s);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
            return s;
        }
        int[] sp = spans.get(rnd.nextInt(spans.size()));
        return s.substring(0, sp[0]) + f.apply(s.substring(sp[0], sp[1])) + s.substring(sp[1]);
    }

    static byte[] mutateBytes(byte[] src, Random rnd) {
        byte[] b = src.clone();
        int kind = rnd.nextInt(5);
        switch (kind) {
            case 0 -> { // a few random bytes
                for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> { // an interesting 32-bit value
                int at = rnd.nextInt(b.length - 4);
                int v = new int[] {0, -1, 0x7fffffff, 0x80000000, 1 << 20, b.length, 8}[rnd.nextInt(7)];
                for (int i = 0; i < 4; i++) {
                    b[at + i] = (byte) (v >>> (8 * i));
                }
            }
            case 2 -> { // truncate
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 3 -> { // bit flip in the first 1 KiB (superblock, root group, headers)
                int at = rnd.nextInt(Math.min(1024, b.length));
                b[at] ^= (byte) (1 << rnd.nextInt(8));
            }
            default -> { // copy a block over another
                int len = 1 + rnd.nextInt(64);
                int from = rnd.nextInt(b.length - len);
                int to = rnd.nextInt(b.length - len);
                System.arraycopy(src, from, b, to, len);
            }
        }
        return b;
    }
}
