package io.tinyml.devices.harness;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A board's {@code m-results-[...]} compared with the interpreter's outputs of the same input. Integer
 * outputs are compared as codes (the board prints {@code (q - zero) * scale} with six decimals, from
 * which the code is recovered exactly); float outputs within the six printed decimals.
 *
 * @param values the result values compared
 * @param mismatches how many differ
 * @param maxAbsDiff the largest absolute difference of the dequantized values
 */
public record ResultCheck(int values, int mismatches, double maxAbsDiff) {
    /** @return true if every value matches */
    public boolean equal() {
        return mismatches == 0;
    }

    /**
     * Compares a board's results with the interpreter's outputs.
     *
     * @param g the model graph
     * @param expected the interpreter's outputs (one byte array per graph output)
     * @param board the board's result vector (all outputs concatenated)
     * @return the comparison; a length mismatch counts every missing or extra value as a mismatch
     */
    public static ResultCheck of(Graph g, byte[][] expected, float[] board) {
        int k = 0;
        int mismatches = 0;
        int total = 0;
        double maxDiff = 0;
        for (int o = 0; o < g.outputs().size(); o++) {
            Tensor t = g.outputTensor(o);
            ByteBuffer b = ByteBuffer.wrap(expected[o]).order(ByteOrder.LITTLE_ENDIAN);
            int n = t.shape().elementCount();
            QuantParams q = t.type() == DataType.FLOAT32 ? null : t.quant().orElse(null);
            float scale = q == null ? 1f : q.scale();
            int zero = q == null ? 0 : q.zeroPoint();
            for (int i = 0; i < n; i++, k++, total++) {
                if (k >= board.length) {
                    mismatches++;
                    continue;
                }
                float v = board[k];
                switch (t.type()) {
                    case FLOAT32 -> {
                        float ref = b.getFloat(4 * i);
                        double d = Math.abs(v - ref);
                        maxDiff = Math.max(maxDiff, d);
                        mismatches += d <= 5.01e-7 + 1e-6 * Math.abs(ref) ? 0 : 1;
                    }
                    default -> {
                        long ref = switch (t.type()) {
                            case INT8 -> b.get(i);
                            case UINT8 -> b.get(i) & 0xff;
                            case INT16 -> b.getShort(2 * i);
                            case INT32 -> b.getInt(4 * i);
                            default -> throw new IllegalArgumentException("expected an int8, uint8, int16, int32 or"
                                    + " float32 output, found " + t.type() + " in " + t.name());
                        };
                        long code = Math.round(v / scale) + zero;
                        maxDiff = Math.max(maxDiff, Math.abs(v - (ref - zero) * (double) scale));
                        mismatches += code == ref ? 0 : 1;
                    }
                }
            }
        }
        mismatches += Math.max(0, board.length - k);
        return new ResultCheck(total, mismatches, maxDiff);
    }

    /**
     * Dequantizes an output tensor's bytes as the harness firmware prints them: {@code (q - zero) * scale},
     * or the float values of a float32 output.
     *
     * @param t the output tensor
     * @param bytes its bytes (little-endian)
     * @return the values
     * @throws IllegalArgumentException if the type is not int8, uint8, int16, int32 or float32
     */
    public static float[] dequantize(Tensor t, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = t.shape().elementCount();
        QuantParams q = t.type() == DataType.FLOAT32 ? null : t.quant().orElse(null);
        float scale = q == null ? 1f : q.scale();
        int zero = q == null ? 0 : q.zeroPoint();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            long code = switch (t.type()) {
                case FLOAT32 -> 0;
                case INT8 -> b.get(i);
                case UINT8 -> b.get(i) & 0xff;
                case INT16 -> b.getShort(2 * i);
                case INT32 -> b.getInt(4 * i);
                default -> throw new IllegalArgumentException("expected an int8, uint8, int16, int32 or float32"
                        + " output, found " + t.type() + " in " + t.name());
            };
            v[i] = t.type() == DataType.FLOAT32 ? b.getFloat(4 * i) : (float) (code - zero) * scale;
        }
        return v;
    }
}
