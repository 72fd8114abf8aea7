package io.tinyml.core.io.onnx;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs ONNX test cases (a directory with model.onnx and test_data_set_N/input_i.pb, output_i.pb)
 * through the reader and the interpreter, converting 4-D data between NCHW and NHWC.
 */
final class OnnxCases {
    private OnnxCases() {
    }

    /** The outcome of one case. */
    record Result(String name, Status status, String detail, boolean bound) {
    }

    enum Status { PASSED, FAILED, UNSUPPORTED }

    static List<Tensor> readTensors(Path set, String prefix) throws Exception {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            Path p = set.resolve(prefix + "_" + i + ".pb");
            if (!Files.exists(p)) {
                return out;
            }
            out.add(OnnxReader.readTensor(Files.readAllBytes(p), p.toString()));
        }
    }

    /** Converts an ONNX-layout tensor to the IR graph input's layout (NCHW to NHWC for 4-D inputs). */
    static byte[] toIr(Model m, String name, Tensor t) {
        if ("NCHW".equals(m.metadata().get("layout.input." + name))) {
            return OnnxTensors.permute(t, OnnxTensors.TO_NHWC, name).bytes();
        }
        return t.bytes();
    }

    /** Converts an IR graph output to ONNX layout. */
    static Tensor toOnnx(Model m, int o, byte[] bytes) {
        Tensor t = m.graph().outputTensor(o);
        Tensor c = Tensor.constant(t.name(), t.type(), t.shape(), bytes);
        String onnxName = t.name();
        if ("NCHW".equals(m.metadata().get("layout.output." + onnxName))) {
            return OnnxTensors.permute(c, OnnxTensors.TO_NCHW, onnxName);
        }
        return c;
    }

    /** Runs the model on ONNX-layout inputs (by graph input name), returning ONNX-layout outputs. */
    static List<Tensor> run(Model m, Map<String, Tensor> inputs) throws UnsupportedOperatorException {
        Interpreter it = Interpreter.create(m);
        byte[][] in = new byte[m.graph().inputs().size()][];
        for (int i = 0; i < in.length; i++) {
            String name = m.graph().inputTensor(i).name();
            Tensor t = inputs.get(name);
            if (t == null) {
                throw new IllegalArgumentException("expected data for input '" + name + "', found none in " + inputs.keySet());
            }
            in[i] = toIr(m, name, t);
        }
        byte[][] out = it.invoke(in);
        List<Tensor> res = new ArrayList<>();
        for (int o = 0; o < out.length; o++) {
            res.add(toOnnx(m, o, out[o]));
        }
        return res;
    }

    /** Compares; returns null when equal within tolerance, else a description. */
    static String compare(Tensor expected, Tensor actual, double tol) {
        if (!expected.shape().equals(actual.shape()) && expected.shape().elementCount() != actual.shape().elementCount()) {
            return "shape " + actual.shape() + " instead of " + expected.shape();
        }
        if (expected.type() != actual.type()) {
            return "type " + actual.type() + " instead of " + expected.type();
        }
        if (expected.type().isFloat()) {
            float[] e = expected.floats();
            float[] a = actual.floats();
            for (int i = 0; i < e.length; i++) {
                double err = Math.abs((double) e[i] - a[i]);
                boolean bothNan = Float.isNaN(e[i]) && Float.isNaN(a[i]);
                if (!bothNan && !(err <= tol * Math.max(1, Math.abs(e[i]))) && e[i] != a[i]) {
                    return "element " + i + ": " + a[i] + " instead of " + e[i];
                }
            }
            return null;
        }
        byte[] e = expected.bytes();
        byte[] a = actual.bytes();
        for (int i = 0; i < e.length; i++) {
            if (e[i] != a[i]) {
                return "byte " + i + " differs";
            }
        }
        return null;
    }

    /**
     * Runs one case directory. Inputs the IR needs as constants (a Reshape's shape, Clip bounds,
     * quantization parameters) are bound to the test data when the plain read is unsupported.
     */
    static Result runCase(Path dir, double tol) throws Exception {
        String name = dir.getFileName().toString();
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        Path set = dir.resolve("test_data_set_0");
        Model m = null;
        boolean bound = false;
        UnsupportedOperatorException refusal = null;
        try {
            m = OnnxReader.read(bytes, name);
        } catch (UnsupportedOperatorException first) {
            refusal = first;
        }
        List<Tensor> ins;
        List<Tensor> outs;
        try {
            ins = readTensors(set, "input");
            outs = readTensors(set, "output");
        } catch (UnsupportedOperatorException e) {
            // test data of an element type the IR lacks: the model must have been refused too
            if (refusal == null) {
                return new Result(name, Status.FAILED, "read a model whose data type the IR lacks: " + e.getMessage(), false);
            }
            return new Result(name, Status.UNSUPPORTED, refusal.getMessage(), false);
        }
        if (m == null) {
            if (ins.size() < 2) {
                return new Result(name, Status.UNSUPPORTED, refusal.getMessage(), false);
            }
            Map<String, Tensor> bind = new LinkedHashMap<>();
            for (int i = 1; i < ins.size(); i++) {
                bind.put(ins.get(i).name(), ins.get(i));
            }
            try {
                m = OnnxReader.read(bytes, name, bind);
                bound = true;
            } catch (UnsupportedOperatorException e) {
                return new Result(name, Status.UNSUPPORTED, e.getMessage(), false);
            }
        }
        Map<String, Tensor> feed = new HashMap<>();
        for (int i = 0; i < ins.size(); i++) {
            Tensor t = ins.get(i);
            // unnamed test data (PyTorch exports) follows the order of the graph inputs
            feed.put(t.name().equals("tensor") && i < m.graph().inputs().size() ? m.graph().inputTensor(i).name()
                    : t.name(), t);
        }
        List<Tensor> got;
        try {
            got = run(m, feed);
        } catch (UnsupportedOperatorException e) {
            return new Result(name, Status.UNSUPPORTED, e.getMessage(), bound);
        }
        if (got.size() != outs.size()) {
            return new Result(name, Status.FAILED, got.size() + " outputs instead of " + outs.size(), bound);
        }
        for (int o = 0; o < outs.size(); o++) {
            String d = compare(outs.get(o), got.get(o), tol);
            if (d != null) {
                return new Result(name, Status.FAILED, "output " + o + ": " + d, bound);
            }
        }
        return new Result(name, Status.PASSED, "", bound);
    }

    /** Runs ONNX Runtime on the case's model and inputs. */
    static List<Tensor> runOrt(Path dir) throws Exception {
        Path set = dir.resolve("test_data_set_0");
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (Tensor t : readTensors(set, "input")) {
            feed.put(t.name(), t);
        }
        try (Ort ort = new Ort(Files.readAllBytes(dir.resolve("model.onnx")))) {
            return ort.run(feed);
        }
    }

    static List<Path> caseDirs(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        }
    }

    static Tensor floats(String name, Shape s, float[] v) {
        return Tensor.ofFloats(name, s, v);
    }

    static boolean isFloat(Tensor t) {
        return t.type() == DataType.FLOAT32;
    }
}
