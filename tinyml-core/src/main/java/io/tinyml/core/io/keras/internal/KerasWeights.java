package io.tinyml.core.io.keras.internal;

import io.tinyml.core.MalformedModelException;

import java.util.List;

/**
 * The stored weights of a Keras model, per layer, in the layer's creation order (Keras 2
 * {@code weight_names} order, Keras 3 {@code vars/0, vars/1, ...}). Shapes are known before data is
 * read, so a caller can refuse a weight whose shape does not match the configuration without
 * reading it.
 */
public interface KerasWeights {

    /**
     * One stored weight.
     */
    interface Weight {
        /** @return the stored name ("conv2d/kernel:0"), or the index for Keras 3 variables */
        String name();

        /** @return the stored dimensions */
        int[] dims();

        /**
         * Reads the values as float32, row-major.
         *
         * @return the values, {@code product(dims)} of them
         * @throws MalformedModelException if the data cannot be read or is not a float type
         */
        float[] read() throws MalformedModelException;
    }

    /**
     * Returns the weights of a layer, empty when the layer stores none.
     *
     * @param layerName the layer's name in the configuration (the Keras 2 key)
     * @param keras3Key the layer's key in a Keras 3 weights file: its class name in snake case,
     *        suffixed {@code _k} for the k-th earlier layer of the same class ({@code conv2d_1})
     * @return the weights in creation order
     * @throws MalformedModelException if the stored layout is corrupt
     */
    List<Weight> weights(String layerName, String keras3Key) throws MalformedModelException;
}
