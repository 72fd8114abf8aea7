package io.tinyml.core.ir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A named, typed tensor of a graph: an activation, or a constant when it carries data.
 *
 * <p>Constant data is stored as little-endian bytes in the tensor's own data type, row-major. The
 * tensor is immutable: its data is copied on the way in and handed out read-only. Thread-safe.
 *
 * <pre>{@code
 * Tensor w = Tensor.constant("w", DataType.FLOAT32, Shape.of(2, 3), floats);
 * Tensor x = Tensor.activation("x", DataType.INT8, Shape.of(1, 3))
 *         .withQuant(QuantParams.perTensor(0.05f, -128));
 * }</pre>
 */
public final class Tensor {
    private final String name;
    private final DataType type;
    private final Shape shape;
    private final QuantParams quant;
    private final byte[] data;

    private Tensor(String name, DataType type, Shape shape, QuantParams quant, byte[] data) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.shape = Objects.requireNonNull(shape, "shape");
        this.quant = quant;
        if (data != null && (long) shape.elementCount() * type.byteSize() != data.length) {
            throw new IllegalArgumentException("expected " + (long) shape.elementCount() * type.byteSize()
                    + " data bytes for tensor '" + name + "' " + type + shape + ", found " + data.length);
        }
        if (quant != null && !quant.isPerTensor()) {
            if (quant.axis() >= shape.rank() || quant.size() != shape.dim(quant.axis())) {
                throw new IllegalArgumentException("expected " + (quant.axis() < shape.rank()
                        ? shape.dim(quant.axis()) + " scales on axis " + quant.axis() : "an axis below rank " + shape.rank())
                        + " for tensor '" + name + "' " + shape + ", found " + quant.size() + " scales on axis " + quant.axis());
            }
        }
        this.data = data;
    }

    /**
     * Creates a tensor without data (an activation, a graph input or output).
     *
     * @param name the name, unique within a graph
     * @param type the element type
     * @param shape the shape
     * @return the tensor
     */
    public static Tensor activation(String name, DataType type, Shape shape) {
        return new Tensor(name, type, shape, null, null);
    }

    /**
     * Creates a constant tensor from little-endian bytes.
     *
     * @param name the name
     * @param type the element type
     * @param shape the shape
     * @param littleEndianBytes the data; copied; its length must equal elements times element size
     * @return the tensor
     * @throws IllegalArgumentException if the data length does not match the shape
     */
    public static Tensor constant(String name, DataType type, Shape shape, byte[] littleEndianBytes) {
        return new Tensor(name, type, shape, null, littleEndianBytes.clone());
    }

    /**
     * Creates a float32 constant.
     *
     * @param name the name
     * @param shape the shape
     * @param values the values, row-major
     * @return the tensor
     */
    public static Tensor ofFloats(String name, Shape shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(name, DataType.FLOAT32, shape, null, b.array());
    }

    /**
     * Creates an int32 constant.
     *
     * @param name the name
     * @param shape the shape
     * @param values the values, row-major
     * @return the tensor
     */
    public static Tensor ofInts(String name, Shape shape, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return new Tensor(name, DataType.INT32, shape, null, b.array());
    }

    /**
     * Creates an int8 constant.
     *
     * @param name the name
     * @param shape the shape
     * @param values the values, row-major; copied
     * @return the tensor
     */
    public static Tensor ofInt8(String name, Shape shape, byte[] values) {
        return new Tensor(name, DataType.INT8, shape, null, values.clone());
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the element type */
    public DataType type() {
        return type;
    }

    /** @return the shape */
    public Shape shape() {
        return shape;
    }

    /**
     * Returns the quantization parameters, if the tensor is quantized.
     *
     * @return the parameters, or empty
     */
    public Optional<QuantParams> quant() {
        return Optional.ofNullable(quant);
    }

    /**
     * Returns the quantization parameters or fails.
     *
     * @return the parameters
     * @throws IllegalStateException if the tensor has none
     */
    public QuantParams requireQuant() {
        if (quant == null) {
            throw new IllegalStateException("expected quantization parameters on tensor '" + name + "' (" + type
                    + "), found none");
        }
        return quant;
    }

    /**
     * Tells whether the tensor carries constant data.
     *
     * @return true for constants
     */
    public boolean isConstant() {
        return data != null;
    }

    /**
     * Returns the number of bytes the tensor's values occupy.
     *
     * @return elements times element size
     */
    public int byteSize() {
        return shape.elementCount() * type.byteSize();
    }

    /**
     * Returns the constant data as a read-only little-endian buffer.
     *
     * @return the data
     * @throws IllegalStateException if the tensor is not a constant
     */
    public ByteBuffer data() {
        return ByteBuffer.wrap(requireData()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Returns a copy of the constant data.
     *
     * @return the little-endian bytes
     * @throws IllegalStateException if the tensor is not a constant
     */
    public byte[] bytes() {
        return requireData().clone();
    }

    /**
     * Returns the constant data as floats, converting from float16 if needed.
     *
     * @return the values
     * @throws IllegalStateException if the tensor is not a float constant
     */
    public float[] floats() {
        ByteBuffer b = data();
        float[] out = new float[shape.elementCount()];
        if (type == DataType.FLOAT32) {
            b.asFloatBuffer().get(out);
        } else if (type == DataType.FLOAT16) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Half.toFloat(b.getShort(2 * i));
            }
        } else {
            throw new IllegalStateException("expected a float tensor, found '" + name + "' of type " + type);
        }
        return out;
    }

    /**
     * Returns the constant data widened to ints (INT8, UINT8, INT16, INT32, BOOL; INT64 if in range).
     *
     * @return the values
     * @throws IllegalStateException if the tensor is not an integer constant or an int64 value overflows
     */
    public int[] ints() {
        ByteBuffer b = data();
        int n = shape.elementCount();
        int[] out = new int[n];
        switch (type) {
            case INT8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case UINT8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
            case INT16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i); }
            case INT32 -> b.asIntBuffer().get(out);
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    long v = b.getLong(8 * i);
                    if (v != (int) v) {
                        throw new IllegalStateException("int64 value " + v + " of tensor '" + name + "' exceeds int32");
                    }
                    out[i] = (int) v;
                }
            }
            default -> throw new IllegalStateException("expected an integer tensor, found '" + name + "' of type " + type);
        }
        return out;
    }

    /**
     * Returns a copy with another name.
     *
     * @param newName the name
     * @return the tensor
     */
    public Tensor withName(String newName) {
        return new Tensor(newName, type, shape, quant, data);
    }

    /**
     * Returns a copy with other quantization parameters.
     *
     * @param q the parameters, or null to remove them
     * @return the tensor
     */
    public Tensor withQuant(QuantParams q) {
        return new Tensor(name, type, shape, q, data);
    }

    /**
     * Returns a copy with another shape (same element count for constants).
     *
     * @param s the shape
     * @return the tensor
     */
    public Tensor withShape(Shape s) {
        return new Tensor(name, type, s, quant, data);
    }

    /**
     * Returns a copy without data (an activation with the same name, type, shape and quantization).
     *
     * @return the tensor
     */
    public Tensor withoutData() {
        return new Tensor(name, type, shape, quant, null);
    }

    /**
     * Returns a constant copy with new data of the same type and shape.
     *
     * @param littleEndianBytes the data; copied
     * @return the tensor
     */
    public Tensor withData(byte[] littleEndianBytes) {
        return new Tensor(name, type, shape, quant, littleEndianBytes.clone());
    }

    private byte[] requireData() {
        if (data == null) {
            throw new IllegalStateException("expected a constant, found activation tensor '" + name + "'");
        }
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && type == t.type && shape.equals(t.shape)
                && Objects.equals(quant, t.quant) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, shape, quant) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor{" + name + " " + type + shape + (quant != null ? " " + quant : "")
                + (data != null ? " const" : "") + "}";
    }
}
