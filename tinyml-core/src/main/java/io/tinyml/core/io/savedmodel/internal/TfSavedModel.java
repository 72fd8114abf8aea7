package io.tinyml.core.io.savedmodel.internal;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Shape;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A loaded SavedModel (tag {@code serve}) and one of its signatures: the only class that holds
 * TensorFlow Java objects. Closing it closes the bundle (graph and session). Not thread-safe; not API.
 */
public final class TfSavedModel implements AutoCloseable {
    /** A signature input or output: its key, the graph tensor it names, and its shape (batch set to 1). */
    public record Port(String key, String tensorName, Shape shape) {
    }

    private final SavedModelBundle bundle;
    private final String signature;
    private final List<Port> inputs;
    private final List<Port> outputs;
    private boolean closed;

    private TfSavedModel(SavedModelBundle bundle, String signature, List<Port> inputs, List<Port> outputs) {
        this.bundle = bundle;
        this.signature = signature;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /**
     * Loads a SavedModel directory.
     *
     * @param dir the directory holding {@code saved_model.pb}
     * @param signature the signature key, e.g. {@code serving_default}
     * @return the loaded model
     * @throws IOException if the directory is not a SavedModel
     * @throws MalformedModelException if TensorFlow cannot load it or the signature is missing or not float
     */
    public static TfSavedModel load(Path dir, String signature) throws IOException, MalformedModelException {
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new java.nio.file.NoSuchFileException(dir.resolve("saved_model.pb").toString(), null,
                    "expected a SavedModel directory holding saved_model.pb");
        }
        SavedModelBundle b;
        try {
            // one intra-op and one inter-op thread: TensorFlow's multi-threaded reductions sum in an order that
            // depends on the thread count, and this model serves as an oracle whose answers must not depend on
            // the machine that runs it
            b = SavedModelBundle.loader(dir.toAbsolutePath().toString()).withTags("serve")
                    .withConfigProto(ConfigProto.newBuilder().setIntraOpParallelismThreads(1)
                            .setInterOpParallelismThreads(1).build())
                    .load();
        } catch (TensorFlowException | IllegalArgumentException e) {
            throw new MalformedModelException("TensorFlow could not load SavedModel '" + dir + "' with tag 'serve': "
                    + e.getMessage(), e);
        }
        try {
            SignatureDef sd = b.metaGraphDef().getSignatureDefMap().get(signature);
            if (sd == null) {
                throw new MalformedModelException("expected signature '" + signature + "' in '" + dir + "', found "
                        + b.metaGraphDef().getSignatureDefMap().keySet());
            }
            return new TfSavedModel(b, signature, ports(sd.getInputsMap(), dir), ports(sd.getOutputsMap(), dir));
        } catch (MalformedModelException | RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private static List<Port> ports(Map<String, TensorInfo> m, Path dir) throws MalformedModelException {
        List<Port> ports = new ArrayList<>();
        for (Map.Entry<String, TensorInfo> e : new TreeMap<>(m).entrySet()) {
            TensorInfo ti = e.getValue();
            if (ti.getDtype() != org.tensorflow.proto.DataType.DT_FLOAT) {
                throw new MalformedModelException("expected DT_FLOAT signature tensors in '" + dir + "', found "
                        + ti.getDtype() + " for '" + e.getKey() + "'");
            }
            ports.add(new Port(e.getKey(), ti.getName(), TfConstants.shape(ti.getTensorShape(), "signature '"
                    + e.getKey() + "'")));
        }
        return List.copyOf(ports);
    }

    /** @return the signature inputs, ordered by key */
    public List<Port> inputs() {
        return inputs;
    }

    /** @return the signature outputs, ordered by key */
    public List<Port> outputs() {
        return outputs;
    }

    /** @return the signature key */
    public String signature() {
        return signature;
    }

    /**
     * Imports the signature's computation into an IR graph builder.
     *
     * @return the builder, with inputs and outputs set
     * @throws UnsupportedOperatorException if an operator is not supported
     * @throws MalformedModelException if the graph is inconsistent
     */
    public GraphBuilder importGraph() throws UnsupportedOperatorException, MalformedModelException {
        check();
        GraphDef gd = bundle.graph().toGraphDef();
        prefetchVariables(gd);
        TfGraphImporter im = new TfGraphImporter(gd, this::readVariable);
        // references are followed recursively: give deep graphs a stack of their own
        Object[] result = new Object[1];
        Thread t = new Thread(null, () -> {
            try {
                for (Port p : inputs) {
                    im.addInput(p.tensorName(), p.key(), p.shape());
                }
                for (Port p : outputs) {
                    im.addOutput(p.tensorName(), p.key());
                }
                result[0] = im.builder();
            } catch (Exception | StackOverflowError e) {
                result[0] = e;
            }
        }, "savedmodel-import", IMPORT_STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while importing the SavedModel", e);
        }
        if (result[0] instanceof UnsupportedOperatorException e) {
            throw e;
        }
        if (result[0] instanceof MalformedModelException e) {
            throw e;
        }
        if (result[0] instanceof StackOverflowError e) {
            throw new MalformedModelException("expected a graph shallow enough to import, found one that overflows "
                    + "a stack of " + (IMPORT_STACK_BYTES >> 20) + " MiB", e);
        }
        if (result[0] instanceof RuntimeException e) {
            throw e;
        }
        return (GraphBuilder) result[0];
    }

    private static final long IMPORT_STACK_BYTES = 64L << 20;
    private int readOps;

    private TfValue.Const readVariable(String node, org.tensorflow.proto.DataType dtype)
            throws UnsupportedOperatorException {
        if (dtype != org.tensorflow.proto.DataType.DT_FLOAT) {
            throw new UnsupportedOperatorException("ReadVariableOp", "variable '" + node + "' of type " + dtype
                    + " is not supported by the SavedModel reader (expected DT_FLOAT)");
        }
        TfValue.Const c = variables.get(node);
        if (c == null) {
            fetchVariables(List.of(node));
            c = variables.get(node);
        }
        return c;
    }

    private final Map<String, TfValue.Const> variables = new HashMap<>();

    /**
     * Reads the float variables passed to the calls that compute the signature outputs, in one
     * session run (every run re-examines the graph, so reading them one by one is slow).
     */
    private void prefetchVariables(GraphDef gd) {
        Map<String, NodeDef> byName = new HashMap<>();
        for (NodeDef n : gd.getNodeList()) {
            byName.put(n.getName(), n);
        }
        Set<String> vars = new LinkedHashSet<>();
        for (Port p : outputs) {
            String name = p.tensorName().contains(":") ? p.tensorName().substring(0, p.tensorName().indexOf(':'))
                    : p.tensorName();
            NodeDef call = byName.get(name);
            if (call == null) {
                continue;
            }
            for (String in : call.getInputList()) {
                NodeDef v = byName.get(in);
                if (v != null && v.getOp().equals("VarHandleOp")
                        && v.getAttrOrThrow("dtype").getType() == org.tensorflow.proto.DataType.DT_FLOAT) {
                    vars.add(in);
                }
            }
        }
        if (!vars.isEmpty()) {
            fetchVariables(List.copyOf(vars));
        }
    }

    private void fetchVariables(List<String> nodes) {
        Graph g = bundle.graph();
        Session.Runner runner = bundle.session().runner();
        for (String node : nodes) {
            GraphOperation h = g.operation(node);
            Ops tf = Ops.create(g).withName("tinyml_read_" + readOps++ + "_" + node.replace('/', '_'));
            runner.fetch(tf.readVariableOp(h.<TType>output(0), TFloat32.class));
        }
        try (Result r = runner.run()) {
            for (int i = 0; i < nodes.size(); i++) {
                Tensor t = r.get(i);
                long[] dims = t.shape().asArray();
                int[] d = new int[dims.length];
                for (int k = 0; k < d.length; k++) {
                    d[k] = Math.toIntExact(dims[k]);
                }
                byte[] raw = new byte[Math.toIntExact(t.numBytes())];
                t.asRawTensor().data().read(raw);
                float[] v = new float[raw.length / 4];
                ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).asFloatBuffer().get(v);
                variables.put(nodes.get(i), TfValue.Const.ofFloats(Shape.of(d), v));
            }
        }
    }

    /**
     * Runs the signature with TensorFlow.
     *
     * @param in one array per input, in {@link #inputs()} order, row-major in the port's shape
     * @return one array per output, in {@link #outputs()} order
     */
    public float[][] run(float[][] in) {
        check();
        Map<String, Tensor> feed = new HashMap<>();
        try {
            for (int i = 0; i < inputs.size(); i++) {
                Port p = inputs.get(i);
                feed.put(p.key(), TFloat32.tensorOf(shape(p.shape()), DataBuffers.of(in[i], true, false)));
            }
            try (Result r = bundle.function(signature).call(feed)) {
                float[][] out = new float[outputs.size()][];
                for (int o = 0; o < out.length; o++) {
                    Port p = outputs.get(o);
                    Tensor t = r.get(p.key()).orElseThrow(() -> new IllegalStateException(
                            "expected output '" + p.key() + "' from TensorFlow, found none"));
                    if (!(t instanceof TFloat32 f)) {
                        throw new IllegalStateException("expected a float output '" + p.key() + "', found " + t.dataType());
                    }
                    float[] v = new float[Math.toIntExact(f.size())];
                    f.copyTo(org.tensorflow.ndarray.NdArrays.wrap(f.shape(), DataBuffers.of(v, false, false)));
                    out[o] = v;
                }
                return out;
            }
        } catch (TensorFlowException | IllegalArgumentException e) {
            throw new IllegalStateException("TensorFlow failed to run signature '" + signature + "': " + e.getMessage(), e);
        } finally {
            feed.values().forEach(Tensor::close);
        }
    }

    private static org.tensorflow.ndarray.Shape shape(Shape s) {
        long[] d = new long[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(i);
        }
        return org.tensorflow.ndarray.Shape.of(d);
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("expected an open SavedModel, found it closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bundle.close();
        }
    }
}
