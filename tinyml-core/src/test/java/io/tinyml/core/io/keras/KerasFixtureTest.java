package io.tinyml.core.io.keras;

import io.tinyml.core.io.keras.KerasFixtures.Weights;
import io.tinyml.core.io.keras.KerasReference.T;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.runtime.Interpreter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.tinyml.core.io.keras.KerasReference.act;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small Keras files written in the test (Keras 2 .h5 and Keras 3 .keras, Sequential and Functional,
 * every supported layer) read and run with our interpreter, against {@link KerasReference}.
 */
class KerasFixtureTest {
    private static final double TOL = 2e-5;

    // ------------------------------------------------------------------ Sequential, Keras 2 .h5

    static String sequentialConfig() {
        return """
            {"class_name": "Sequential", "config": {"name": "seq", "layers": [
             {"class_name": "ZeroPadding2D", "config": {"name": "pad", "batch_input_shape": [null, 7, 8, 3],
               "dtype": "float32", "padding": [[1, 2], [0, 1]], "data_format": "channels_last"}},
             {"class_name": "Conv2D", "config": {"name": "c1", "filters": 4, "kernel_size": [3, 3], "strides": [2, 2],
               "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
               "activation": "relu", "use_bias": true}},
             {"class_name": "DepthwiseConv2D", "config": {"name": "dw", "kernel_size": [3, 3], "strides": [1, 1],
               "padding": "same", "depth_multiplier": 2, "activation": "relu6", "use_bias": true}},
             {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [3], "epsilon": 0.01,
               "center": false, "scale": true}},
             {"class_name": "SeparableConv2D", "config": {"name": "sep", "filters": 5, "kernel_size": [3, 3],
               "strides": [1, 1], "padding": "same", "dilation_rate": [2, 2], "depth_multiplier": 1,
               "activation": "hard_swish", "use_bias": true}},
             {"class_name": "MaxPooling2D", "config": {"name": "mp", "pool_size": [2, 2], "strides": [1, 1],
               "padding": "same"}},
             {"class_name": "AveragePooling2D", "config": {"name": "ap", "pool_size": [3, 3], "strides": [2, 2],
               "padding": "same"}},
             {"class_name": "Conv2D", "config": {"name": "c2", "filters": 3, "kernel_size": 1, "activation": "linear",
               "use_bias": false}},
             {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5}},
             {"class_name": "Flatten", "config": {"name": "flat", "data_format": "channels_last"}},
             {"class_name": "Dense", "config": {"name": "d1", "units": 6, "activation": "sigmoid", "use_bias": true}},
             {"class_name": "Reshape", "config": {"name": "rs", "target_shape": [2, -1]}},
             {"class_name": "Dense", "config": {"name": "d2", "units": 4, "activation": "tanh", "use_bias": true}},
             {"class_name": "Flatten", "config": {"name": "flat2"}},
             {"class_name": "Activation", "config": {"name": "sm", "activation": "softmax"}}
            ]}}""";
    }

    static Weights sequentialWeights() {
        Weights w = new Weights(11);
        w.add("c1", "kernel", -0.5f, 0.5f, 3, 3, 3, 4);
        w.add("c1", "bias", -0.1f, 0.1f, 4);
        w.add("dw", "depthwise_kernel", -0.5f, 0.5f, 3, 3, 4, 2);
        w.add("dw", "bias", -0.1f, 0.1f, 8);
        w.add("bn", "gamma", 0.5f, 1.5f, 8);
        w.add("bn", "moving_mean", -0.2f, 0.5f, 8);
        w.add("bn", "moving_variance", 0.2f, 1.0f, 8);
        w.add("sep", "depthwise_kernel", -0.5f, 0.5f, 3, 3, 8, 1);
        w.add("sep", "pointwise_kernel", -0.5f, 0.5f, 1, 1, 8, 5);
        w.add("sep", "bias", -0.1f, 0.1f, 5);
        w.add("c2", "kernel", -1f, 1f, 1, 1, 5, 3);
        w.add("d1", "kernel", -1f, 1f, 12, 6);
        w.add("d1", "bias", -0.1f, 0.1f, 6);
        w.add("d2", "kernel", -1f, 1f, 3, 4);
        w.add("d2", "bias", -0.1f, 0.1f, 4);
        return w;
    }

    static float[] sequentialReference(Weights w, float[] input) {
        T x = new T(new int[] {7, 8, 3}, input);
        x = KerasReference.zeroPad(x, 1, 2, 0, 1);
        x = act(KerasReference.conv(x, v(w, "c1", 0), 3, 3, 4, v(w, "c1", 1), 2, 1, false, 1), "relu");
        x = act(KerasReference.depthwise(x, v(w, "dw", 0), 3, 3, 2, v(w, "dw", 1), 1, 1, true), "relu6");
        x = KerasReference.batchNorm(x, v(w, "bn", 0), null, v(w, "bn", 1), v(w, "bn", 2), 0.01);
        x = KerasReference.depthwise(x, v(w, "sep", 0), 3, 3, 1, null, 1, 2, true);
        x = act(KerasReference.conv(x, v(w, "sep", 1), 1, 1, 5, v(w, "sep", 2), 1, 1, true, 1), "hard_swish");
        x = KerasReference.pool(x, 2, 1, true, true);
        x = KerasReference.pool(x, 3, 2, true, false);
        x = KerasReference.conv(x, v(w, "c2", 0), 1, 1, 3, null, 1, 1, false, 1);
        x = KerasReference.reshape(x, 12);
        x = act(KerasReference.dense(x, v(w, "d1", 0), 6, v(w, "d1", 1)), "sigmoid");
        x = KerasReference.reshape(x, 2, 3);
        x = act(KerasReference.dense(x, v(w, "d2", 0), 4, v(w, "d2", 1)), "tanh");
        x = KerasReference.reshape(x, 8);
        return act(x, "softmax").v();
    }

    @Test
    void sequentialH5MatchesTheReference() throws Exception {
        Weights w = sequentialWeights();
        Model m = KerasReader.read(KerasFixtures.h5(sequentialConfig(), w), "seq.h5");
        Graph g = m.graph();
        assertEquals(Shape.of(1, 7, 8, 3), g.inputTensor(0).shape());
        assertEquals(Shape.of(1, 8), g.outputTensor(0).shape());
        assertEquals("2.4.0", m.metadata().get("keras_version"));
        Op.DepthwiseConv2D dw = (Op.DepthwiseConv2D) g.nodes().stream().filter(n -> n.name().equals("dw"))
                .findFirst().orElseThrow().op();
        assertEquals(2, dw.depthMultiplier());
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.FullyConnected f && f.keepNumDims()));
        assertTrue(g.nodes().stream().anyMatch(n -> n.op().kind() == OpKind.PAD));
        double d = compare("Sequential .h5", m, input(7 * 8 * 3, 1), in -> sequentialReference(w, in));
        assertTrue(d <= TOL, "max abs diff " + d);
    }

    @Test
    void sequentialKeras3ArchiveMatchesTheReference() throws Exception {
        Weights w = sequentialWeights();
        String config = sequentialConfig()
                .replace("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"seq\", \"layers\": [",
                        "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"seq\", "
                                + "\"layers\": [{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", "
                                + "\"config\": {\"batch_shape\": [null, 7, 8, 3], \"dtype\": \"float32\", "
                                + "\"name\": \"input_layer\"}},")
                .replace("\"batch_input_shape\": [null, 7, 8, 3],", "");
        java.util.Map<String, String> keys = java.util.Map.of("c1", "conv2d", "dw", "depthwise_conv2d", "bn",
                "batch_normalization", "sep", "separable_conv2d", "c2", "conv2d_1", "d1", "dense", "d2", "dense_1");
        Model m = KerasReader.read(KerasFixtures.keras3(config, w, keys), "seq.keras");
        assertEquals("input_layer", m.graph().inputTensor(0).name());
        double d = compare("Sequential .keras", m, input(7 * 8 * 3, 3), in -> sequentialReference(w, in));
        assertTrue(d <= TOL, "max abs diff " + d);
    }

    // ------------------------------------------------------------------ Functional, both serializations

    /** A layer of a functional fixture: class, name, config body, calls (each a list of "layer:node"). */
    record L(String cls, String name, String cfg, List<List<String>> calls) {
    }

    static List<L> functionalLayers() {
        List<L> l = new ArrayList<>();
        l.add(new L("InputLayer", "in", "", List.of()));
        l.add(new L("Conv2D", "a", "\"filters\": 4, \"kernel_size\": [3, 3], \"padding\": \"same\", \"groups\": 2, "
                + "\"activation\": \"relu\", \"use_bias\": true", List.of(List.of("in:0"))));
        l.add(new L("Conv2D", "b", "\"filters\": 4, \"kernel_size\": [3, 3], \"padding\": \"same\", "
                + "\"dilation_rate\": [2, 2], \"activation\": \"sigmoid\", \"use_bias\": true", List.of(List.of("in:0"))));
        l.add(new L("Add", "add", "", List.of(List.of("a:0", "b:0", "in:0"))));
        l.add(new L("BatchNormalization", "bn", "\"axis\": -1, \"epsilon\": 0.001, \"center\": true, \"scale\": false",
                List.of(List.of("add:0"))));
        l.add(new L("ReLU", "r6", "\"max_value\": 6.0, \"negative_slope\": 0.0, \"threshold\": 0.0",
                List.of(List.of("bn:0"))));
        l.add(new L("Concatenate", "cat", "\"axis\": -1", List.of(List.of("r6:0", "in:0"))));
        l.add(new L("ReLU", "leaky", "\"negative_slope\": 0.1", List.of(List.of("cat:0"))));
        l.add(new L("LeakyReLU", "leaky2", "\"negative_slope\": 0.2", List.of(List.of("leaky:0"))));
        l.add(new L("ReLU", "clip", "\"max_value\": 2.5", List.of(List.of("leaky2:0"))));
        l.add(new L("GlobalAveragePooling2D", "gap", "\"keepdims\": true", List.of(List.of("clip:0"))));
        l.add(new L("Flatten", "fl", "", List.of(List.of("gap:0"))));
        l.add(new L("Activation", "t", "\"activation\": \"tanh\"", List.of(List.of("fl:0"))));
        l.add(new L("Dense", "shared", "\"units\": 3, \"activation\": \"swish\", \"use_bias\": true",
                List.of(List.of("fl:0"), List.of("t:0"))));
        l.add(new L("Add", "add2", "", List.of(List.of("shared:0", "shared:1"))));
        l.add(new L("Softmax", "sm", "\"axis\": -1", List.of(List.of("add2:0"))));
        return l;
    }

    static String functionalConfig(boolean keras3) {
        StringBuilder s = new StringBuilder();
        s.append(keras3 ? "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"f\", \"layers\": ["
                : "{\"class_name\": \"Functional\", \"config\": {\"name\": \"f\", \"layers\": [");
        List<L> layers = functionalLayers();
        for (int i = 0; i < layers.size(); i++) {
            L l = layers.get(i);
            String cfg = l.cls().equals("InputLayer")
                    ? (keras3 ? "\"batch_shape\": [null, 6, 6, 4]" : "\"batch_input_shape\": [null, 6, 6, 4]")
                    + ", \"dtype\": \"float32\""
                    : l.cfg();
            s.append(i == 0 ? "" : ",\n").append("{");
            if (keras3) {
                s.append("\"module\": \"keras.layers\", ");
            }
            s.append("\"class_name\": \"").append(l.cls()).append("\", \"config\": {\"name\": \"").append(l.name())
                    .append("\"").append(cfg.isEmpty() ? "" : ", " + cfg);
            if (keras3 && !l.cls().equals("InputLayer")) {
                s.append(", \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": "
                        + "{\"name\": \"float32\"}}");
            }
            s.append("}, \"name\": \"").append(l.name()).append("\", \"inbound_nodes\": [");
            for (int c = 0; c < l.calls().size(); c++) {
                List<String> refs = l.calls().get(c);
                s.append(c == 0 ? "" : ", ");
                if (keras3) {
                    List<String> t = refs.stream().map(r -> "{\"class_name\": \"__keras_tensor__\", \"config\": "
                            + "{\"shape\": [null], \"dtype\": \"float32\", \"keras_history\": [\"" + r.split(":")[0]
                            + "\", " + r.split(":")[1] + ", 0]}}").toList();
                    s.append("{\"args\": [").append(refs.size() == 1 ? t.get(0) : "[" + String.join(", ", t) + "]")
                            .append("], \"kwargs\": {}}");
                } else {
                    s.append("[").append(String.join(", ", refs.stream().map(r -> "[\"" + r.split(":")[0] + "\", "
                            + r.split(":")[1] + ", 0, {}]").toList())).append("]");
                }
            }
            s.append("]}");
        }
        s.append("],\n \"input_layers\": ").append(keras3 ? "[\"in\", 0, 0]" : "[[\"in\", 0, 0]]")
                .append(", \"output_layers\": [[\"sm\", 0, 0]]}}");
        return s.toString();
    }

    static Weights functionalWeights() {
        Weights w = new Weights(23);
        w.add("a", "kernel", -0.5f, 0.5f, 3, 3, 2, 4);
        w.add("a", "bias", -0.1f, 0.1f, 4);
        w.add("b", "kernel", -0.5f, 0.5f, 3, 3, 4, 4);
        w.add("b", "bias", -0.1f, 0.1f, 4);
        w.add("bn", "beta", -0.3f, 0.3f, 4);
        w.add("bn", "moving_mean", -0.2f, 0.5f, 4);
        w.add("bn", "moving_variance", 0.2f, 1.0f, 4);
        w.add("shared", "kernel", -1f, 1f, 8, 3);
        w.add("shared", "bias", -0.1f, 0.1f, 3);
        return w;
    }

    /** Keras 3 stores weights by class in snake case, numbered per class in layer order. */
    static java.util.Map<String, String> functionalKeras3Keys() {
        return java.util.Map.of("a", "conv2d", "b", "conv2d_1", "bn", "batch_normalization", "shared", "dense");
    }

    static float[] functionalReference(Weights w, float[] input) {
        T in = new T(new int[] {6, 6, 4}, input);
        T a = act(KerasReference.conv(in, v(w, "a", 0), 3, 3, 4, v(w, "a", 1), 1, 1, true, 2), "relu");
        T b = act(KerasReference.conv(in, v(w, "b", 0), 3, 3, 4, v(w, "b", 1), 1, 2, true, 1), "sigmoid");
        T x = KerasReference.add(KerasReference.add(a, b), in);
        x = KerasReference.batchNorm(x, null, v(w, "bn", 0), v(w, "bn", 1), v(w, "bn", 2), 0.001);
        x = act(x, "relu6");
        x = KerasReference.concatLast(x, in);
        x = act(x, "leaky", 0.1);
        x = act(x, "leaky", 0.2);
        x = act(x, "clip", 2.5);
        T fl = KerasReference.globalAverage(x);
        T t = act(fl, "tanh");
        T s0 = act(KerasReference.dense(fl, v(w, "shared", 0), 3, v(w, "shared", 1)), "swish");
        T s1 = act(KerasReference.dense(t, v(w, "shared", 0), 3, v(w, "shared", 1)), "swish");
        return act(KerasReference.add(s0, s1), "softmax").v();
    }

    @Test
    void functionalKeras3ArchiveMatchesTheReference() throws Exception {
        Weights w = functionalWeights();
        Model m = KerasReader.read(KerasFixtures.keras3(functionalConfig(true), w, functionalKeras3Keys()), "f.keras");
        assertEquals("3.6.0", m.metadata().get("keras_version"));
        checkFunctional(m, w, "Functional .keras (Keras 3 dict inbound nodes)");
    }

    @Test
    void archivesWithStoredEntriesAndDataDescriptorsRead() throws Exception {
        Weights w = functionalWeights();
        java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put("metadata.json", "{\"keras_version\": \"3.6.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        entries.put("config.json", functionalConfig(true).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        entries.put("model.weights.h5", KerasFixtures.weightsH5Keras3(w, functionalKeras3Keys()));
        byte[] zip = KerasFixtures.zipStoredWithDescriptors(entries);
        org.junit.jupiter.api.Assertions.assertThrows(java.util.zip.ZipException.class, () -> {
            try (java.util.zip.ZipInputStream z = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
                z.getNextEntry();
            }
        }, "streaming cannot read this archive: the reader must fall back to the central directory");
        Model m = KerasReader.read(zip, "streamed.keras");
        checkFunctional(m, w, "Functional .keras (stored entries, data descriptors)");
    }

    @Test
    void functionalH5MatchesTheReference() throws Exception {
        Weights w = functionalWeights();
        Model m = KerasReader.read(KerasFixtures.h5(functionalConfig(false), w), "f.h5");
        checkFunctional(m, w, "Functional .h5 (Keras 2 list inbound nodes)");
    }

    private static void checkFunctional(Model m, Weights w, String label) throws Exception {
        Graph g = m.graph();
        assertEquals(Shape.of(1, 3), g.outputTensor(0).shape());
        // the shared Dense is two nodes reading one kernel
        List<Integer> fcWeights = g.nodes().stream().filter(n -> n.op().kind() == OpKind.FULLY_CONNECTED)
                .map(n -> n.input(1)).toList();
        assertEquals(2, fcWeights.size());
        assertEquals(fcWeights.get(0), fcWeights.get(1));
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.Mean mean && mean.keepDims()
                && mean.axes().equals(List.of(1, 2))));
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Op.Clip c && c.max() == 2.5f));
        assertTrue(g.nodes().stream().anyMatch(n -> n.op().kind() == OpKind.RELU6));
        double d = compare(label, m, input(6 * 6 * 4, 2), in -> functionalReference(w, in));
        assertTrue(d <= TOL, "max abs diff " + d);
    }

    @Test
    void mergePermuteAndRescalingLayersMatchTheReference() throws Exception {
        String config = "{\"class_name\": \"Functional\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"x\", \"batch_input_shape\": [null, 2, 3, 4]}, "
                + "\"name\": \"x\", \"inbound_nodes\": []},"
                + "{\"class_name\": \"Rescaling\", \"config\": {\"name\": \"r\", \"scale\": 0.5, \"offset\": -1.0}, "
                + "\"name\": \"r\", \"inbound_nodes\": [[[\"x\", 0, 0, {}]]]},"
                + "{\"class_name\": \"Multiply\", \"config\": {\"name\": \"m\"}, \"name\": \"m\", "
                + "\"inbound_nodes\": [[[\"x\", 0, 0, {}], [\"r\", 0, 0, {}], [\"r\", 0, 0, {}]]]},"
                + "{\"class_name\": \"Subtract\", \"config\": {\"name\": \"s\"}, \"name\": \"s\", "
                + "\"inbound_nodes\": [[[\"m\", 0, 0, {}], [\"x\", 0, 0, {}]]]},"
                + "{\"class_name\": \"Permute\", \"config\": {\"name\": \"p\", \"dims\": [3, 1, 2]}, \"name\": \"p\", "
                + "\"inbound_nodes\": [[[\"s\", 0, 0, {}]]]}],"
                + "\"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"p\", 0, 0]]}}";
        Model m = KerasReader.fromConfig(config, new Weights(1).asKerasWeights(), "merge");
        assertEquals(Shape.of(1, 4, 2, 3), m.graph().outputTensor(0).shape());
        double d = compare("merge/permute/rescaling", m, input(24, 4), x -> {
            float[] y = new float[24];
            for (int h = 0; h < 2; h++) {
                for (int w = 0; w < 3; w++) {
                    for (int c = 0; c < 4; c++) {
                        float v = x[(h * 3 + w) * 4 + c];
                        float r = v * 0.5f - 1f;
                        y[(c * 2 + h) * 3 + w] = v * r * r - v; // output [C, H, W]
                    }
                }
            }
            return y;
        });
        assertTrue(d <= TOL, "max abs diff " + d);
    }

    // ------------------------------------------------------------------ helpers

    static float[] v(Weights w, String layer, int i) {
        return w.byLayer.get(layer).get(i).values();
    }

    static List<float[]> input(int n, long seed) {
        Random rnd = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = 2 * rnd.nextFloat() - 1;
            }
            out.add(x);
        }
        return out;
    }

    /** Runs the model as read and after the standard passes on each input; returns the max abs diff. */
    static double compare(String label, Model m, List<float[]> inputs,
                          java.util.function.Function<float[], float[]> reference) throws Exception {
        Interpreter it = Interpreter.create(m);
        Model opt = PassPipeline.standard().run(m);
        Interpreter io = Interpreter.create(opt);
        double max = 0;
        for (float[] x : inputs) {
            float[] want = reference.apply(x);
            max = Math.max(max, KerasReference.maxAbsDiff(want, it.invokeFloat(x)[0]));
            max = Math.max(max, KerasReference.maxAbsDiff(want, io.invokeFloat(x)[0]));
        }
        System.out.printf("Keras fixture %s: %d nodes (%d after passes), %d inputs, max abs diff vs plain-Java "
                + "reference %.3g%n", label, m.graph().nodes().size(), opt.graph().nodes().size(), inputs.size(), max);
        return max;
    }
}
