package io.tinyml.core.runner;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a model, whatever executes it (our {@link io.tinyml.core.runtime.Interpreter}, TensorFlow Java,
 * PyTorch through DJL), on real-valued inputs: the common ground on which {@link Verify} compares two
 * executions of the same network.
 *
 * <p>Inputs and outputs are described by {@link TensorSpec}s: name, shape, element type and the layout
 * in which the runner takes and returns 4-D data. Values are always real (dequantized) numbers,
 * row-major in the spec's shape. Implementations hold native resources or prepared kernels:
 * {@link #close()} releases them, is idempotent, and {@link #run} after close throws
 * {@link IllegalStateException}. Runners are not thread-safe unless they say so.
 *
 * <pre>{@code
 * try (ModelRunner r = new InterpreterRunner(model)) {
 *     float[][] out = r.run(new float[r.inputs().get(0).shape().elementCount()]);
 * }
 * }</pre>
 */
public interface ModelRunner extends AutoCloseable {

    /**
     * How a runner lays out 4-D data. Anything that is not a 4-D activation is {@link #ANY}.
     */
    enum Layout {
        /** Batch, height, width, channels (TensorFlow, TFLite, our IR). */
        NHWC,
        /** Batch, channels, height, width (PyTorch, ONNX). */
        NCHW,
        /** Not a 4-D image-like tensor: no layout applies. */
        ANY
    }

    /**
     * One input or output of a runner.
     *
     * @param name the tensor's name in its source format
     * @param shape the shape in which the runner takes or returns values (batch included)
     * @param type the element type of the underlying tensor; values crossing {@link #run} are real
     * @param layout the layout of {@code shape}
     * @param quant the quantization of an integer tensor, or null for float tensors
     */
    record TensorSpec(String name, Shape shape, DataType type, Layout layout, QuantParams quant) {
        /**
         * Checks that the required fields are present.
         *
         * @param name the tensor's name
         * @param shape the shape
         * @param type the element type
         * @param layout the layout of {@code shape}
         * @param quant the quantization, or null
         */
        public TensorSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(layout, "layout");
        }

        /**
         * Returns the quantization parameters, if the tensor is quantized.
         *
         * @return the parameters, or empty for float tensors
         */
        public Optional<QuantParams> quantization() {
            return Optional.ofNullable(quant);
        }

        @Override
        public String toString() {
            return name + " " + type + shape + (layout == Layout.ANY ? "" : " " + layout);
        }
    }

    /**
     * Describes a model's inputs, in the order {@link #run} takes them.
     *
     * @return the input specs, unmodifiable
     */
    List<TensorSpec> inputs();

    /**
     * Describes a model's outputs, in the order {@link #run} returns them.
     *
     * @return the output specs, unmodifiable
     */
    List<TensorSpec> outputs();

    /**
     * Runs the model once.
     *
     * @param inputs one array of real values per input, row-major in the input spec's shape and layout
     * @return one array of real values per output, row-major in the output spec's shape and layout
     * @throws IllegalArgumentException if the number of inputs or the length of one is wrong
     * @throws IllegalStateException if the runner is closed, or the underlying engine fails
     */
    float[][] run(float[]... inputs);

    /**
     * Releases the runner's resources; idempotent.
     */
    @Override
    void close();

    /**
     * Checks the number and lengths of inputs against specs, for implementations.
     *
     * @param specs the input specs
     * @param inputs the inputs given
     * @throws IllegalArgumentException if the number of inputs or the length of one is wrong
     */
    static void checkInputs(List<TensorSpec> specs, float[]... inputs) {
        if (inputs == null || inputs.length != specs.size()) {
            throw new IllegalArgumentException("expected " + specs.size() + " input(s) " + specs + ", found "
                    + (inputs == null ? "null" : String.valueOf(inputs.length)));
        }
        for (int i = 0; i < inputs.length; i++) {
            int n = specs.get(i).shape().elementCount();
            if (inputs[i] == null || inputs[i].length != n) {
                throw new IllegalArgumentException("expected " + n + " values for input " + i + " ("
                        + specs.get(i) + "), found " + (inputs[i] == null ? "null" : String.valueOf(inputs[i].length)));
            }
        }
    }
}
