package io.tinyml.core.io.onnx;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ONNX backend node tests (onnx-node) and the PyTorch-converted tests (onnx-pytorch) run with
 * the reader and the reference interpreter: float outputs within 1e-5 * max(1, |expected|), integer
 * outputs exact. A case counts as unsupported only when the reader or the interpreter refuses it with
 * an UnsupportedOperatorException; every other case must pass.
 */
class OnnxNodeConformanceTest {
    static final double TOL = 1e-5;
    /**
     * Cases whose stored outputs are hard-coded to 4 decimal digits in the ONNX test generator (and
     * ONNX Runtime 1.20 cannot run their opset): compared within 5e-4 and listed in the output. For
     * test_averagepool_2d_ceil_last_window_starts_on_pad the exact result is the window sum / 9, e.g.
     * (0.858 + 0.0786 + 0.2692 + 0.1537) / 9 = 0.151056 against a stored 0.1511.
     */
    static final Map<String, Double> ROUNDED_REFERENCE = Map.of("test_averagepool_2d_ceil_last_window_starts_on_pad", 5e-4);

    @Test
    void onnxNodeCases() throws Exception {
        Path root = Assets.require("onnx-node");
        Map<String, String> ops = opsOf(root.resolve("INDEX.json"));
        Summary s = runAll(root, ops, "onnx-node");
        assertTrue(s.passed > 100, "expected most node cases to pass, found " + s.passed);
        // the README's operator table lists every remaining unsupported case with its reason
        assertTrue(s.unsupported.size() <= 9, "expected at most 9 unsupported node cases, found "
                + s.unsupported.size());
        assertEquals(List.of(), s.failures, "failed onnx-node cases");
    }

    @Test
    void onnxPytorchCases() throws Exception {
        Path root = Assets.require("onnx-pytorch");
        Summary s = runAll(root, Map.of(), "onnx-pytorch");
        assertEquals(List.of(), s.failures, "failed onnx-pytorch cases");
        assertEquals(List.of(), s.unsupported, "unsupported onnx-pytorch cases");
        assertEquals(27, s.passed);
    }

    record Summary(int passed, List<String> failures, List<String> unsupported) {
    }

    static Summary runAll(Path root, Map<String, String> ops, String label) throws Exception {
        int passed = 0;
        int bound = 0;
        List<String> failures = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        List<String> oracle = new ArrayList<>();
        Map<String, Integer> unsupportedByOp = new TreeMap<>();
        for (Path dir : OnnxCases.caseDirs(root)) {
            OnnxCases.Result r;
            try {
                double tol = ROUNDED_REFERENCE.getOrDefault(dir.getFileName().toString(), TOL);
                r = OnnxCases.runCase(dir, tol);
                if (tol != TOL && r.status() == OnnxCases.Status.PASSED) {
                    oracle.add(r.name() + ": within " + tol + " of outputs hard-coded to 4 digits");
                }
            } catch (Exception | AssertionError e) {
                r = new OnnxCases.Result(dir.getFileName().toString(), OnnxCases.Status.FAILED, e.toString(), false);
            }
            switch (r.status()) {
                case PASSED -> {
                    passed++;
                    bound += r.bound() ? 1 : 0;
                }
                case FAILED -> {
                    String ort = ortVerdict(dir, r);
                    if (ort != null) {
                        passed++;
                        oracle.add(r.name() + ": " + r.detail() + "; " + ort);
                    } else {
                        failures.add(r.name() + ": " + r.detail());
                    }
                }
                case UNSUPPORTED -> {
                    unsupported.add(r.name() + ": " + r.detail());
                    unsupportedByOp.merge(ops.getOrDefault(r.name(), "?"), 1, Integer::sum);
                }
            }
        }
        System.out.printf("%s: %d passed, %d failed, %d unsupported (%d passed with attribute-like inputs bound"
                + " as constants)%n", label, passed, failures.size(), unsupported.size(), bound);
        failures.forEach(f -> System.out.println("  FAILED " + f));
        oracle.forEach(f -> System.out.println("  passed with a looser reference: " + f));
        unsupported.forEach(f -> System.out.println("  unsupported " + f));
        if (!unsupportedByOp.isEmpty()) {
            System.out.println("  unsupported cases by op: " + unsupportedByOp);
        }
        return new Summary(passed, failures, unsupported);
    }

    /**
     * For a float case that misses its stored expected output: when ONNX Runtime agrees with us
     * within the tolerance and itself misses the stored output by as much, the stored output is the
     * imprecise one (some node tests hard-code values rounded to 4 digits). Returns a note, or null.
     */
    static String ortVerdict(Path dir, OnnxCases.Result r) {
        try {
            List<io.tinyml.core.ir.Tensor> ort = OnnxCases.runOrt(dir);
            List<io.tinyml.core.ir.Tensor> expected = OnnxCases.readTensors(dir.resolve("test_data_set_0"), "output");
            io.tinyml.core.ir.Model m = io.tinyml.core.io.onnx.OnnxReader.read(
                    java.nio.file.Files.readAllBytes(dir.resolve("model.onnx")), dir.toString());
            Map<String, io.tinyml.core.ir.Tensor> feed = new java.util.HashMap<>();
            for (io.tinyml.core.ir.Tensor t : OnnxCases.readTensors(dir.resolve("test_data_set_0"), "input")) {
                feed.put(t.name(), t);
            }
            List<io.tinyml.core.ir.Tensor> ours = OnnxCases.run(m, feed);
            for (int o = 0; o < ours.size(); o++) {
                if (!OnnxCases.isFloat(ours.get(o)) || OnnxCases.compare(ort.get(o), ours.get(o), TOL) != null
                        || OnnxCases.compare(expected.get(o), ort.get(o), TOL) == null) {
                    return null;
                }
            }
            return "ONNX Runtime agrees with us within " + TOL + " and misses the stored output too";
        } catch (Exception e) {
            return null;
        }
    }

    static Map<String, String> opsOf(Path index) throws Exception {
        Map<String, String> out = new TreeMap<>();
        Matcher m = Pattern.compile("\"(test_\\w+)\"\\s*:\\s*\\{\\s*\"ops\"\\s*:\\s*\\[\\s*\"(\\w+)\"")
                .matcher(Files.readString(index));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }
}
