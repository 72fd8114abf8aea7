package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.Node;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The read-only part of a prepared model that interpreters of the same model share: constant tensor
 * arrays and weights re-laid-out for the kernels, created once by whichever interpreter needs them
 * first. Thread-safe; what it holds is never written after creation.
 */
public final class SharedWeights {
    private record Key(Node node, String form) {
    }

    private final Map<Key, Object> packed = new ConcurrentHashMap<>();
    private final Map<Integer, Object> constants = new ConcurrentHashMap<>();

    /**
     * Returns a node's weights in one packed form, packing them on first use.
     *
     * @param node the node
     * @param form names the layout (a node may have several)
     * @param pack creates the packed weights
     * @param <T> the array type
     * @return the shared packed weights
     */
    @SuppressWarnings("unchecked")
    <T> T packed(Node node, String form, Supplier<T> pack) {
        return (T) packed.computeIfAbsent(new Key(node, form), k -> pack.get());
    }

    /**
     * Returns the decoded array of a constant tensor, decoding it on first use.
     *
     * @param tensor the tensor index
     * @param decode creates the array
     * @return the shared array
     */
    public Object constant(int tensor, Supplier<Object> decode) {
        return constants.computeIfAbsent(tensor, k -> decode.get());
    }
}
