package io.tinyml.core.io.keras;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes small Keras files for tests with jhdf's writer (there is no Keras here): a Keras 2
 * {@code .h5} (root {@code model_config}, {@code model_weights/<layer>/<layer>/<name>:0} with
 * {@code weight_names}) and a Keras 3 {@code .keras} zip ({@code config.json}, {@code metadata.json},
 * {@code model.weights.h5} with {@code layers/<class in snake case, numbered>/vars/<i>}). Layers without weights get no group
 * (jhdf 0.9.4 writes a broken file for an empty group beside a non-empty one; the reader treats a
 * missing group as "no weights", as Keras does).
 */
final class KerasFixtures {
    static {
        System.setProperty("org.slf4j.simpleLogger.log.io.jhdf", "error");
    }

    /** A weight in Keras layout. */
    record W(String name, int[] dims, float[] values) {
    }

    /** Weights per layer name, in creation order. */
    static final class Weights {
        final Map<String, List<W>> byLayer = new LinkedHashMap<>();
        private final Random rnd;

        Weights(long seed) {
            rnd = new Random(seed);
        }

        /** Adds a weight of random values in [lo, hi) and returns them. */
        float[] add(String layer, String name, float lo, float hi, int... dims) {
            int n = 1;
            for (int d : dims) {
                n *= d;
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = lo + (hi - lo) * rnd.nextFloat();
            }
            byLayer.computeIfAbsent(layer, k -> new ArrayList<>()).add(new W(name, dims, v));
            return v;
        }

        /** The weights as the reader's in-memory interface. */
        io.tinyml.core.io.keras.internal.KerasWeights asKerasWeights() {
            return (layerName, keras3Key) -> {
                List<io.tinyml.core.io.keras.internal.KerasWeights.Weight> out = new ArrayList<>();
                for (W w : byLayer.getOrDefault(layerName, List.of())) {
                    out.add(new io.tinyml.core.io.keras.internal.KerasWeights.Weight() {
                        public String name() {
                            return layerName + "/" + w.name() + ":0";
                        }

                        public int[] dims() {
                            return w.dims().clone();
                        }

                        public float[] read() {
                            return w.values().clone();
                        }
                    });
                }
                return out;
            };
        }
    }

    private KerasFixtures() {
    }

    static byte[] h5(String configJson, Weights weights) throws IOException {
        return h5(configJson, weights, "2.4.0");
    }

    static byte[] h5(String configJson, Weights weights, String kerasVersion) throws IOException {
        Path tmp = Files.createTempFile("keras-fixture", ".h5");
        try {
            try (WritableHdfFile f = HdfFile.write(tmp)) {
                f.putAttribute("model_config", configJson);
                f.putAttribute("keras_version", kerasVersion);
                f.putAttribute("backend", "tensorflow");
                WritableGroup mw = f.putGroup("model_weights");
                mw.putAttribute("keras_version", kerasVersion);
                mw.putAttribute("backend", "tensorflow");
                List<String> names = new ArrayList<>(weights.byLayer.keySet());
                if (!names.isEmpty()) {
                    mw.putAttribute("layer_names", names.toArray(new String[0]));
                }
                for (Map.Entry<String, List<W>> e : weights.byLayer.entrySet()) {
                    WritableGroup lg = mw.putGroup(e.getKey());
                    lg.putAttribute("weight_names", e.getValue().stream().map(w -> e.getKey() + "/" + w.name() + ":0")
                            .toArray(String[]::new));
                    WritableGroup inner = lg.putGroup(e.getKey());
                    for (W w : e.getValue()) {
                        inner.putDataset(w.name() + ":0", nest(w.values(), w.dims()));
                    }
                }
            }
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes a Keras 3 weights file; {@code keys} maps layer names to their Keras 3 keys (class in
     * snake case, numbered per class); layers missing from it are stored under their name.
     */
    static byte[] weightsH5Keras3(Weights weights, Map<String, String> keys) throws IOException {
        Path tmp = Files.createTempFile("keras-fixture", ".weights.h5");
        try {
            try (WritableHdfFile f = HdfFile.write(tmp)) {
                WritableGroup layers = f.putGroup("layers");
                for (Map.Entry<String, List<W>> e : weights.byLayer.entrySet()) {
                    WritableGroup vars = layers.putGroup(keys.getOrDefault(e.getKey(), e.getKey())).putGroup("vars");
                    for (int i = 0; i < e.getValue().size(); i++) {
                        W w = e.getValue().get(i);
                        vars.putDataset(String.valueOf(i), nest(w.values(), w.dims()));
                    }
                }
            }
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static byte[] keras3(String configJson, Weights weights, Map<String, String> keys) throws IOException {
        return zip(Map.of("metadata.json", "{\"keras_version\": \"3.6.0\", \"date_saved\": \"2026-11-22@10:00:00\"}"
                        .getBytes(StandardCharsets.UTF_8),
                "config.json", configJson.getBytes(StandardCharsets.UTF_8),
                "model.weights.h5", weightsH5Keras3(weights, keys)));
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            for (String name : List.of("metadata.json", "config.json", "model.weights.h5")) {
                if (entries.containsKey(name)) {
                    z.putNextEntry(new ZipEntry(name));
                    z.write(entries.get(name));
                    z.closeEntry();
                }
            }
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                if (!List.of("metadata.json", "config.json", "model.weights.h5").contains(e.getKey())) {
                    z.putNextEntry(new ZipEntry(e.getKey()));
                    z.write(e.getValue());
                    z.closeEntry();
                }
            }
        }
        return b.toByteArray();
    }

    /**
     * Writes a zip whose entries are stored (not deflated) with their CRC and sizes in data
     * descriptors after the data, as a writer to a non-seekable stream does; Java's
     * {@code ZipInputStream} cannot stream such entries.
     */
    static byte[] zipStoredWithDescriptors(Map<String, byte[]> entries) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1024 + entries.values().stream().mapToInt(v -> 2 * v.length
                + 256).sum()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<int[]> central = new ArrayList<>(); // offset, crc, size
        List<byte[]> names = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(e.getValue());
            central.add(new int[] {b.position(), (int) crc.getValue(), e.getValue().length});
            names.add(name);
            b.putInt(0x04034b50).putShort((short) 20).putShort((short) 8).putShort((short) 0).putInt(0).putInt(0)
                    .putInt(0).putInt(0).putShort((short) name.length).putShort((short) 0).put(name).put(e.getValue());
            b.putInt(0x08074b50).putInt((int) crc.getValue()).putInt(e.getValue().length).putInt(e.getValue().length);
        }
        int cd = b.position();
        for (int i = 0; i < central.size(); i++) {
            int[] c = central.get(i);
            b.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 8).putShort((short) 0)
                    .putInt(0).putInt(c[1]).putInt(c[2]).putInt(c[2]).putShort((short) names.get(i).length)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt(c[0]).put(names.get(i));
        }
        int cdSize = b.position() - cd;
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) central.size())
                .putShort((short) central.size()).putInt(cdSize).putInt(cd).putShort((short) 0);
        return Arrays.copyOf(b.array(), b.position());
    }

    /** Builds a float[][]... of the given dimensions from row-major values. */
    static Object nest(float[] flat, int[] dims) {
        if (dims.length == 1) {
            return flat.clone();
        }
        Object arr = Array.newInstance(float.class, dims);
        int[] idx = new int[dims.length];
        for (int i = 0; i < flat.length; i++) {
            Object row = arr;
            for (int d = 0; d < dims.length - 1; d++) {
                row = Array.get(row, idx[d]);
            }
            ((float[]) row)[idx[dims.length - 1]] = flat[i];
            for (int d = dims.length - 1; d >= 0; d--) {
                if (++idx[d] < dims[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return arr;
    }
}
