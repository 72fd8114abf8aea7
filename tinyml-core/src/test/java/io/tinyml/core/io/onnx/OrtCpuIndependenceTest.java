package io.tinyml.core.io.onnx;

import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.testing.Assets;
import io.tinyml.core.testing.OrtOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX Runtime, as our int8 oracle, gives the same bytes on an x86-64 CPU without AVX-512 or VNNI as on the
 * machine running the build. The int8 QDQ forms of kws and person_detect run once here and once in a JVM under
 * {@code qemu-x86_64 -cpu Haswell-v4} (user-mode emulation: the CPUID the JVM and ONNX Runtime see reports AVX2
 * and FMA but no AVX-512 and no VNNI, so ONNX Runtime's kernel dispatch takes its AVX2 path). With
 * {@link OrtOptions#deterministic()} the two runs must agree byte for byte. Skipped where {@code qemu-x86_64}
 * (Debian's {@code qemu-user}) is absent, or on a machine that is not x86-64; {@code .ci/run} installs it.
 */
class OrtCpuIndependenceTest {
    private static final String[] MODELS = {"models/tflite/kws_dscnn_int8.tflite",
        "models/tflite/person_detect/person_detect.tflite"};

    /**
     * Runs the models' QDQ forms in ONNX Runtime and prints one line per model: its name and the hex of all
     * output bytes over three inputs (the recorded kws input, then seeded random bytes).
     *
     * @param args {@code deterministic} for {@link OrtOptions#deterministic()}, {@code default} for ONNX
     *     Runtime's defaults with one thread
     * @throws Exception if a model cannot be read or run
     */
    public static void main(String[] args) throws Exception {
        for (Map.Entry<String, String> e : outputs(args.length > 0 && args[0].equals("default")).entrySet()) {
            System.out.println("ort " + e.getKey() + " " + e.getValue());
        }
    }

    private static Map<String, String> outputs(boolean ortDefaults) throws Exception {
        Map<String, String> res = new LinkedHashMap<>();
        Random rnd = new Random(19);
        for (String asset : MODELS) {
            Model m = TfliteReader.read(Assets.require(asset));
            byte[] onnx = OnnxWriter.write(m);
            StringBuilder hex = new StringBuilder();
            for (int trial = 0; trial < 3; trial++) {
                Tensor in = m.graph().inputTensor(0);
                byte[] x = new byte[in.byteSize()];
                rnd.nextBytes(x);
                if (trial == 0 && asset.contains("kws")) {
                    x = Files.readAllBytes(Assets.require("models/tflite/kws_dscnn_input0_int8.bin"));
                }
                byte[][] y = ortDefaults ? runWithDefaults(m, onnx, x) : OnnxWriterTest.runOrt(m, onnx, new byte[][] {x});
                for (byte[] o : y) {
                    hex.append(HexFormat.of().formatHex(o)).append(trial < 2 ? "," : "");
                }
            }
            res.put(Path.of(asset).getFileName().toString(), hex.toString());
        }
        return res;
    }

    private static byte[][] runWithDefaults(Model m, byte[] onnx, byte[] x) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        Tensor t = m.graph().inputTensor(0);
        Tensor nchw = OnnxTensors.permute(Tensor.constant(t.name(), t.type(), t.shape(), x), OnnxTensors.TO_NCHW, "x");
        long[] shape = java.util.Arrays.stream(nchw.shape().toArray()).asLongStream().toArray();
        try (ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (ai.onnxruntime.OrtSession s = env.createSession(onnx, o);
                 ai.onnxruntime.OnnxTensor in = ai.onnxruntime.OnnxTensor.createTensor(env,
                         java.nio.ByteBuffer.wrap(nchw.bytes()), shape, ai.onnxruntime.OnnxJavaType.INT8);
                 ai.onnxruntime.OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
                java.nio.ByteBuffer b = ((ai.onnxruntime.OnnxTensor) r.get(0)).getByteBuffer();
                byte[] out = new byte[b.remaining()];
                b.get(out);
                return new byte[][] {out};
            }
        }
    }

    private static Path qemu() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "qemu-x86_64");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs {@link #main} in a JVM under emulation of an AVX2-only CPU; returns its model lines. */
    private static Map<String, String> emulated(Path qemu, String mode) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-cpu", "Haswell-v4",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path")));
        for (String p : new String[] {"tinyml.assets", "tinyml.repo", "tinyml.assets.required"}) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add(OrtCpuIndependenceTest.class.getName());
        cmd.add(mode);
        Path log = Files.createTempFile("ort-haswell", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the emulated JVM did not finish within 600 s");
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "the emulated JVM failed:\n" + String.join("\n", lines));
            Map<String, String> res = new LinkedHashMap<>();
            for (String l : lines) {
                if (l.startsWith("ort ")) {
                    String[] f = l.split(" ", 3);
                    res.put(f[1], f[2]);
                }
            }
            return res;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int worstLsb(String a, String b) {
        byte[] x = HexFormat.of().parseHex(a.replace(",", ""));
        byte[] y = HexFormat.of().parseHex(b.replace(",", ""));
        assertEquals(x.length, y.length);
        int worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        return worst;
    }

    @Test
    void int8OracleGivesTheSameBytesWithoutAvx512OrVnni() throws Exception {
        Path qemu = qemu();
        String arch = System.getProperty("os.arch");
        Assumptions.assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "needs an x86-64 machine");
        Assumptions.assumeTrue(qemu != null, "qemu-x86_64 (Debian package qemu-user) is not on PATH");
        for (String asset : MODELS) {
            Assets.require(asset);
        }
        Map<String, String> here = outputs(false);
        Map<String, String> avx2 = emulated(qemu, "deterministic");
        Map<String, String> avx2Defaults = emulated(qemu, "default");
        StringBuilder report = new StringBuilder();
        for (Map.Entry<String, String> e : here.entrySet()) {
            String model = e.getKey();
            assertTrue(avx2.containsKey(model), "the emulated run printed nothing for " + model);
            int defaultsWorst = worstLsb(e.getValue(), avx2Defaults.get(model));
            report.append(String.format(" %s: deterministic options %s; ONNX Runtime defaults on the AVX2 CPU differ"
                    + " from here by up to %d LSB;", model, e.getValue().equals(avx2.get(model)) ? "identical"
                    : "DIFFERENT", defaultsWorst));
            assertEquals(e.getValue(), avx2.get(model), model + ": ONNX Runtime's int8 outputs on an AVX2-only CPU"
                    + " differ from this machine's (worst " + worstLsb(e.getValue(), avx2.get(model)) + " LSB)");
        }
        System.out.println("ONNX Runtime int8 here vs emulated AVX2-only CPU:" + report);
    }
}
