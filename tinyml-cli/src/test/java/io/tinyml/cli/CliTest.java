package io.tinyml.cli;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Black-box tests of the command line, run in-process through {@link Main#run}. */
class CliTest {

    record Outcome(int status, String out, String err) {
    }

    static Outcome tinyml(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = Stream.of(args).map(Object::toString).toArray(String[]::new);
        int status = Main.run(a, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(status, out.toString(), err.toString());
    }

    @Test
    void inspectShowsOperatorsAndMacs() {
        Path m = Assets.require("models/tflite/person_detect/person_detect.tflite");
        Outcome o = tinyml("inspect", m);
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("DEPTHWISE_CONV_2D"), o.out());
        assertTrue(o.out().contains("INT8 [1, 96, 96, 1]"), o.out());
        Outcome j = tinyml("inspect", m, "--json");
        assertEquals(0, j.status(), j.err());
        assertTrue(j.out().contains("\"nodeCount\": 31"), j.out());
        assertTrue(j.out().matches("(?s).*\"macs\": [1-9][0-9]{6,}.*"), "total MACs present");
    }

    @Test
    void runNetworkTesterMatchesTflm(@TempDir Path tmp) throws Exception {
        Path dir = Assets.require("models/tflite/network_tester");
        Path out = tmp.resolve("out.bin");
        Outcome o = tinyml("run", dir.resolve("network_model.tflite"), "--input", dir.resolve("input_data.bin"),
                "--output", out);
        assertEquals(0, o.status(), o.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("expected_output_data.bin")), Files.readAllBytes(out));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"kws, models/tflite/kws_dscnn_int8.tflite",
            "person, models/tflite/person_detect/person_detect.tflite"})
    void dumpMatchesEveryTflmLayer(String folder, String modelPath, @TempDir Path tmp) throws Exception {
        Path model = Assets.require(modelPath);
        Path ref = Assets.require("reference/" + folder);
        Path dump = tmp.resolve("dump");
        Outcome o = tinyml("run", model, "--input", ref.resolve("input.bin"), "--dump", dump);
        assertEquals(0, o.status(), o.err());
        List<Path> ours;
        try (Stream<Path> s = Files.list(dump)) {
            ours = s.sorted().toList();
        }
        List<Path> theirs;
        try (Stream<Path> s = Files.list(ref)) {
            theirs = s.filter(p -> p.getFileName().toString().matches("layer\\d+_op\\d+\\.bin")).sorted().toList();
        }
        assertEquals(theirs.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            assertTrue(ours.get(i).getFileName().toString().startsWith(String.format("%03d_", i)), ours.get(i).toString());
            assertArrayEquals(Files.readAllBytes(theirs.get(i)), Files.readAllBytes(ours.get(i)),
                    "layer " + i + " " + ours.get(i).getFileName());
        }
    }

    @Test
    void convertRoundTripsAndRefusesToOverwrite(@TempDir Path tmp) throws Exception {
        Path dir = Assets.require("models/tflite/network_tester");
        Path copy = tmp.resolve("copy.tflite");
        assertEquals(0, tinyml("convert", dir.resolve("network_model.tflite"), "--output", copy).status());
        Path out = tmp.resolve("out.bin");
        assertEquals(0, tinyml("run", copy, "--input", dir.resolve("input_data.bin"), "--output", out).status());
        assertArrayEquals(Files.readAllBytes(dir.resolve("expected_output_data.bin")), Files.readAllBytes(out));

        byte[] before = Files.readAllBytes(copy);
        Outcome again = tinyml("convert", dir.resolve("network_model.tflite"), "--output", copy);
        assertEquals(2, again.status());
        assertTrue(again.err().contains("--force"), again.err());
        assertArrayEquals(before, Files.readAllBytes(copy), "the existing file is untouched");
    }

    @Test
    void badInputsExitTwoWithOneLine(@TempDir Path tmp) throws Exception {
        Path garbage = tmp.resolve("garbage.tflite");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        assertOneLineFailure(tinyml("inspect", garbage), "garbage.tflite");
        assertOneLineFailure(tinyml("inspect", tmp.resolve("missing.tflite")), "no such file");
        assertOneLineFailure(tinyml("inspect"), "MODEL");
        assertOneLineFailure(tinyml("frobnicate"), "frobnicate");

        Path dir = Assets.require("models/tflite/network_tester");
        Path shortInput = tmp.resolve("short.bin");
        Files.write(shortInput, new byte[10]);
        assertOneLineFailure(tinyml("run", dir.resolve("network_model.tflite"), "--input", shortInput), "bytes");

        Path truncated = tmp.resolve("truncated.tflite");
        byte[] full = Files.readAllBytes(dir.resolve("network_model.tflite"));
        Files.write(truncated, java.util.Arrays.copyOf(full, full.length / 2));
        assertOneLineFailure(tinyml("inspect", truncated), "");
    }

    @Test
    void evalMatchesAnIndependentlyComputedAccuracy(@TempDir Path tmp) throws Exception {
        Path csv = Assets.require("datasets/digits.csv.gz");
        io.tinyml.core.data.Dataset all = io.tinyml.core.data.Datasets.open(csv.toString());
        io.tinyml.core.data.Dataset train = all.slice(0, 1500);
        // a nearest-centroid classifier as one fully-connected layer: score_c = <x, m_c> - |m_c|^2 / 2
        float[][] centroid = new float[10][64];
        int[] count = new int[10];
        for (io.tinyml.core.data.Sample smp : train) {
            count[smp.label()]++;
            for (int i = 0; i < 64; i++) {
                centroid[smp.label()][i] += smp.value(i);
            }
        }
        float[] w = new float[640];
        float[] bias = new float[10];
        for (int c = 0; c < 10; c++) {
            for (int i = 0; i < 64; i++) {
                centroid[c][i] /= count[c];
                w[c * 64 + i] = centroid[c][i];
                bias[c] -= centroid[c][i] * centroid[c][i] / 2;
            }
        }
        io.tinyml.core.ir.GraphBuilder gb = new io.tinyml.core.ir.GraphBuilder();
        int x = gb.addInput(io.tinyml.core.ir.Tensor.activation("pixels", io.tinyml.core.ir.DataType.FLOAT32,
                io.tinyml.core.ir.Shape.of(1, 64)));
        int wi = gb.addTensor(io.tinyml.core.ir.Tensor.ofFloats("w", io.tinyml.core.ir.Shape.of(10, 64), w));
        int bi = gb.addTensor(io.tinyml.core.ir.Tensor.ofFloats("b", io.tinyml.core.ir.Shape.of(10), bias));
        int y = gb.addTensor(io.tinyml.core.ir.Tensor.activation("scores", io.tinyml.core.ir.DataType.FLOAT32,
                io.tinyml.core.ir.Shape.of(1, 10)));
        gb.addNode("scores", new io.tinyml.core.ir.Op.FullyConnected(io.tinyml.core.ir.Activation.NONE, false),
                List.of(x, wi, bi), List.of(y));
        gb.addOutput(y);
        Path model = tmp.resolve("centroids.tflite");
        io.tinyml.core.io.ModelIO.write(io.tinyml.core.ir.Model.of(gb.build(),
                io.tinyml.core.ir.Provenance.builtInCode("CliTest")), model);

        // the oracle: nearest centroid by squared distance, in double precision
        int correct = 0;
        io.tinyml.core.data.Dataset test = all.slice(1500, all.size());
        for (io.tinyml.core.data.Sample smp : test) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < 10; c++) {
                double d = 0;
                for (int i = 0; i < 64; i++) {
                    double e = smp.value(i) - centroid[c][i];
                    d += e * e;
                }
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            correct += best == smp.label() ? 1 : 0;
        }
        Outcome o = tinyml("eval", model, "--data", csv + "[1500:]", "--json");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().strip().startsWith("{\"samples\":297,\"top1\":" + (double) correct / 297 + ",\"mapping\":{"),
                o.out());
        assertTrue(correct > 250, "nearest centroid should score about 0.9, scored " + correct + "/297");
        Outcome threaded = tinyml("eval", model, "--data", csv + "[1500:]", "--threads", "3", "--json");
        assertEquals(0, threaded.status(), threaded.err());
        // the same output but for the measured throughput and the thread count
        java.util.function.Function<String, String> figures = j -> j.replaceAll(",\"samplesPerSecond\":[0-9]+,\"threads\":[0-9]+}", "}");
        assertEquals(figures.apply(o.out()), figures.apply(threaded.out()),
                "three threads evaluate what one does, mapping figures included");
        assertTrue(threaded.out().contains("\"threads\":3}"), threaded.out());
        assertOneLineFailure(tinyml("eval", model, "--data", csv, "--threads", "0"), "--threads");
        assertOneLineFailure(tinyml("eval", model, "--data", csv + "[0:5000]"), "5000");
    }

    @Test
    void evalScoresPersonDetectorOnItsTestImages(@TempDir Path tmp) throws Exception {
        Path pd = Assets.require("models/tflite/person_detect");
        Path data = tmp.resolve("images");
        Files.createDirectories(data.resolve("no_person"));
        Files.createDirectories(data.resolve("person"));
        Files.copy(pd.resolve("no_person.bmp"), data.resolve("no_person/no_person.bmp"));
        Files.copy(pd.resolve("person.bmp"), data.resolve("person/person.bmp"));
        // class folders sort as [no_person, person]: indices 0 and 1, as the model's scores; the BMPs hold the
        // int8 input bytes TFLM's person_detection test feeds, hence --raw-input
        Outcome o = tinyml("eval", pd.resolve("person_detect.tflite"), "--data", data, "--raw-input", "--json");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().strip().matches("\\{\"samples\":2,\"top1\":1\\.0,\"mapping\":null,\"samplesPerSecond\":[0-9]+,"
                + "\"threads\":1}"), o.out());
        assertOneLineFailure(tinyml("eval", pd.resolve("person_detect.tflite"), "--data", data, "--raw-input",
                "--input-scale", "2"), "either");
    }

    @Test
    void everySharedModelInspectsConvertsAndRunsIdentically(@TempDir Path tmp) throws Exception {
        Path root = Assets.require("models/tflite");
        List<Path> models;
        try (Stream<Path> s = Files.walk(root)) {
            models = s.filter(p -> p.toString().endsWith(".tflite")).sorted().toList();
        }
        assertEquals(8, models.size(), models.toString());
        for (Path m : models) {
            String name = m.getFileName().toString();
            Outcome inspect = tinyml("inspect", m, "--json");
            assertEquals(0, inspect.status(), name + ": " + inspect.err());
            assertTrue(inspect.out().contains("\"nodes\""), name);
            Path copy = tmp.resolve("copy_" + name);
            assertEquals(0, tinyml("convert", m, "--output", copy).status(), name);
            io.tinyml.core.ir.Model model = io.tinyml.core.io.ModelIO.read(m);
            Path in = tmp.resolve("in_" + name + ".bin");
            byte[] input = new byte[model.graph().inputTensor(0).byteSize()];
            if (model.graph().inputTensor(0).type() == io.tinyml.core.ir.DataType.FLOAT32) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(input).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < input.length / 4; i++) {
                    b.putFloat((i % 17) / 17f);
                }
            } else {
                for (int i = 0; i < input.length; i++) {
                    input[i] = (byte) (i * 97 + 13);
                }
            }
            Files.write(in, input);
            Path a = tmp.resolve("a_" + name + ".bin");
            Path b = tmp.resolve("b_" + name + ".bin");
            Outcome ra = tinyml("run", m, "--input", in, "--output", a);
            assertEquals(0, ra.status(), name + ": " + ra.err());
            assertEquals(0, tinyml("run", copy, "--input", in, "--output", b).status(), name);
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), name + " output after convert");
        }
    }

    @Test
    void frameworkFormatsInspectAndConvertToTflite(@TempDir Path tmp) throws Exception {
        Path h5 = Assets.require("models/keras/ic_resnet8.h5");
        Path saved = Assets.require("models/savedmodel/kws_dscnn");
        for (Path m : List.of(h5, saved)) {
            Outcome inspect = tinyml("inspect", m, "--json");
            assertEquals(0, inspect.status(), m + ": " + inspect.err());
            Path out = tmp.resolve(m.getFileName() + ".tflite");
            Outcome convert = tinyml("convert", m, "--output", out);
            assertEquals(0, convert.status(), m + ": " + convert.err());
            io.tinyml.core.ir.Model original = io.tinyml.core.io.ModelIO.read(m);
            io.tinyml.core.ir.Model converted = io.tinyml.core.io.ModelIO.read(out);
            float[] x = new float[original.graph().inputTensor(0).shape().elementCount()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (i % 13) / 13f;
            }
            float[] a = io.tinyml.core.runtime.Interpreter.create(original).invokeFloat(x)[0];
            float[] b = io.tinyml.core.runtime.Interpreter.create(converted).invokeFloat(x)[0];
            assertTrue(converted.graph().nodes().size() < original.graph().nodes().size(), m + ": batch norm folded");
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5f * Math.max(1f, Math.abs(a[i])), m + " output " + i + " after convert");
            }
        }
        Path empty = Files.createDirectories(tmp.resolve("not_a_model"));
        assertOneLineFailure(tinyml("inspect", empty), "saved_model.pb");
    }

    @Test
    void onnxModelsEvaluateAndVerifyAgainstPyTorch(@TempDir Path tmp) throws Exception {
        Path mnist8 = Assets.require("models/onnx/mnist8/model.onnx");
        Path mnist10k = Assets.require("datasets/mnist10k");
        Outcome eval = tinyml("eval", mnist8, "--data", mnist10k, "--json");
        assertEquals(0, eval.status(), eval.err());
        double top1 = Double.parseDouble(eval.out().replaceAll(".*\"top1\":([0-9.]+).*\\s*", "$1").strip());
        assertTrue(eval.out().startsWith("{\"samples\":10000,"), eval.out());
        assertTrue(top1 >= 0.99, "mnist8 top-1 " + top1);

        Path pt = Assets.require("models/pytorch/tiny_digits.pt");
        Path onnx = Assets.require("models/pytorch/tiny_digits.onnx");
        Outcome verify = tinyml("verify", pt, "--against", onnx, "--random", "20", "--json");
        assertEquals(0, verify.status(), verify.err());
        String json = verify.out().replaceAll("\\s", "");
        double maxAbs = Double.parseDouble(json.replaceAll(".*\"maxAbsError\":([0-9.Ee+-]+).*", "$1"));
        assertTrue(maxAbs <= 1e-5, "TorchScript vs our ONNX import: max abs error " + maxAbs);
        assertTrue(json.contains("\"argmaxAgreement\":1.0"), json);

        Path copy = tmp.resolve("tiny_digits_copy.onnx");
        assertEquals(0, tinyml("convert", onnx, "--output", copy).status());
        Outcome again = tinyml("verify", copy, "--against", onnx, "--random", "5", "--json");
        assertEquals(0, again.status(), again.err());
    }

    /** Asserts exit status 2 with one line on stderr that mentions a text, and no stack trace. */
    static void assertOneLineFailure(Outcome o, String mention) {
        assertEquals(2, o.status(), "stdout: " + o.out() + " stderr: " + o.err());
        String err = o.err().strip();
        assertFalse(err.isEmpty());
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains(mention), err);
        assertFalse(err.contains("Exception") && err.contains("\tat "), "no stack trace: " + err);
    }
}
