package io.tinyml.core.io.keras;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One-layer Keras 2 functional models for the CLI's operator support matrix, written with the core tests'
 * {@link KerasFixtures} (this class sits in the fixtures' package on the test classpath to reach them).
 */
public final class KerasOneLayer {
    private KerasOneLayer() {
    }

    /**
     * A weight of the layer: its Keras name and dimensions; values are seeded random, positive for
     * {@code moving_variance}.
     *
     * @param name the Keras weight name (kernel, bias, depthwise_kernel, gamma, ...)
     * @param dims the Keras dimensions
     */
    public record Weight(String name, int... dims) {
    }

    /**
     * Writes a Keras 2 {@code .h5} file: an InputLayer {@code in} of shape {@code [null, inputShape...]} and one
     * layer {@code op} called on {@code calls} references to {@code in}, the model's output.
     *
     * @param inputShape the input shape without the batch dimension
     * @param cls the layer class
     * @param cfg the layer config body (without name), may be empty
     * @param calls how many times {@code in} is passed (2 for Add, Subtract, Multiply, Concatenate)
     * @param weights the layer's weights, in Keras order
     * @return the file bytes
     * @throws IOException if jhdf cannot write
     */
    public static byte[] h5(int[] inputShape, String cls, String cfg, int calls, List<Weight> weights)
            throws IOException {
        StringBuilder shape = new StringBuilder("[null");
        for (int d : inputShape) {
            shape.append(", ").append(d);
        }
        shape.append(']');
        List<String> refs = new ArrayList<>(Collections.nCopies(calls, "[\"in\", 0, 0, {}]"));
        String config = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"one\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": " + shape
                + ", \"dtype\": \"float32\"}, \"name\": \"in\", \"inbound_nodes\": []},\n"
                + "{\"class_name\": \"" + cls + "\", \"config\": {\"name\": \"op\"" + (cfg.isEmpty() ? "" : ", " + cfg)
                + "}, \"name\": \"op\", \"inbound_nodes\": [[" + String.join(", ", refs) + "]]}],\n"
                + " \"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"op\", 0, 0]]}}";
        KerasFixtures.Weights w = new KerasFixtures.Weights(17);
        for (Weight x : weights) {
            boolean variance = x.name().equals("moving_variance");
            w.add("op", x.name(), variance ? 0.5f : -0.5f, variance ? 1.5f : 0.5f, x.dims());
        }
        return KerasFixtures.h5(config, w);
    }
}
