package io.tinyml.core.io.keras.internal;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.json.Json;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Translates a parsed Keras model configuration (Sequential or Functional, Keras 2 or Keras 3
 * serialization) and its weights into an IR graph.
 *
 * <p>The configuration is first turned into layer calls: one per entry of a layer's
 * {@code inbound_nodes} (Keras 2 list form {@code [[name, node, tensor, kwargs], ...]} or Keras 3
 * dict form {@code {"args": [...], "kwargs": {...}}} holding {@code __keras_tensor__} entries with a
 * {@code keras_history}); Sequential models chain their layers. Calls are then ordered
 * topologically (config order where free), so a shared layer called twice becomes two IR nodes that
 * share weights. Dangling references and cycles are {@link MalformedModelException}s. Single use.
 */
public final class KerasGraph {
    /** The most layers accepted in one model. */
    public static final int MAX_LAYERS = 1 << 16;

    /** A reference to a layer call's output. */
    record Ref(String layer, int node, int tensor) {
    }

    /** A layer of the configuration; {@code keras3Key} names its weights in a Keras 3 file. */
    record Layer(int index, String className, String name, Cfg config, List<List<Ref>> calls, String keras3Key) {
    }

    private final String source;
    private final List<Layer> layers = new ArrayList<>();
    private final List<Ref> inputRefs = new ArrayList<>();
    private final List<Ref> outputRefs = new ArrayList<>();
    private final Map<String, Integer> perClass = new HashMap<>();

    private KerasGraph(String source) {
        this.source = source;
    }

    /**
     * Translates a model configuration.
     *
     * @param modelConfig the parsed JSON ({@code {"class_name": "Functional", "config": {...}}})
     * @param weights the stored weights
     * @param source the file name, for messages
     * @return the graph (not yet validated by {@code GraphBuilder.build()}: returned built)
     * @throws MalformedModelException if the configuration or weights are inconsistent
     * @throws UnsupportedOperatorException if a layer or an option is not supported
     */
    public static Graph translate(Object modelConfig, KerasWeights weights, String source)
            throws MalformedModelException, UnsupportedOperatorException {
        KerasGraph g = new KerasGraph(source);
        Cfg root = Cfg.of(modelConfig, "'" + source + "': model config");
        String cls = root.str("class_name");
        Object inner = root.raw("config");
        switch (cls) {
            case "Sequential" -> g.sequential(inner);
            case "Functional", "Model" -> g.functional(Cfg.of(inner, root.where() + ": key 'config'"));
            default -> throw new UnsupportedOperatorException(cls, "'" + source + "': model class '" + cls
                    + "' is not supported by the Keras reader; expected Sequential or Functional");
        }
        return new LayerEmitter(source, weights).emit(g.order(), g.inputRefs, g.outputRefs);
    }

    // ---------------------------------------------------------------- Sequential

    private void sequential(Object inner) throws MalformedModelException, UnsupportedOperatorException {
        List<Object> list;
        Cfg cfg = null;
        if (inner instanceof List<?>) {
            // Keras 2.0-2.1: "config" is the layer list itself
            list = Cfg.of(Map.of("layers", inner), "'" + source + "': Sequential config").list("layers");
        } else {
            cfg = Cfg.of(inner, "'" + source + "': Sequential config");
            list = cfg.list("layers");
        }
        checkCount(list.size());
        String prev = null;
        for (int i = 0; i < list.size(); i++) {
            Cfg l = Cfg.of(list.get(i), "'" + source + "': Sequential layer " + i);
            String cls = l.str("class_name");
            Cfg c = l.obj("config");
            String name = c.str("name", l.str("name", cls.toLowerCase() + "_" + i));
            c = new Cfg(c.map(), "'" + source + "': layer '" + name + "' (" + cls + ")");
            if (prev == null && !cls.equals("InputLayer")) {
                int[] shape = firstShape(c, cfg);
                String in = name + "_input"; // Keras's own name for the implicit input
                Map<String, Object> ic = new LinkedHashMap<>();
                ic.put("name", in);
                ic.put("batch_input_shape", toJsonShape(shape));
                ic.put("dtype", c.has("dtype") && c.raw("dtype") instanceof String ? c.raw("dtype") : "float32");
                addLayer("InputLayer", in, new Cfg(ic, "'" + source + "': input of Sequential layer '" + name + "'"),
                        List.of());
                inputRefs.add(new Ref(in, 0, 0));
                prev = in;
            }
            if (cls.equals("InputLayer")) {
                if (prev != null) {
                    throw new MalformedModelException("'" + source + "': Sequential layer " + i + " '" + name
                            + "': expected an InputLayer only first, found one after '" + prev + "'");
                }
                addLayer(cls, name, c, List.of());
                inputRefs.add(new Ref(name, 0, 0));
            } else {
                addLayer(cls, name, c, List.of(List.of(new Ref(prev, 0, 0))));
            }
            prev = name;
        }
        if (prev == null) {
            throw new MalformedModelException("'" + source + "': expected a Sequential model with layers, found none");
        }
        outputRefs.add(new Ref(prev, 0, 0));
    }

    private int[] firstShape(Cfg c, Cfg seq) throws MalformedModelException {
        if (c.has("batch_input_shape")) {
            return c.shape("batch_input_shape");
        }
        if (c.has("batch_shape")) {
            return c.shape("batch_shape");
        }
        if (c.has("input_shape")) {
            int[] s = c.shape("input_shape");
            int[] d = new int[s.length + 1];
            d[0] = -1;
            System.arraycopy(s, 0, d, 1, s.length);
            return d;
        }
        if (seq != null && seq.has("build_input_shape")) {
            return seq.shape("build_input_shape");
        }
        throw new MalformedModelException(c.where() + ": expected an input shape (an InputLayer, "
                + "'batch_input_shape' on the first layer or the model's 'build_input_shape'), found none");
    }

    private static List<Object> toJsonShape(int[] s) {
        List<Object> l = new ArrayList<>();
        for (int d : s) {
            l.add(d < 0 ? null : (Object) (long) d);
        }
        return l;
    }

    // ---------------------------------------------------------------- Functional

    private void functional(Cfg cfg) throws MalformedModelException, UnsupportedOperatorException {
        List<Object> list = cfg.list("layers");
        checkCount(list.size());
        for (int i = 0; i < list.size(); i++) {
            Cfg l = Cfg.of(list.get(i), "'" + source + "': layer " + i);
            String cls = l.str("class_name");
            Cfg c = l.obj("config");
            String name = l.str("name", c.str("name", null));
            if (name == null) {
                throw new MalformedModelException(l.where() + " (" + cls + "): expected key 'name', found none");
            }
            String where = "'" + source + "': layer '" + name + "' (" + cls + ")";
            List<List<Ref>> calls = new ArrayList<>();
            Object inbound = l.raw("inbound_nodes");
            if (inbound != null) {
                if (!(inbound instanceof List<?> nodes)) {
                    throw l.fail("inbound_nodes", "an array", inbound);
                }
                for (Object node : nodes) {
                    calls.add(call(node, where));
                }
            }
            addLayer(cls, name, new Cfg(c.map(), where), calls);
        }
        inputRefs.addAll(endpoints(cfg, "input_layers"));
        outputRefs.addAll(endpoints(cfg, "output_layers"));
        if (outputRefs.isEmpty()) {
            throw new MalformedModelException("'" + source + "': expected at least one entry in output_layers, found none");
        }
    }

    private List<Ref> call(Object node, String where) throws MalformedModelException {
        List<Ref> refs = new ArrayList<>();
        if (node instanceof Map<?, ?>) {
            Cfg n = Cfg.of(node, where + ": inbound node");
            Object args = n.raw("args");
            if (args != null) {
                collectTensors(args, refs, where, 0);
            }
        } else if (node instanceof List<?> entries) {
            for (Object e : entries) {
                if (!(e instanceof List<?> ref)) {
                    throw new MalformedModelException(where + ": inbound node: expected [layer, node, tensor, kwargs]"
                            + ", found " + Cfg.shorten(e));
                }
                refs.add(ref(ref, where + ": inbound node"));
            }
        } else {
            throw new MalformedModelException(where + ": expected an inbound node as an array or an object, found "
                    + Cfg.shorten(node));
        }
        if (refs.size() > MAX_LAYERS) {
            throw new MalformedModelException(where + ": expected at most " + MAX_LAYERS + " inputs, found "
                    + refs.size());
        }
        return refs;
    }

    /** Collects Keras 3 {@code __keras_tensor__} entries from call arguments, in order. */
    private void collectTensors(Object v, List<Ref> refs, String where, int depth) throws MalformedModelException {
        if (depth > Json.MAX_DEPTH || refs.size() > MAX_LAYERS) {
            throw new MalformedModelException(where + ": expected call arguments of moderate size, found deeper or "
                    + "larger ones");
        }
        if (v instanceof List<?> l) {
            for (Object e : l) {
                collectTensors(e, refs, where, depth + 1);
            }
        } else if (v instanceof Map<?, ?> m && "__keras_tensor__".equals(m.get("class_name"))) {
            Cfg c = Cfg.of(m, where + ": keras tensor").obj("config");
            refs.add(ref(c.list("keras_history"), where + ": keras_history"));
        }
    }

    private Ref ref(List<?> r, String where) throws MalformedModelException {
        if (r.size() < 3 || r.size() > 4 || !(r.get(0) instanceof String layer)) {
            throw new MalformedModelException(where + ": expected [layer name, node index, tensor index], found "
                    + Cfg.shorten(r));
        }
        Cfg c = new Cfg(Map.of(), where);
        return new Ref(layer, c.toInt(r.get(1), "node index", 0, MAX_LAYERS),
                c.toInt(r.get(2), "tensor index", 0, MAX_LAYERS));
    }

    private List<Ref> endpoints(Cfg cfg, String key) throws MalformedModelException {
        if (!cfg.has(key)) {
            return List.of();
        }
        List<Object> l = cfg.list(key);
        List<Ref> out = new ArrayList<>();
        if (!l.isEmpty() && l.get(0) instanceof String) {
            out.add(ref(l, cfg.where() + ": " + key));
            return out;
        }
        for (Object e : l) {
            if (!(e instanceof List<?> r)) {
                throw cfg.fail(key, "an array of [layer, node, tensor]", e);
            }
            out.add(ref(r, cfg.where() + ": " + key));
        }
        return out;
    }

    private void addLayer(String cls, String name, Cfg c, List<List<Ref>> calls) throws MalformedModelException {
        checkCount(layers.size() + 1);
        String snake = snakeCase(cls);
        int k = perClass.merge(snake, 1, Integer::sum) - 1;
        layers.add(new Layer(layers.size(), cls, name, c, calls, k == 0 ? snake : snake + "_" + k));
    }

    /**
     * Keras's snake case of a class name: non-word characters dropped, "_" before each capitalized
     * word ({@code BatchNormalization} to {@code batch_normalization}) and between a lower-case
     * letter and a capital, then lower case ({@code DepthwiseConv2D} to {@code depthwise_conv2d}).
     */
    static String snakeCase(String cls) {
        String s = cls.replaceAll("[^A-Za-z0-9_]+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private void checkCount(int n) throws MalformedModelException {
        if (n > MAX_LAYERS) {
            throw new MalformedModelException("'" + source + "': expected at most " + MAX_LAYERS + " layers, found "
                    + n);
        }
    }

    // ---------------------------------------------------------------- ordering

    /** A call of a layer: the unit that becomes IR nodes. */
    record Call(Layer layer, int node, List<Ref> inputs) {
    }

    private List<Call> order() throws MalformedModelException {
        Map<String, Layer> byName = new HashMap<>();
        for (Layer l : layers) {
            if (byName.put(l.name(), l) != null) {
                throw new MalformedModelException("'" + source + "': expected unique layer names, found '" + l.name()
                        + "' twice");
            }
        }
        List<Call> calls = new ArrayList<>();
        Map<Ref, Integer> producer = new HashMap<>();
        for (Layer l : layers) {
            if (l.className().equals("InputLayer")) {
                producer.put(new Ref(l.name(), 0, 0), calls.size());
                calls.add(new Call(l, 0, List.of()));
                continue;
            }
            for (int k = 0; k < l.calls().size(); k++) {
                producer.put(new Ref(l.name(), k, 0), calls.size());
                calls.add(new Call(l, k, l.calls().get(k)));
            }
        }
        int n = calls.size();
        int[] pending = new int[n];
        List<List<Integer>> dependents = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            dependents.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (Ref r : calls.get(i).inputs()) {
                Integer p = producer.get(r);
                if (p == null) {
                    throw dangling(r, "layer '" + calls.get(i).layer().name() + "' (" + calls.get(i).layer().className()
                            + ")", byName);
                }
                pending[i]++;
                dependents.get(p).add(i);
            }
        }
        for (Ref r : inputRefs) {
            Layer l = byName.get(r.layer());
            if (l == null || !l.className().equals("InputLayer") || r.node() != 0 || r.tensor() != 0) {
                throw new MalformedModelException("'" + source + "': input_layers: expected an InputLayer output "
                        + "[name, 0, 0], found [" + r.layer() + ", " + r.node() + ", " + r.tensor() + "]");
            }
        }
        for (Ref r : outputRefs) {
            if (!producer.containsKey(r)) {
                throw dangling(r, "output_layers", byName);
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Call> out = new ArrayList<>(n);
        while (!ready.isEmpty()) {
            int i = ready.poll();
            out.add(calls.get(i));
            for (int d : dependents.get(i)) {
                if (--pending[d] == 0) {
                    ready.add(d);
                }
            }
        }
        if (out.size() != n) {
            for (int i = 0; i < n; i++) {
                if (pending[i] > 0) {
                    throw new MalformedModelException("'" + source + "': layer '" + calls.get(i).layer().name()
                            + "': expected an acyclic graph, found the layer on a cycle (or fed by one)");
                }
            }
        }
        return out;
    }

    private MalformedModelException dangling(Ref r, String who, Map<String, Layer> byName) {
        Layer l = byName.get(r.layer());
        String found = l == null ? "no layer of that name"
                : r.tensor() != 0 ? "tensor index " + r.tensor() + " (layers have one output)"
                : "a layer called " + (l.className().equals("InputLayer") ? 1 : l.calls().size()) + " time(s)";
        return new MalformedModelException("'" + source + "': " + who + ": expected an existing layer output ["
                + r.layer() + ", " + r.node() + ", " + r.tensor() + "], found " + found);
    }
}
