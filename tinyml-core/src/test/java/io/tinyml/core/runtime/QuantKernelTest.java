package io.tinyml.core.runtime;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import static io.tinyml.core.runtime.TestModels.single;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Integer kernels on hand-worked cases (TFLite rounding at .5, negative accumulators, saturation). */
class QuantKernelTest {

    private static Tensor q8(String name, float scale, int zp, int... dims) {
        return Tensor.activation(name, DataType.INT8, Shape.of(dims)).withQuant(QuantParams.perTensor(scale, zp));
    }

    private static Tensor q16(String name, float scale, int... dims) {
        return Tensor.activation(name, DataType.INT16, Shape.of(dims)).withQuant(QuantParams.perTensor(scale, 0));
    }

    private static byte[] b(int... v) {
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (byte) v[i];
        }
        return r;
    }

    private static byte[] s16(int... v) {
        ByteBuffer bb = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            bb.putShort((short) x);
        }
        return bb.array();
    }

    private static int[] shorts(byte[] le) {
        int[] r = new int[le.length / 2];
        ByteBuffer bb = ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < r.length; i++) {
            r[i] = bb.getShort();
        }
        return r;
    }

    private static Tensor bias32(String name, int... v) {
        return Tensor.ofInts(name, Shape.of(v.length), v);
    }

    @Test
    void perChannelConvRoundsHalvesAsTflite() throws Exception {
        // input scale 0.5 zp -1; filter scales {0.25, 0.5}; output scale 1 zp 3
        Tensor w = Tensor.ofInt8("w", Shape.of(2, 1, 1, 1), b(2, -3))
                .withQuant(QuantParams.perAxis(new float[] {0.25f, 0.5f}, new long[2], 0));
        Model m = single(new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.NONE), q8("y", 1f, 3, 1, 1, 1, 2),
                q8("x", 0.5f, -1, 1, 1, 1, 1), w, bias32("b", 1, -2));
        // channel 0: acc = 2 * (3 + 1) + 1 = 9; 9 * 0.125 = 1.125 -> 1; + 3 = 4
        // channel 1: acc = -3 * 4 - 2 = -14; -14 * 0.25 = -3.5 -> -4 (half away from zero); + 3 = -1
        assertArrayEquals(b(4, -1), Interpreter.create(m).invoke(b(3))[0]);
    }

    @Test
    void fullyConnectedSaturatesAndAppliesFusedRelu6Range() throws Exception {
        Tensor w = Tensor.ofInt8("w", Shape.of(3, 2), b(127, 127, -127, -127, 1, 0))
                .withQuant(QuantParams.perTensor(0.01f, 0));
        // output scale 0.05 zp -128: RELU6 range is [-128, -128 + round(6 / 0.05)] = [-128, -8]
        Model m = single(new Op.FullyConnected(Activation.RELU6, false), q8("y", 0.05f, -128, 1, 3),
                q8("x", 0.1f, 0, 1, 2), w, bias32("b", 0, 0, 50));
        // acc0 = 127 * 200 = 25400 -> 25400 * 0.02 = 508 -> clamped to -8 (6.0)
        // acc1 = -25400 -> -508 - 128 -> clamped to -128 (0.0)
        // acc2 = 100 + 50 = 150 -> 3 - 128 = -125
        assertArrayEquals(b(-8, -128, -125), Interpreter.create(m).invoke(b(100, 100))[0]);
    }

    @Test
    void averagePoolRoundsHalfAwayFromZero() throws Exception {
        Model m = single(new Op.AveragePool2D(1, 2, 1, 2, Padding.VALID, Activation.NONE), q8("y", 1f, 0, 1, 1, 3, 1),
                q8("x", 1f, 0, 1, 1, 6, 1));
        // (1+2)/2 = 1.5 -> 2; (-1-2)/2 = -1.5 -> -2; (-3-2)/2 = -2.5 -> -3
        assertArrayEquals(b(2, -2, -3), Interpreter.create(m).invoke(b(1, 2, -1, -2, -3, -2))[0]);
        Model mx = single(new Op.MaxPool2D(1, 2, 1, 2, Padding.VALID, Activation.RELU), q8("y", 1f, -1, 1, 1, 3, 1),
                q8("x", 1f, -1, 1, 1, 6, 1));
        assertArrayEquals(b(2, -1, -1), Interpreter.create(mx).invoke(b(1, 2, -7, -2, -3, -2))[0]);
    }

    @Test
    void addSubMulAgreeWithRealArithmeticWithinOneStep() throws Exception {
        Random r = new Random(3);
        byte[] x = TestModels.randomInt8(r, 24);
        byte[] z = TestModels.randomInt8(r, 4);
        Tensor a = q8("a", 0.05f, 3, 2, 3, 4);
        Tensor c = q8("c", 0.02f, -7, 4);
        Tensor y = q8("y", 0.1f, -2, 2, 3, 4);
        for (Op op : List.of(new Op.Add(Activation.NONE), new Op.Sub(Activation.NONE), new Op.Mul(Activation.NONE))) {
            byte[] out = Interpreter.create(single(op, y, a, c)).invoke(x, z)[0];
            for (int i = 0; i < 24; i++) {
                double p = 0.05 * (x[i] - 3);
                double q = 0.02 * (z[i % 4] + 7);
                double real = switch (op.kind()) {
                    case ADD -> p + q;
                    case SUB -> p - q;
                    default -> p * q;
                };
                double expected = Math.max(-128, Math.min(127, real / 0.1 - 2));
                assertEquals(expected, out[i], 1.0, op.kind() + " element " + i);
            }
        }
        // exact case: 0.3 + 0.6 = 0.9 at output scale 0.3 -> 3
        Model add = single(new Op.Add(Activation.NONE), q8("y", 0.3f, 0, 1), q8("a", 0.1f, 0, 1), q8("b", 0.2f, 0, 1));
        assertArrayEquals(b(3), Interpreter.create(add).invoke(b(3), b(3))[0]);
        // saturation
        assertArrayEquals(b(127), Interpreter.create(add).invoke(b(127), b(127))[0]);
    }

    @Test
    void quantizeDequantizeAndRequantize() throws Exception {
        Tensor xf = Tensor.activation("x", DataType.FLOAT32, Shape.of(5));
        Model qm = single(new Op.Quantize(), q8("y", 0.5f, 1, 5), xf);
        // 0.25/0.5 = 0.5 -> 1; -0.25/0.5 = -0.5 -> -1; 1000 saturates; -0.74/0.5 = -1.48 -> -1
        assertArrayEquals(b(2, 0, 127, -128, 0),
                toBytes(Interpreter.create(qm).invokeFloat(new float[] {0.25f, -0.25f, 1000f, -1000f, -0.74f})[0], 0.5f, 1));
        Model dq = single(new Op.Dequantize(), Tensor.activation("y", DataType.FLOAT32, Shape.of(3)), q8("x", 0.5f, 1, 3));
        assertArrayEquals(new float[] {-64.5f, 0f, 63f}, Interpreter.create(dq).invokeFloat(new float[] {-64.5f, 0f, 63f})[0]);
        Model rq = single(new Op.Quantize(), q8("y", 0.25f, 1, 3), q8("x", 0.5f, 0, 3));
        // 3 * 2 + 1 = 7; -64 * 2 + 1 = -127; 60 * 2 + 1 = 121
        assertArrayEquals(b(7, -127, 121), Interpreter.create(rq).invoke(b(3, -64, 60))[0]);
    }

    private static byte[] toBytes(float[] real, float scale, int zp) {
        byte[] r = new byte[real.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (byte) Math.round(real[i] / scale + zp);
        }
        return r;
    }

    @Test
    void padUsesZeroPointOrQuantizedValue() throws Exception {
        Model zero = single(new Op.Pad(List.of(1), List.of(1), 0f), q8("y", 0.5f, -5, 4), q8("x", 0.5f, -5, 2));
        assertArrayEquals(b(-5, 1, 2, -5), Interpreter.create(zero).invoke(b(1, 2))[0]);
        Model one = single(new Op.Pad(List.of(0), List.of(2), 1.25f), q8("y", 0.5f, -5, 4), q8("x", 0.5f, -5, 2));
        // 1.25 / 0.5 = 2.5 -> 3; -5 + 3 = -2
        assertArrayEquals(b(1, 2, -2, -2), Interpreter.create(one).invoke(b(1, 2))[0]);
    }

    @Test
    void concatenationRequantizesInputsWithOtherParameters() throws Exception {
        Model m = single(new Op.Concatenation(1, Activation.NONE), q8("y", 0.25f, 1, 1, 4), q8("a", 0.25f, 1, 1, 2),
                q8("b", 0.5f, 0, 1, 2));
        // b: 3 * 0.5 / 0.25 + 1 = 7; 100 -> 201 saturates at 127
        assertArrayEquals(b(9, -9, 7, 127), Interpreter.create(m).invoke(b(9, -9), b(3, 100))[0]);
    }

    @Test
    void reluOnInt8ClampsAtZeroPoint() throws Exception {
        Model m = single(new Op.Relu6(), q8("y", 0.1f, -10, 4), q8("x", 0.1f, -10, 4));
        // Relu6 bounds: [-10, -10 + 60 = 50]
        assertArrayEquals(b(-10, -10, 5, 50), Interpreter.create(m).invoke(b(-128, -10, 5, 127))[0]);
    }

    @Test
    void reluRescalesToTheOutputButRelu6ClampsInTheInputParameters() throws Exception {
        // Relu (TFLM ReluQuantized): (q - 0) * 0.1 / 0.05 + (-3), clamped below at the output zero point -3
        Model relu = single(new Op.Relu(), q8("y", 0.05f, -3, 3), q8("x", 0.1f, 0, 3));
        assertArrayEquals(b(-3, 17, 127), Interpreter.create(relu).invoke(b(-5, 10, 100))[0]);
        // Relu6 (TFLM Relu6Quantized): clamp to [zp_in, zp_in + round(6 / 0.1)] = [0, 60], no rescaling
        Model relu6 = single(new Op.Relu6(), q8("y", 0.05f, -3, 3), q8("x", 0.1f, 0, 3));
        assertArrayEquals(b(0, 10, 60), Interpreter.create(relu6).invoke(b(-5, 10, 100))[0]);
    }

    @Test
    void int16x8FullyConnectedUsesQ15MultiplierWithInt64Bias() throws Exception {
        Tensor w = Tensor.ofInt8("w", Shape.of(3, 2), b(2, 3, 2, 3, -2, -3)).withQuant(QuantParams.perTensor(0.5f, 0));
        ByteBuffer bb = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(100).putLong(102).putLong(-102);
        Tensor bias = Tensor.constant("b", DataType.INT64, Shape.of(3), bb.array());
        Model m = single(new Op.FullyConnected(Activation.NONE, false), q16("y", 1f / 512, 1, 3), q16("x", 1f / 1024, 1, 2),
                w, bias);
        // acc 600 * 0.25 = 150; 602 * 0.25 = 150.5 -> 151; -602 * 0.25 = -150.5 -> -150 (64-bit rounding is half up)
        assertArrayEquals(new int[] {150, 151, -150}, shorts(Interpreter.create(m).invoke(s16(1000, -500))[0]));
    }

    @Test
    void int16x8ConvMatchesRealArithmetic() throws Exception {
        Random r = new Random(5);
        byte[] wq = TestModels.randomInt8(r, 2 * 3 * 3 * 2);
        Tensor w = Tensor.ofInt8("w", Shape.of(2, 3, 3, 2), wq)
                .withQuant(QuantParams.perAxis(new float[] {0.01f, 0.02f}, new long[2], 0));
        int[] x = new int[4 * 4 * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(20000) - 10000;
        }
        Model m = single(new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.NONE), q16("y", 0.05f, 1, 4, 4, 2),
                q16("x", 0.001f, 1, 4, 4, 2), w, null);
        int[] y = shorts(Interpreter.create(m).invoke(s16(x))[0]);
        for (int oy = 0; oy < 4; oy++) {
            for (int ox = 0; ox < 4; ox++) {
                for (int oc = 0; oc < 2; oc++) {
                    double acc = 0;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy + ky - 1;
                            int ix = ox + kx - 1;
                            if (iy < 0 || ix < 0 || iy >= 4 || ix >= 4) {
                                continue;
                            }
                            for (int ic = 0; ic < 2; ic++) {
                                acc += 0.001 * x[(iy * 4 + ix) * 2 + ic] * (oc == 0 ? 0.01 : 0.02)
                                        * wq[((oc * 3 + ky) * 3 + kx) * 2 + ic];
                            }
                        }
                    }
                    assertEquals(acc / 0.05, y[(oy * 4 + ox) * 2 + oc], 1.0);
                }
            }
        }
    }
}
