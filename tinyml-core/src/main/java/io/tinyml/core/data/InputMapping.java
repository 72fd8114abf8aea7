package io.tinyml.core.data;

import io.tinyml.core.data.internal.ImageOps;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Half;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Maps a {@link Sample} onto a model input tensor: the bytes the interpreter takes, or the real
 * (dequantized) values they stand for.
 *
 * <p>Steps, in order:
 * <ol>
 *   <li><b>Layout.</b> When the sample and the input hold the same number of elements and differ only
 *       in layout or batch (the same dimensions other than 1 in the same order, e.g. {@code [28,28,1]}
 *       and {@code [1,1,28,28]}, or one of them is flat, e.g. {@code [1,784]}), values are mapped by
 *       element count, in order.</li>
 *   <li><b>Images.</b> Otherwise, when the sample is an image ({@code [h,w,c]}, c = 1 or 3) and the input
 *       is one ({@code [1,H,W,C]} or {@code [H,W,C]}, C = 1 or 3), and resizing is enabled: channels are
 *       converted (RGB to grey by luma 0.299 R + 0.587 G + 0.114 B; grey to RGB by replication), then the
 *       image is resized bilinearly with half-pixel centres (as {@code tf.image.resize}) if {@code h×w}
 *       differ. With resizing disabled, a change of size or channels is refused.</li>
 *   <li><b>Scaling.</b> {@code real = raw * scale + offset} (defaults 1 and 0).</li>
 *   <li><b>Quantization.</b> For INT8, UINT8 and INT16 inputs with per-tensor parameters
 *       {@code (s, zp)}: {@code q = clamp(round_half_away_from_zero(real / s) + zp)} to the type's range,
 *       with the division in float32 as TFLite does; values the clamp changes are <i>clipped</i>
 *       ({@link MappingStats} counts them). FLOAT32 and FLOAT16 take the real values.</li>
 * </ol>
 * Bytes are little-endian, row-major. Immutable and thread-safe.
 *
 * <pre>{@code
 * InputMapping m = InputMapping.builder()
 *         .setInput(g.tensor(g.inputs().get(0)))     // g = model.graph(); e.g. INT8 [1,96,96,1], zp -128
 *         .optScale(1f / 255)
 *         .build();
 * byte[] in = m.toInputBytes(dataset.get(0));        // pixel 0 -> -128, 255 -> 127
 * }</pre>
 *
 * @param input the model input tensor (type FLOAT32, FLOAT16, INT8, UINT8 or INT16)
 * @param scale multiplies raw sample values
 * @param offset is added after scaling
 * @param resize whether images may be resized to the input's height and width and have their channels
 *     converted (grey to RGB or back)
 */
public record InputMapping(Tensor input, float scale, float offset, boolean resize) {
    /**
     * Validates the mapping.
     *
     * @param input the model input tensor
     * @param scale multiplies raw sample values
     * @param offset is added after scaling
     * @param resize whether images may be resized
     * @throws IllegalArgumentException if the input type is unsupported, a quantized input lacks
     *     per-tensor parameters, or the scale or offset is not finite
     */
    public InputMapping {
        Objects.requireNonNull(input, "input");
        DataType t = input.type();
        if (t != DataType.FLOAT32 && t != DataType.FLOAT16 && t != DataType.INT8 && t != DataType.UINT8
                && t != DataType.INT16) {
            throw new IllegalArgumentException("expected an input of type FLOAT32, FLOAT16, INT8, UINT8 or INT16, found "
                    + t + " for '" + input.name() + "'");
        }
        if (!t.isFloat()) {
            QuantParams q = input.quant().orElseThrow(() -> new IllegalArgumentException(
                    "expected quantization parameters on " + t + " input '" + input.name() + "', found none"));
            if (!q.isPerTensor()) {
                throw new IllegalArgumentException("expected per-tensor quantization on input '" + input.name()
                        + "', found per-axis on axis " + q.axis());
            }
        }
        if (!Float.isFinite(scale) || !Float.isFinite(offset)) {
            throw new IllegalArgumentException("expected a finite scale and offset, found " + scale + " and " + offset);
        }
    }

    /**
     * Starts a builder.
     *
     * @return a builder; not thread-safe
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding this mapping's settings.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        return new Builder().setInput(input).optScale(scale).optOffset(offset).optResize(resize);
    }

    /**
     * Maps a sample to the real values the input stands for (after layout, channel conversion,
     * resizing and scaling; before quantization).
     *
     * @param sample the sample
     * @return one value per input element, row-major
     * @throws IllegalArgumentException if the sample cannot be mapped onto the input's shape
     */
    public float[] toRealValues(Sample sample) {
        float[] v = arrange(sample);
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] * scale + offset;
        }
        return v;
    }

    /**
     * Maps a sample to the input tensor's bytes, quantizing for integer inputs.
     *
     * @param sample the sample
     * @return {@code input().byteSize()} little-endian bytes
     * @throws IllegalArgumentException if the sample cannot be mapped onto the input's shape
     */
    public byte[] toInputBytes(Sample sample) {
        return toInputBytes(sample, null);
    }

    /**
     * Maps a sample to the input tensor's bytes, quantizing for integer inputs, and records in
     * {@code stats} the range of its raw values (after layout and resizing, before scaling) and how many
     * values quantization clipped.
     *
     * @param sample the sample
     * @param stats receives the sample's figures, or null
     * @return {@code input().byteSize()} little-endian bytes
     * @throws IllegalArgumentException if the sample cannot be mapped onto the input's shape
     */
    public byte[] toInputBytes(Sample sample, MappingStats stats) {
        float[] raw = arrange(sample);
        float[] real = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            real[i] = raw[i] * scale + offset;
        }
        if (stats != null) {
            stats.record(raw, real, this);
        }
        DataType t = input.type();
        ByteBuffer b = ByteBuffer.allocate(real.length * t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t) {
            case FLOAT32 -> b.asFloatBuffer().put(real);
            case FLOAT16 -> {
                for (float r : real) {
                    b.putShort(Half.fromFloat(r));
                }
            }
            case INT8 -> {
                for (float r : real) {
                    b.put((byte) quantize(r, -128, 127));
                }
            }
            case UINT8 -> {
                for (float r : real) {
                    b.put((byte) quantize(r, 0, 255));
                }
            }
            case INT16 -> {
                for (float r : real) {
                    b.putShort((short) quantize(r, -32768, 32767));
                }
            }
            default -> throw new IllegalStateException("expected a validated input type, found " + t);
        }
        return b.array();
    }

    /**
     * Quantizes one real value with the input's parameters: {@code clamp(round_half_away(real / s) + zp)}.
     *
     * @param real the value
     * @param min the smallest representable value
     * @param max the largest representable value
     * @return the quantized value
     */
    private int quantize(float real, int min, int max) {
        return (int) Math.max(min, Math.min(max, unclamped(real)));
    }

    /** {@code round_half_away(real / s) + zp}, before the clamp. */
    private double unclamped(float real) {
        QuantParams q = input.requireQuant();
        float x = real / q.scale();
        double r = Math.signum(x) * Math.floor(Math.abs((double) x) + 0.5);
        return r + q.zeroPoint();
    }

    /**
     * Whether quantizing a real value for this input clamps it to the type's range.
     *
     * @param real the value
     * @return true for an integer input whose range does not hold the value; false for float inputs
     */
    public boolean clips(float real) {
        DataType t = input.type();
        if (t.isFloat()) {
            return false;
        }
        double v = unclamped(real);
        return v < minOf(t) || v > maxOf(t);
    }

    /**
     * Returns the real values an integer input represents, {@code [(min - zp) * s, (max - zp) * s]} for its
     * type's range; for float inputs, every value.
     *
     * @return {low, high}; infinite bounds for float inputs
     */
    public float[] realRange() {
        DataType t = input.type();
        if (t.isFloat()) {
            return new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        }
        QuantParams q = input.requireQuant();
        return new float[] {(minOf(t) - q.zeroPoint()) * q.scale(), (maxOf(t) - q.zeroPoint()) * q.scale()};
    }

    private static int minOf(DataType t) {
        return t == DataType.UINT8 ? 0 : t == DataType.INT16 ? -32768 : -128;
    }

    private static int maxOf(DataType t) {
        return t == DataType.UINT8 ? 255 : t == DataType.INT16 ? 32767 : 127;
    }

    private float[] arrange(Sample sample) {
        Shape from = sample.shape();
        Shape to = input.shape();
        int n = to.elementCount();
        if (from.elementCount() == n && sameLayout(from, to)) {
            return sample.values();
        }
        int[] target = imageDims(to);
        if (Dataset.isImageShape(from) && target != null) {
            int h = from.dim(0);
            int w = from.dim(1);
            int c = from.dim(2);
            if ((h != target[0] || w != target[1] || c != target[2]) && !resize) {
                throw new IllegalArgumentException("expected a " + target[0] + "x" + target[1] + "x" + target[2]
                        + " image for input '" + input.name() + "' " + to + ", found a sample of shape " + from
                        + " and resizing disabled (no change of size or channels)");
            }
            float[] v = ImageOps.convertChannels(sample.values(), h * w, c, target[2]);
            return ImageOps.resizeBilinear(v, h, w, target[2], target[0], target[1]);
        }
        throw new IllegalArgumentException("expected a sample of " + n + " elements laid out like input '" + input.name()
                + "' " + to + ", found shape " + from + " (" + from.elementCount() + " elements); no resize applies"
                + (target == null ? " because the input is not an [1,H,W,C] image with 1 or 3 channels"
                : " because the sample is not an [h,w,c] image with 1 or 3 channels"));
    }

    /** Same dimensions other than 1, in the same order; or either side flat. */
    private static boolean sameLayout(Shape a, Shape b) {
        int[] x = nonUnit(a);
        int[] y = nonUnit(b);
        return x.length <= 1 || y.length <= 1 || java.util.Arrays.equals(x, y);
    }

    private static int[] nonUnit(Shape s) {
        return java.util.Arrays.stream(s.toArray()).filter(d -> d != 1).toArray();
    }

    /** {H, W, C} for [1,H,W,C] or [H,W,C] with C = 1 or 3, else null. */
    private static int[] imageDims(Shape s) {
        if (s.rank() == 4 && s.dim(0) == 1 && (s.dim(3) == 1 || s.dim(3) == 3)) {
            return new int[] {s.dim(1), s.dim(2), s.dim(3)};
        }
        if (s.rank() == 3 && (s.dim(2) == 1 || s.dim(2) == 3)) {
            return new int[] {s.dim(0), s.dim(1), s.dim(2)};
        }
        return null;
    }

    /**
     * Builds an {@link InputMapping}: {@code setInput} is required; scale (1), offset (0) and resize
     * (true) are optional. Not thread-safe.
     */
    public static final class Builder {
        private Tensor input;
        private float scale = 1f;
        private float offset = 0f;
        private boolean resize = true;

        private Builder() {
        }

        /**
         * Sets the model input tensor.
         *
         * @param tensor the input
         * @return this builder
         */
        public Builder setInput(Tensor tensor) {
            this.input = tensor;
            return this;
        }

        /**
         * Sets the factor applied to raw values (e.g. {@code 1/255f} for 8-bit pixels to [0, 1]).
         *
         * @param s the scale
         * @return this builder
         */
        public Builder optScale(float s) {
            this.scale = s;
            return this;
        }

        /**
         * Sets the value added after scaling (e.g. {@code -1} with scale {@code 2/255f} for [-1, 1]).
         *
         * @param o the offset
         * @return this builder
         */
        public Builder optOffset(float o) {
            this.offset = o;
            return this;
        }

        /**
         * Sets whether images may be resized to the input's height and width.
         *
         * @param enabled true to resize (the default)
         * @return this builder
         */
        public Builder optResize(boolean enabled) {
            this.resize = enabled;
            return this;
        }

        /**
         * Builds the mapping.
         *
         * @return the mapping
         * @throws IllegalStateException if no input was set
         * @throws IllegalArgumentException if the settings are invalid (see {@link InputMapping})
         */
        public InputMapping build() {
            if (input == null) {
                throw new IllegalStateException("expected an input tensor (setInput), found none");
            }
            return new InputMapping(input, scale, offset, resize);
        }
    }
}
