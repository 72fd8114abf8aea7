package io.tinyml.core.io.keras.internal;

import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.tinyml.core.MalformedModelException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keras weights in an HDF5 group, in one of the two layouts Keras writes:
 * <ul>
 *   <li>Keras 2 / TF-Keras ({@code .h5}): group {@code <layer>} with attribute {@code weight_names}
 *       listing dataset paths relative to that group ({@code "conv2d/kernel:0"});</li>
 *   <li>Keras 3 ({@code model.weights.h5} inside a {@code .keras} zip): group
 *       {@code layers/<key>/vars} with datasets {@code 0, 1, ...}, where the key is the layer's
 *       class in snake case numbered per class ({@code conv2d}, {@code conv2d_1}, ...); when the
 *       file has no such group, {@code layers/<layer name>} and
 *       {@code _layer_checkpoint_dependencies/<layer name>} (TF-Keras 2.13+) are tried.</li>
 * </ul>
 * Not thread-safe (the underlying jhdf file is shared); used by one reader.
 */
public final class Hdf5Weights implements KerasWeights {
    /** A single weight larger than this many elements (2^28) is refused. */
    public static final long MAX_ELEMENTS = 1L << 28;
    private static final int MAX_VARS = 1024;

    private final Group root;
    private final boolean keras3;
    private final String source;
    private final long budgetBytes;
    private long readBytes;

    private Hdf5Weights(Group root, boolean keras3, String source, long fileBytes) {
        this.root = root;
        this.keras3 = keras3;
        this.source = source;
        this.budgetBytes = 64 * fileBytes + (64L << 20);
    }

    /**
     * Keras 2 layout under a group ({@code model_weights} of a full model file).
     *
     * @param group the group holding one group per layer
     * @param source the file name, for messages
     * @param fileBytes the file's size: weights decoded in all are bounded by 64 times it plus 64 MiB
     *        (HDF5 compression can make a small file claim huge zero-filled datasets)
     * @return the weights
     */
    public static Hdf5Weights keras2(Group group, String source, long fileBytes) {
        return new Hdf5Weights(group, false, source, fileBytes);
    }

    /**
     * Keras 3 layout ({@code layers/<key>/vars/<i>}) under the root of {@code model.weights.h5}.
     *
     * @param root the file's root group
     * @param source the file name, for messages
     * @param fileBytes the file's size, bounding the weights decoded as for {@link #keras2}
     * @return the weights
     */
    public static Hdf5Weights keras3(Group root, String source, long fileBytes) {
        return new Hdf5Weights(root, true, source, fileBytes);
    }

    @Override
    public List<Weight> weights(String layerName, String keras3Key) throws MalformedModelException {
        return keras3 ? keras3Weights(layerName, keras3Key) : keras2Weights(layerName);
    }

    private List<Weight> keras2Weights(String layerName) throws MalformedModelException {
        Node n = child(root, layerName);
        if (n == null) {
            return List.of();
        }
        if (!(n instanceof Group g)) {
            throw new MalformedModelException(where(layerName) + ": expected a group, found a dataset");
        }
        List<String> names = strings(g.getAttribute("weight_names"), layerName);
        List<Weight> out = new ArrayList<>(names.size());
        for (String name : names) {
            Node d = path(g, name);
            if (!(d instanceof Dataset ds)) {
                throw new MalformedModelException(where(layerName) + ": expected dataset '" + name
                        + "' listed in weight_names, found " + (d == null ? "none" : "a group"));
            }
            out.add(weight(name, ds, layerName));
        }
        return out;
    }

    private List<Weight> keras3Weights(String layerName, String key) throws MalformedModelException {
        Node layers = child(root, "layers");
        Node layer = layers instanceof Group lg ? child(lg, key) : null;
        if (layer == null && layers instanceof Group lg) {
            layer = child(lg, layerName);
        }
        if (layer == null && child(root, "_layer_checkpoint_dependencies") instanceof Group deps) {
            layer = child(deps, layerName);
        }
        if (!(layer instanceof Group g)) {
            return List.of();
        }
        Node vars = child(g, "vars");
        if (!(vars instanceof Group vg)) {
            return List.of();
        }
        Map<String, Node> children = children(vg, layerName);
        if (children.size() > MAX_VARS) {
            throw new MalformedModelException(where(layerName) + ": expected at most " + MAX_VARS + " variables, found "
                    + children.size());
        }
        List<Weight> out = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            Node d = children.get(String.valueOf(i));
            if (!(d instanceof Dataset ds)) {
                throw new MalformedModelException(where(layerName) + ": expected dataset vars/" + i + " (variables "
                        + "0.." + (children.size() - 1) + "), found " + (d == null ? "none" : "a group"));
            }
            out.add(weight(String.valueOf(i), ds, layerName));
        }
        return out;
    }

    private Weight weight(String name, Dataset ds, String layerName) throws MalformedModelException {
        int[] dims;
        try {
            dims = ds.getDimensions().clone();
        } catch (RuntimeException e) {
            throw new MalformedModelException(where(layerName) + ": weight '" + name + "': " + e.getMessage(), e);
        }
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new MalformedModelException(where(layerName) + ": weight '" + name
                        + "': expected non-negative dimensions, found " + java.util.Arrays.toString(dims));
            }
            n *= d;
            if (n > MAX_ELEMENTS) {
                throw new MalformedModelException(where(layerName) + ": weight '" + name + "': expected at most "
                        + MAX_ELEMENTS + " elements, found shape " + java.util.Arrays.toString(dims));
            }
        }
        long count = n;
        String where = where(layerName) + ": weight '" + name + "'";
        return new Weight() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int[] dims() {
                return dims.clone();
            }

            @Override
            public float[] read() throws MalformedModelException {
                readBytes += 4 * count;
                if (readBytes > budgetBytes) {
                    throw new MalformedModelException(where + ": expected weights of at most " + budgetBytes
                            + " bytes in total for this file, found over " + readBytes);
                }
                Object data;
                try {
                    data = ds.getDataFlat();
                } catch (RuntimeException e) {
                    throw new MalformedModelException(where + ": cannot read data: " + e.getMessage(), e);
                }
                float[] f;
                if (data instanceof float[] a) {
                    f = a;
                } else if (data instanceof double[] a) {
                    f = new float[a.length];
                    for (int i = 0; i < a.length; i++) {
                        f[i] = (float) a[i];
                    }
                } else {
                    throw new MalformedModelException(where + ": expected float32 or float64 data, found "
                            + (data == null ? "none" : data.getClass().getSimpleName()));
                }
                if (f.length != count) {
                    throw new MalformedModelException(where + ": expected " + count + " values, found " + f.length);
                }
                return f;
            }
        };
    }

    /** Reads a string or string-array attribute (fixed or variable length, or bytes); absent = empty. */
    static List<String> strings(Attribute a, String what) throws MalformedModelException {
        if (a == null || a.isEmpty()) {
            return List.of();
        }
        Object d;
        try {
            d = a.getData();
        } catch (RuntimeException e) {
            throw new MalformedModelException("attribute of '" + what + "': " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        flatten(d, out, what);
        return out;
    }

    private static void flatten(Object d, List<String> out, String what) throws MalformedModelException {
        if (d == null) {
            return;
        }
        if (d instanceof String s) {
            out.add(s);
        } else if (d instanceof byte[] b) {
            out.add(new String(b, StandardCharsets.UTF_8));
        } else if (d instanceof Object[] arr) {
            if (arr.length > 1 << 16) {
                throw new MalformedModelException("attribute of '" + what + "': expected at most 65536 names, found "
                        + arr.length);
            }
            for (Object o : arr) {
                flatten(o, out, what);
            }
        } else {
            throw new MalformedModelException("attribute of '" + what + "': expected strings, found "
                    + d.getClass().getSimpleName());
        }
    }

    /**
     * Reads a string attribute of a node, or null when absent.
     *
     * @param n the node
     * @param name the attribute
     * @return the text, or null
     * @throws MalformedModelException if the attribute is not text
     */
    public static String stringAttribute(Node n, String name) throws MalformedModelException {
        Attribute a;
        try {
            a = n.getAttribute(name);
        } catch (RuntimeException e) {
            throw new MalformedModelException("attribute '" + name + "': " + e.getMessage(), e);
        }
        if (a == null) {
            return null;
        }
        List<String> s = strings(a, name);
        if (s.size() != 1) {
            throw new MalformedModelException("attribute '" + name + "': expected one string, found " + s.size());
        }
        return s.get(0);
    }

    private Node path(Group g, String relative) throws MalformedModelException {
        Node cur = g;
        for (String part : relative.split("/", 16)) {
            if (part.isEmpty()) {
                continue;
            }
            if (!(cur instanceof Group cg)) {
                return null;
            }
            cur = child(cg, part);
            if (cur == null) {
                return null;
            }
        }
        return cur == g ? null : cur;
    }

    private Node child(Group g, String name) throws MalformedModelException {
        return children(g, name).get(name);
    }

    private Map<String, Node> children(Group g, String what) throws MalformedModelException {
        try {
            return g.getChildren();
        } catch (RuntimeException e) {
            throw new MalformedModelException("'" + source + "': cannot list group '" + g.getPath() + "' (for '"
                    + what + "'): " + e.getMessage(), e);
        }
    }

    private String where(String layerName) {
        return "'" + source + "': weights of layer '" + layerName + "'";
    }
}
