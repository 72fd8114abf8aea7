package io.tinyml.core.ir;

import java.util.List;
import java.util.Objects;

/**
 * An operator: a typed, immutable record of its attributes. Tensors it reads and writes are the
 * inputs and outputs of its {@link Node}; the expected inputs of each operator are listed on its
 * record. An optional input that is absent is the index {@link Node#ABSENT}.
 *
 * <p>Quantized variants are not separate operators: the data types and quantization parameters of
 * the tensors decide which kernel runs. Thread-safe (records of immutable values).
 */
public sealed interface Op {

    /**
     * Returns the kind of this operator, for exhaustive switches.
     *
     * @return the kind
     */
    OpKind kind();

    /**
     * Returns the fused activation of this operator, {@link Activation#NONE} when it has none.
     *
     * @return the activation
     */
    default Activation activation() {
        return Activation.NONE;
    }

    /**
     * Returns a copy of this operator with another fused activation.
     *
     * @param a the activation
     * @return the operator
     * @throws UnsupportedOperationException if this operator carries no fused activation
     */
    default Op withActivation(Activation a) {
        throw new UnsupportedOperationException(kind() + " carries no fused activation");
    }

    /**
     * 2-D convolution. Inputs: {@code x [N,H,W,Cin]}, {@code w [Cout,KH,KW,Cin/groups]}, optional
     * {@code bias [Cout]}. Output {@code [N,OH,OW,Cout]}. Grouped convolution when {@code Cin} is a
     * multiple of the filter's input depth.
     *
     * @param strideH vertical stride
     * @param strideW horizontal stride
     * @param dilationH vertical dilation
     * @param dilationW horizontal dilation
     * @param padding the padding rule
     * @param activation the fused activation
     */
    record Conv2D(int strideH, int strideW, int dilationH, int dilationW, Padding padding, Activation activation)
            implements Op {
        public Conv2D {
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.CONV_2D;
        }

        @Override
        public Op withActivation(Activation a) {
            return new Conv2D(strideH, strideW, dilationH, dilationW, padding, a);
        }
    }

    /**
     * Depthwise 2-D convolution. Inputs: {@code x [N,H,W,C]}, {@code w [1,KH,KW,C*M]}, optional
     * {@code bias [C*M]}. Output {@code [N,OH,OW,C*M]}.
     *
     * @param strideH vertical stride
     * @param strideW horizontal stride
     * @param dilationH vertical dilation
     * @param dilationW horizontal dilation
     * @param padding the padding rule
     * @param depthMultiplier output channels per input channel (M)
     * @param activation the fused activation
     */
    record DepthwiseConv2D(int strideH, int strideW, int dilationH, int dilationW, Padding padding,
                           int depthMultiplier, Activation activation) implements Op {
        public DepthwiseConv2D {
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.DEPTHWISE_CONV_2D;
        }

        @Override
        public Op withActivation(Activation a) {
            return new DepthwiseConv2D(strideH, strideW, dilationH, dilationW, padding, depthMultiplier, a);
        }
    }

    /**
     * Fully-connected layer {@code y = x W^T + b}. Inputs: {@code x} (flattened to
     * {@code [batch, in]} by its last dimension), {@code w [out, in]}, optional {@code bias [out]}.
     * Output {@code [batch, out]}, or x's leading dimensions with {@code out} last when
     * {@code keepNumDims}.
     *
     * @param activation the fused activation
     * @param keepNumDims keep the input's rank in the output
     */
    record FullyConnected(Activation activation, boolean keepNumDims) implements Op {
        public FullyConnected {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.FULLY_CONNECTED;
        }

        @Override
        public Op withActivation(Activation a) {
            return new FullyConnected(a, keepNumDims);
        }
    }

    /**
     * Element-wise sum with numpy broadcasting. Inputs: {@code a}, {@code b}.
     *
     * @param activation the fused activation
     */
    record Add(Activation activation) implements Op {
        public Add {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.ADD;
        }

        @Override
        public Op withActivation(Activation a) {
            return new Add(a);
        }
    }

    /**
     * Element-wise difference {@code a - b} with numpy broadcasting.
     *
     * @param activation the fused activation
     */
    record Sub(Activation activation) implements Op {
        public Sub {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.SUB;
        }

        @Override
        public Op withActivation(Activation a) {
            return new Sub(a);
        }
    }

    /**
     * Element-wise product with numpy broadcasting.
     *
     * @param activation the fused activation
     */
    record Mul(Activation activation) implements Op {
        public Mul {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.MUL;
        }

        @Override
        public Op withActivation(Activation a) {
            return new Mul(a);
        }
    }

    /**
     * Average pooling over {@code [N,H,W,C]}; padded positions are not counted (TFLite semantics).
     *
     * @param filterH window height
     * @param filterW window width
     * @param strideH vertical stride
     * @param strideW horizontal stride
     * @param padding the padding rule
     * @param activation the fused activation
     */
    record AveragePool2D(int filterH, int filterW, int strideH, int strideW, Padding padding, Activation activation)
            implements Op {
        public AveragePool2D {
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.AVERAGE_POOL_2D;
        }

        @Override
        public Op withActivation(Activation a) {
            return new AveragePool2D(filterH, filterW, strideH, strideW, padding, a);
        }
    }

    /**
     * Max pooling over {@code [N,H,W,C]}.
     *
     * @param filterH window height
     * @param filterW window width
     * @param strideH vertical stride
     * @param strideW horizontal stride
     * @param padding the padding rule
     * @param activation the fused activation
     */
    record MaxPool2D(int filterH, int filterW, int strideH, int strideW, Padding padding, Activation activation)
            implements Op {
        public MaxPool2D {
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.MAX_POOL_2D;
        }

        @Override
        public Op withActivation(Activation a) {
            return new MaxPool2D(filterH, filterW, strideH, strideW, padding, a);
        }
    }

    /**
     * Max or average pooling over any number of spatial axes, with dilations and explicit pads: what
     * ONNX's MaxPool and AveragePool express beyond {@link MaxPool2D} and {@link AveragePool2D} (3-D
     * pooling, dilations that are not a subsampling, the Indices output). Input {@code x} channels-last
     * {@code [N, D1..Dk, C]} ({@code k >= 1}, NHWC when {@code k = 2}); output {@code [N, O1..Ok, C]}
     * whose sizes decide the rounding: each {@code Oi} lies between the floor and the ceiling of
     * {@code (Di + before + after - ((filter - 1) * dilation + 1)) / stride + 1}. Window {@code o} of an
     * axis taps positions {@code o * stride - before + j * dilation}; taps past the padded end are
     * ignored. Max takes the largest tap on the input; average divides the sum of taps on the input by
     * the taps on the padded input ({@code countPadding}) or on the input. An optional second output
     * (max only) is the INT64 index of each maximum (the first on ties) into the input flattened
     * channels-first, as ONNX's Indices: {@code (n * C + c) * D1..Dk} plus the spatial position,
     * row-major ({@code d1 * D2..Dk + ... + dk}, storage order 0) or column-major
     * ({@code d1 + d2 * D1 + ... + dk * D1..Dk-1}, storage order 1).
     *
     * @param max max pooling when true, average pooling when false
     * @param filter window size per spatial axis
     * @param strides stride per spatial axis
     * @param dilations dilation per spatial axis
     * @param before leading padding per spatial axis
     * @param after trailing padding per spatial axis
     * @param countPadding average pooling divides by taps on the padded input rather than on the input
     * @param columnMajorIndices the Indices output numbers spatial positions column-major
     */
    record Pool(boolean max, List<Integer> filter, List<Integer> strides, List<Integer> dilations, List<Integer> before,
            List<Integer> after, boolean countPadding, boolean columnMajorIndices) implements Op {
        public Pool {
            filter = List.copyOf(filter);
            strides = List.copyOf(strides);
            dilations = List.copyOf(dilations);
            before = List.copyOf(before);
            after = List.copyOf(after);
            int k = filter.size();
            if (k == 0 || strides.size() != k || dilations.size() != k || before.size() != k || after.size() != k) {
                throw new IllegalArgumentException("expected filter, strides, dilations and paddings for the same "
                        + "number (>= 1) of spatial axes, found " + filter + ", " + strides + ", " + dilations + ", "
                        + before + ", " + after);
            }
        }

        @Override
        public OpKind kind() {
            return OpKind.POOL;
        }
    }

    /**
     * Mean over axes (global average pooling is a mean over axes 1 and 2 of NHWC). Input {@code x}.
     *
     * @param axes the reduced axes, non-negative, ascending
     * @param keepDims keep reduced axes as size 1
     */
    record Mean(List<Integer> axes, boolean keepDims) implements Op {
        public Mean {
            axes = List.copyOf(axes);
        }

        @Override
        public OpKind kind() {
            return OpKind.MEAN;
        }
    }

    /**
     * Reshape (also Flatten, Squeeze, Unsqueeze, ExpandDims): the output tensor's shape is the new
     * shape. Input {@code x}; same element count, same data type and quantization.
     */
    record Reshape() implements Op {
        @Override
        public OpKind kind() {
            return OpKind.RESHAPE;
        }
    }

    /**
     * Concatenation of all inputs along an axis.
     *
     * @param axis the axis, non-negative
     * @param activation the fused activation
     */
    record Concatenation(int axis, Activation activation) implements Op {
        public Concatenation {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public OpKind kind() {
            return OpKind.CONCATENATION;
        }

        @Override
        public Op withActivation(Activation a) {
            return new Concatenation(axis, a);
        }
    }

    /**
     * Padding. Input {@code x}; {@code before.get(i)} and {@code after.get(i)} elements are added on
     * each side of axis {@code i}. In {@link PadMode#CONSTANT} mode the padded value is {@code value}
     * in real terms; for a quantized output it is stored as the output zero point when
     * {@code value == 0}. The other modes copy input elements (edge, reflection, wrap-around) and
     * ignore {@code value}.
     *
     * @param before leading padding per axis
     * @param after trailing padding per axis
     * @param value the real value written into padded positions in constant mode
     * @param mode how padded positions are filled
     */
    record Pad(List<Integer> before, List<Integer> after, float value, PadMode mode) implements Op {
        public Pad {
            before = List.copyOf(before);
            after = List.copyOf(after);
            Objects.requireNonNull(mode, "mode");
            if (before.size() != after.size()) {
                throw new IllegalArgumentException("expected as many trailing as leading paddings, found "
                        + before.size() + " and " + after.size());
            }
        }

        /**
         * Constant padding with {@code value}.
         *
         * @param before leading padding per axis
         * @param after trailing padding per axis
         * @param value the real value written into padded positions
         */
        public Pad(List<Integer> before, List<Integer> after, float value) {
            this(before, after, value, PadMode.CONSTANT);
        }

        @Override
        public OpKind kind() {
            return OpKind.PAD;
        }
    }

    /**
     * Softmax over the last axis: {@code exp(beta * x_i) / sum_j exp(beta * x_j)}.
     *
     * @param beta the inverse temperature
     */
    record Softmax(float beta) implements Op {
        @Override
        public OpKind kind() {
            return OpKind.SOFTMAX;
        }
    }

    /**
     * Log-softmax over the last axis: {@code x_i - max - log(sum_j exp(x_j - max))} (ONNX LogSoftmax,
     * TFLite LOG_SOFTMAX; PyTorch classifiers end with it).
     */
    record LogSoftmax() implements Op {
        @Override
        public OpKind kind() {
            return OpKind.LOG_SOFTMAX;
        }
    }

    /** max(0, x). */
    record Relu() implements Op {
        @Override
        public OpKind kind() {
            return OpKind.RELU;
        }
    }

    /** clamp(x, 0, 6). */
    record Relu6() implements Op {
        @Override
        public OpKind kind() {
            return OpKind.RELU6;
        }
    }

    /**
     * clamp(x, min, max).
     *
     * @param min the lower bound (may be negative infinity)
     * @param max the upper bound (may be positive infinity)
     */
    record Clip(float min, float max) implements Op {
        @Override
        public OpKind kind() {
            return OpKind.CLIP;
        }
    }

    /**
     * x for x &gt;= 0, alpha * x otherwise.
     *
     * @param alpha the negative slope
     */
    record LeakyRelu(float alpha) implements Op {
        @Override
        public OpKind kind() {
            return OpKind.LEAKY_RELU;
        }
    }

    /** 1 / (1 + exp(-x)). */
    record Logistic() implements Op {
        @Override
        public OpKind kind() {
            return OpKind.LOGISTIC;
        }
    }

    /** tanh(x). */
    record Tanh() implements Op {
        @Override
        public OpKind kind() {
            return OpKind.TANH;
        }
    }

    /** x * relu6(x + 3) / 6. */
    record HardSwish() implements Op {
        @Override
        public OpKind kind() {
            return OpKind.HARD_SWISH;
        }
    }

    /**
     * Quantize a float tensor, or requantize an integer one, to the output's parameters, saturating
     * to {@code [min, max]} intersected with the output type's range: the type's range by default,
     * narrower for 4- and 2-bit integers held in INT8 or UINT8.
     *
     * @param min the smallest stored value
     * @param max the largest stored value
     */
    record Quantize(int min, int max) implements Op {
        public Quantize {
            if (min > max) {
                throw new IllegalArgumentException("expected saturation bounds min <= max, found " + min + " > " + max);
            }
        }

        /** Quantizes to the output type's full range. */
        public Quantize() {
            this(Integer.MIN_VALUE, Integer.MAX_VALUE);
        }

        /**
         * Returns whether the bounds narrow the output type's range.
         *
         * @return true for a narrowed range
         */
        public boolean narrowed() {
            return min != Integer.MIN_VALUE || max != Integer.MAX_VALUE;
        }

        @Override
        public OpKind kind() {
            return OpKind.QUANTIZE;
        }
    }

    /** Dequantize an integer (or float16) tensor to float32. */
    record Dequantize() implements Op {
        @Override
        public OpKind kind() {
            return OpKind.DEQUANTIZE;
        }
    }

    /**
     * Permutation of axes: output axis {@code i} is input axis {@code perm.get(i)}.
     *
     * @param perm the permutation
     */
    record Transpose(List<Integer> perm) implements Op {
        public Transpose {
            perm = List.copyOf(perm);
        }

        @Override
        public OpKind kind() {
            return OpKind.TRANSPOSE;
        }
    }

    /**
     * Inference batch normalization over the last (channel) axis. Inputs: {@code x}, {@code scale},
     * {@code bias}, {@code mean}, {@code variance}, each of the last four {@code [C]}:
     * {@code y = scale * (x - mean) / sqrt(variance + epsilon) + bias}.
     *
     * @param epsilon added to the variance
     */
    record BatchNormalization(float epsilon) implements Op {
        @Override
        public OpKind kind() {
            return OpKind.BATCH_NORMALIZATION;
        }
    }
}
