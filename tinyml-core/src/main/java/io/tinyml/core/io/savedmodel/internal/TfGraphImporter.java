package io.tinyml.core.io.savedmodel.internal;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds an IR graph from a TensorFlow graph and its function library, starting from the signature's
 * outputs and resolving each tensor reference on demand: calls ({@code StatefulPartitionedCall},
 * {@code PartitionedCall}) are inlined by binding the called function's arguments, variables are read
 * through a {@link VariableSource}, constants are folded where the IR takes them as attributes, and
 * the remaining operators become IR nodes ({@link TfOps}). Not thread-safe; one instance per import.
 * Not API.
 */
public final class TfGraphImporter {
    /** Reads the current value of a resource variable of the top-level graph. */
    public interface VariableSource {
        /**
         * Reads a variable.
         *
         * @param varHandleNode the VarHandleOp node's name
         * @param dtype its element type attribute
         * @return its value
         * @throws UnsupportedOperatorException if the type is not supported
         */
        TfValue.Const read(String varHandleNode, org.tensorflow.proto.DataType dtype) throws UnsupportedOperatorException;
    }

    /** A graph or function body with its argument bindings and resolved values. */
    static final class Scope {
        final String name;
        final Map<String, NodeDef> nodes = new HashMap<>();
        final Map<String, TfValue> args = new HashMap<>();
        final Map<String, TfValue> memo = new HashMap<>();
        final Set<String> resolving = new HashSet<>();
        final Map<String, Scope> calls = new HashMap<>();
        final boolean function;

        Scope(String name, List<NodeDef> nodeDefs, boolean function) {
            this.name = name;
            this.function = function;
            for (NodeDef n : nodeDefs) {
                nodes.put(n.getName(), n);
            }
        }
    }

    /** The deepest chain of tensor references followed (each level costs a few stack frames). */
    public static final int MAX_DEPTH = 10_000;

    final GraphBuilder builder = new GraphBuilder();
    private final Map<String, FunctionDef> functions = new HashMap<>();
    private final Scope top;
    private final VariableSource variables;
    private final Map<String, TfValue.Const> variableCache = new HashMap<>();
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> usedNodeNames = new HashSet<>();
    final Map<Integer, Integer> producer = new HashMap<>();
    final Set<Integer> consumed = new HashSet<>();
    final Set<TfValue.Act> fusedAway = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private int depth;

    /**
     * Prepares an import.
     *
     * @param graph the top-level graph with its function library
     * @param variables reads variable values
     */
    public TfGraphImporter(GraphDef graph, VariableSource variables) {
        this.variables = variables;
        for (FunctionDef f : graph.getLibrary().getFunctionList()) {
            functions.put(f.getSignature().getName(), f);
        }
        this.top = new Scope("graph", graph.getNodeList(), false);
    }

    /**
     * Declares a graph input: the placeholder tensor {@code ref} of the top-level graph.
     *
     * @param ref the tensor name in the signature, e.g. {@code serving_default_input_1:0}
     * @param name the IR tensor name
     * @param shape its shape (unknown dimensions already set to 1)
     * @throws MalformedModelException if the placeholder does not exist
     */
    public void addInput(String ref, String name, Shape shape) throws MalformedModelException {
        String node = nodeOf(ref);
        if (!top.nodes.containsKey(node)) {
            throw new MalformedModelException("expected the signature input '" + ref + "' in the graph, found no node '"
                    + node + "'");
        }
        int t = builder.addInput(Tensor.activation(uniqueName(name), DataType.FLOAT32, shape));
        top.memo.put(node + ":" + outputIndexTop(ref), new TfValue.Act(t));
    }

    /**
     * Resolves a signature output and marks it as a graph output.
     *
     * @param ref the tensor name in the signature, e.g. {@code StatefulPartitionedCall:0}
     * @param name the IR name to give the output tensor when free
     * @throws UnsupportedOperatorException if an operator on the way is not supported
     * @throws MalformedModelException if the graph is inconsistent
     */
    public void addOutput(String ref, String name) throws UnsupportedOperatorException, MalformedModelException {
        TfValue v = resolve(top, ref);
        if (!(v instanceof TfValue.Act a)) {
            throw new UnsupportedOperatorException("Const", "signature output '" + ref
                    + "' is a constant or a variable, which the IR cannot hold as a graph output");
        }
        int t = use(a);
        if (!usedNames.contains(name)) {
            usedNames.add(name);
            builder.setTensor(t, builder.tensor(t).withName(name));
        }
        builder.addOutput(t);
    }

    /**
     * Returns the builder holding the imported graph.
     *
     * @return the builder
     */
    public GraphBuilder builder() {
        return builder;
    }

    /** Resolves a tensor reference in a scope. */
    TfValue resolve(Scope s, String ref) throws UnsupportedOperatorException, MalformedModelException {
        if (s.function && s.args.containsKey(ref)) {
            return s.args.get(ref);
        }
        String node = nodeOf(ref);
        NodeDef nd = s.nodes.get(node);
        if (nd == null) {
            throw new MalformedModelException("expected a node '" + node + "' in " + s.name + " for input '" + ref
                    + "', found none");
        }
        int out = s.function ? outputIndexFunction(nd, ref) : outputIndexTop(ref);
        String key = node + ":" + out;
        TfValue v = s.memo.get(key);
        if (v != null) {
            return v;
        }
        if (!s.resolving.add(key)) {
            throw new MalformedModelException("expected an acyclic graph, found a cycle through '" + node + "' in "
                    + s.name);
        }
        if (++depth > MAX_DEPTH) {
            throw new MalformedModelException("expected chains of at most " + MAX_DEPTH + " operators, found a longer "
                    + "one at '" + node + "' in " + s.name);
        }
        try {
            v = evaluate(s, nd, out);
        } finally {
            s.resolving.remove(key);
            depth--;
        }
        s.memo.put(key, v);
        return v;
    }

    /** Resolves the data (non-control) inputs of a node. */
    List<TfValue> inputs(Scope s, NodeDef nd) throws UnsupportedOperatorException, MalformedModelException {
        List<TfValue> in = new ArrayList<>();
        for (String r : nd.getInputList()) {
            if (!r.startsWith("^")) {
                in.add(resolve(s, r));
            }
        }
        return in;
    }

    private TfValue evaluate(Scope s, NodeDef nd, int out) throws UnsupportedOperatorException, MalformedModelException {
        String where = where(s, nd);
        switch (nd.getOp()) {
            case "StatefulPartitionedCall", "PartitionedCall" -> {
                return call(s, nd, out, where);
            }
            case "VarHandleOp" -> {
                if (s.function) {
                    throw unsupported(nd, where, "variables created inside functions");
                }
                return new TfValue.Resource(nd.getName());
            }
            case "ReadVariableOp" -> {
                TfValue h = inputs(s, nd).get(0);
                if (!(h instanceof TfValue.Resource r)) {
                    throw new MalformedModelException("expected a variable handle as input of " + where + ", found " + h);
                }
                TfValue.Const c = variableCache.get(r.node());
                if (c == null) {
                    c = variables.read(r.node(), nd.getAttrOrThrow("dtype").getType());
                    variableCache.put(r.node(), c);
                }
                return c;
            }
            case "Const" -> {
                return TfConstants.decode(nd.getAttrOrThrow("value").getTensor(), where);
            }
            case "Placeholder" -> throw new MalformedModelException("expected every placeholder reached from the "
                    + "signature outputs to be a signature input, found '" + nd.getName() + "'");
            default -> {
                if (out != 0) {
                    throw unsupported(nd, where, "output " + out);
                }
                return TfOps.convert(this, s, nd, where);
            }
        }
    }

    private TfValue call(Scope s, NodeDef nd, int out, String where)
            throws UnsupportedOperatorException, MalformedModelException {
        String fname = nd.getAttrOrThrow("f").getFunc().getName();
        FunctionDef f = functions.get(fname);
        if (f == null) {
            throw new MalformedModelException("expected function '" + fname + "' called by " + where
                    + " in the library, found none");
        }
        OpDef sig = f.getSignature();
        List<TfValue> args = inputs(s, nd);
        if (args.size() != sig.getInputArgCount()) {
            throw new MalformedModelException("expected " + sig.getInputArgCount() + " arguments for '" + fname
                    + "' at " + where + ", found " + args.size());
        }
        if (out >= sig.getOutputArgCount()) {
            throw new MalformedModelException("expected an output index below " + sig.getOutputArgCount()
                    + " of '" + fname + "' at " + where + ", found " + out);
        }
        Scope body = s.calls.get(nd.getName());
        if (body == null) {
            body = new Scope(fname, f.getNodeDefList(), true);
            for (int i = 0; i < args.size(); i++) {
                body.args.put(sig.getInputArg(i).getName(), args.get(i));
            }
            s.calls.put(nd.getName(), body);
        }
        String ret = f.getRetOrThrow(sig.getOutputArg(out).getName());
        return resolve(body, ret);
    }

    /** Marks an activation as read and returns its tensor index. */
    int use(TfValue.Act a) throws UnsupportedOperatorException {
        if (fusedAway.contains(a)) {
            throw new UnsupportedOperatorException("BiasAdd", "the output of '" + builder.tensor(a.tensor()).name()
                    + "' before its BiasAdd is read by another node, which the SavedModel reader does not support");
        }
        consumed.add(a.tensor());
        return a.tensor();
    }

    /** Adds a constant tensor to the builder. */
    int constant(String name, TfValue.Const c) {
        Tensor t = c.isFloat() ? Tensor.ofFloats(uniqueName(name), c.shape(), c.floats())
                : Tensor.ofInts(uniqueName(name), c.shape(), c.ints());
        return builder.addTensor(t);
    }

    /** Turns an input into a tensor index, adding constants as needed. */
    int tensorOf(TfValue v, String name, String where) throws UnsupportedOperatorException, MalformedModelException {
        if (v instanceof TfValue.Act a) {
            return use(a);
        }
        if (v instanceof TfValue.Const c) {
            return constant(name, c);
        }
        throw new MalformedModelException("expected a tensor at " + where + ", found a variable handle");
    }

    /** Adds a node with one new float output. */
    TfValue.Act node(String name, Op op, List<Integer> in, Shape outShape) {
        int t = builder.addTensor(Tensor.activation(uniqueName(name), DataType.FLOAT32, outShape));
        int pos = builder.addNode(uniqueNodeName(name), op, in, List.of(t));
        producer.put(t, pos);
        return new TfValue.Act(t);
    }

    /** Adds a bias to the producer of {@code x} when it is a linear op without bias nobody else read. */
    boolean fuseBias(TfValue.Act x, int bias) {
        Integer pos = producer.get(x.tensor());
        if (pos == null || consumed.contains(x.tensor())) {
            return false;
        }
        Node n = builder.nodes().get(pos);
        boolean linear = n.op() instanceof Op.Conv2D || n.op() instanceof Op.DepthwiseConv2D
                || n.op() instanceof Op.FullyConnected;
        if (!linear || n.input(2) != Node.ABSENT) {
            return false;
        }
        List<Integer> in = new ArrayList<>(n.inputs().subList(0, 2));
        in.add(bias);
        builder.nodes().set(pos, new Node(n.name(), n.op(), in, n.outputs()));
        return true;
    }

    Shape shapeOf(TfValue v) {
        if (v instanceof TfValue.Act a) {
            return builder.tensor(a.tensor()).shape();
        }
        if (v instanceof TfValue.Const c) {
            return c.shape();
        }
        throw new IllegalStateException("expected a tensor, found " + v);
    }

    private String uniqueNodeName(String base) {
        String n = base;
        for (int i = 1; !usedNodeNames.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    String uniqueName(String base) {
        String n = base;
        for (int i = 1; !usedNames.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    static UnsupportedOperatorException unsupported(NodeDef nd, String where, String what) {
        return new UnsupportedOperatorException(nd.getOp(), "operator " + nd.getOp() + " at " + where
                + " is not supported by the SavedModel reader (" + what + ")");
    }

    static String where(Scope s, NodeDef nd) {
        return "node '" + nd.getName() + "'" + (s.function ? " of function '" + s.name + "'" : "");
    }

    static AttrValue attr(NodeDef nd, String name) {
        return nd.getAttrMap().get(name);
    }

    private static String nodeOf(String ref) {
        int c = ref.indexOf(':');
        return c < 0 ? ref : ref.substring(0, c);
    }

    private static int outputIndexTop(String ref) {
        int c = ref.indexOf(':');
        return c < 0 ? 0 : Integer.parseInt(ref.substring(c + 1));
    }

    /** Function-body references are {@code node:outputArg:index}; the index is within that output arg. */
    private static int outputIndexFunction(NodeDef nd, String ref) throws MalformedModelException {
        String[] p = ref.split(":");
        if (p.length == 1) {
            return 0;
        }
        if (p.length != 3) {
            throw new MalformedModelException("expected a reference 'node:output:index', found '" + ref + "'");
        }
        int idx = Integer.parseInt(p[2]);
        boolean call = nd.getOp().endsWith("PartitionedCall");
        if (call || idx != 0) {
            return idx;
        }
        // first output argument of every op the reader supports; anything else reads a later output
        return switch (nd.getOp()) {
            case "FusedBatchNormV3", "FusedBatchNorm", "FusedBatchNormV2" -> p[1].equals("y") ? 0 : 1;
            default -> 0;
        };
    }
}
