package io.tinyml.train;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A typed description of a feed-forward image classifier — layers and widths — that builds an IR
 * model with freshly initialised weights ({@link #toModel(long)}), ready for {@link Training}. The
 * architecture search describes its candidates with it.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * NetworkSpec dscnn = NetworkSpec.builder(28, 28, 1)
 *         .conv(32, 3, 2)                // 3x3 stride 2, batch norm, ReLU
 *         .depthwiseSeparable(64, 1)     // 3x3 depthwise + 1x1 pointwise, each with batch norm and ReLU
 *         .depthwiseSeparable(64, 2)
 *         .globalAveragePool()
 *         .dense(10)
 *         .build();
 * Model m = dscnn.toModel(42);
 * }</pre>
 *
 * @param height input height
 * @param width input width
 * @param channels input channels
 * @param layers the layers in order
 */
public record NetworkSpec(int height, int width, int channels, List<Layer> layers) {

    /**
     * Validates the description.
     *
     * @param height input height
     * @param width input width
     * @param channels input channels
     * @param layers the layers
     * @throws IllegalArgumentException if a size is not positive or there are no layers
     */
    public NetworkSpec {
        if (height < 1 || width < 1 || channels < 1) {
            throw new IllegalArgumentException("expected a positive input size, found " + height + "x" + width + "x"
                    + channels);
        }
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("expected at least one layer, found none");
        }
    }

    /**
     * One layer of a {@link NetworkSpec}.
     */
    public sealed interface Layer permits Conv, DepthwiseConv, Dense, MaxPool, AveragePool, GlobalAveragePool,
            Flatten {
    }

    /**
     * Convolution with SAME padding, then optional batch norm, then the activation.
     *
     * @param filters output channels
     * @param kernel square kernel size
     * @param stride stride in both directions
     * @param batchNorm whether batch norm follows (the convolution then has no bias)
     * @param activation the activation
     */
    public record Conv(int filters, int kernel, int stride, boolean batchNorm, Activation activation) implements Layer {
        /** Validates. @throws IllegalArgumentException if a size is not positive */
        public Conv {
            positive(filters, kernel, stride);
            Objects.requireNonNull(activation, "activation");
        }
    }

    /**
     * Depthwise convolution with SAME padding, then optional batch norm, then the activation.
     *
     * @param kernel square kernel size
     * @param stride stride in both directions
     * @param multiplier output channels per input channel
     * @param batchNorm whether batch norm follows
     * @param activation the activation
     */
    public record DepthwiseConv(int kernel, int stride, int multiplier, boolean batchNorm, Activation activation)
            implements Layer {
        /** Validates. @throws IllegalArgumentException if a size is not positive */
        public DepthwiseConv {
            positive(kernel, stride, multiplier);
            Objects.requireNonNull(activation, "activation");
        }
    }

    /**
     * Fully-connected layer (flattens its input first when needed).
     *
     * @param units outputs
     * @param activation the activation
     */
    public record Dense(int units, Activation activation) implements Layer {
        /** Validates. @throws IllegalArgumentException if units is not positive */
        public Dense {
            positive(units);
            Objects.requireNonNull(activation, "activation");
        }
    }

    /**
     * Max pooling, VALID padding.
     *
     * @param size square window
     * @param stride stride
     */
    public record MaxPool(int size, int stride) implements Layer {
        /** Validates. @throws IllegalArgumentException if a size is not positive */
        public MaxPool {
            positive(size, stride);
        }
    }

    /**
     * Average pooling, VALID padding.
     *
     * @param size square window
     * @param stride stride
     */
    public record AveragePool(int size, int stride) implements Layer {
        /** Validates. @throws IllegalArgumentException if a size is not positive */
        public AveragePool {
            positive(size, stride);
        }
    }

    /** Mean over height and width, to {@code [1, C]}. */
    public record GlobalAveragePool() implements Layer {
    }

    /** Flattens {@code [1, H, W, C]} to {@code [1, H*W*C]} in NHWC order. */
    public record Flatten() implements Layer {
    }

    private static void positive(int... v) {
        for (int x : v) {
            if (x < 1) {
                throw new IllegalArgumentException("expected positive layer sizes, found " + x);
            }
        }
    }

    /**
     * Starts a description for inputs of {@code [1, height, width, channels]} float values.
     *
     * @param height input height
     * @param width input width
     * @param channels input channels
     * @return a builder; not thread-safe
     */
    public static Builder builder(int height, int width, int channels) {
        return new Builder(height, width, channels);
    }

    /**
     * Builds the IR model with initialised weights: He-normal filters and weights
     * ({@code N(0, 2 / fan_in)}) drawn from {@code java.util.Random(seed)}, zero biases, batch norm
     * scale 1, offset 0, mean 0, variance 1.
     *
     * @param seed the seed
     * @return the float model (input {@code [1, H, W, C]}, output {@code [1, units]} of the last dense layer)
     * @throws IllegalArgumentException if the layers do not fit (a window larger than its input, a
     *     spatial layer after flattening)
     */
    public Model toModel(long seed) {
        return new io.tinyml.train.internal.NetworkBuilder(height, width, channels, seed).build(this);
    }

    /**
     * Returns the input shape.
     *
     * @return {@code [1, height, width, channels]}
     */
    public Shape inputShape() {
        return Shape.of(1, height, width, channels);
    }

    /** Accumulates layers. Not thread-safe. */
    public static final class Builder {
        private final int height;
        private final int width;
        private final int channels;
        private final List<Layer> layers = new ArrayList<>();

        private Builder(int height, int width, int channels) {
            this.height = height;
            this.width = width;
            this.channels = channels;
        }

        /**
         * Adds any layer.
         *
         * @param l the layer
         * @return this builder
         */
        public Builder add(Layer l) {
            layers.add(Objects.requireNonNull(l, "layer"));
            return this;
        }

        /**
         * Adds a convolution with batch norm and ReLU.
         *
         * @param filters output channels
         * @param kernel square kernel size
         * @param stride stride
         * @return this builder
         */
        public Builder conv(int filters, int kernel, int stride) {
            return add(new Conv(filters, kernel, stride, true, Activation.RELU));
        }

        /**
         * Adds a depthwise-separable block: 3x3 depthwise (stride) and 1x1 pointwise convolution to
         * {@code filters} channels, each with batch norm and ReLU.
         *
         * @param filters output channels of the pointwise convolution
         * @param stride stride of the depthwise convolution
         * @return this builder
         */
        public Builder depthwiseSeparable(int filters, int stride) {
            add(new DepthwiseConv(3, stride, 1, true, Activation.RELU));
            return add(new Conv(filters, 1, 1, true, Activation.RELU));
        }

        /**
         * Adds max pooling.
         *
         * @param size window and stride
         * @return this builder
         */
        public Builder maxPool(int size) {
            return add(new MaxPool(size, size));
        }

        /**
         * Adds global average pooling.
         *
         * @return this builder
         */
        public Builder globalAveragePool() {
            return add(new GlobalAveragePool());
        }

        /**
         * Adds flattening.
         *
         * @return this builder
         */
        public Builder flatten() {
            return add(new Flatten());
        }

        /**
         * Adds a fully-connected layer without activation (logits).
         *
         * @param units outputs
         * @return this builder
         */
        public Builder dense(int units) {
            return add(new Dense(units, Activation.NONE));
        }

        /**
         * Builds the description.
         *
         * @return the description
         * @throws IllegalArgumentException if a size is not positive or there are no layers
         */
        public NetworkSpec build() {
            return new NetworkSpec(height, width, channels, layers);
        }
    }
}
