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

    @Test
    void onnxNodeCases() throws Exception {
        Path root = Assets.require("onnx-node");
        Map<String, String> ops = opsOf(root.resolve("INDEX.json"));
        Summary s = runAll(root, ops, "onnx-node");
        assertTrue(s.passed > 100, "expected most node cases to pass, found " + s.passed);
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
        Map<String, Integer> unsupportedByOp = new TreeMap<>();
        for (Path dir : OnnxCases.caseDirs(root)) {
            OnnxCases.Result r;
            try {
                r = OnnxCases.runCase(dir, TOL);
            } catch (Exception | AssertionError e) {
                r = new OnnxCases.Result(dir.getFileName().toString(), OnnxCases.Status.FAILED, e.toString(), false);
            }
            switch (r.status()) {
                case PASSED -> {
                    passed++;
                    bound += r.bound() ? 1 : 0;
                }
                case FAILED -> failures.add(r.name() + ": " + r.detail());
                case UNSUPPORTED -> {
                    unsupported.add(r.name() + ": " + r.detail());
                    unsupportedByOp.merge(ops.getOrDefault(r.name(), "?"), 1, Integer::sum);
                }
            }
        }
        System.out.printf("%s: %d passed, %d failed, %d unsupported (%d passed with attribute-like inputs bound"
                + " as constants)%n", label, passed, failures.size(), unsupported.size(), bound);
        failures.forEach(f -> System.out.println("  FAILED " + f));
        unsupported.forEach(f -> System.out.println("  unsupported " + f));
        if (!unsupportedByOp.isEmpty()) {
            System.out.println("  unsupported cases by op: " + unsupportedByOp);
        }
        return new Summary(passed, failures, unsupported);
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
