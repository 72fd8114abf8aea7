package io.tinyml.core.runtime;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Half;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterpreterTest {

    /** int8 x -> dequantize -> FC with dequantized float16 weights and fused relu -> quantize to int8. */
    private static Model mixedModel() {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.INT8, Shape.of(1, 2)).withQuant(QuantParams.perTensor(0.5f, -1)));
        int xf = b.addTensor(Tensor.activation("xf", DataType.FLOAT32, Shape.of(1, 2)));
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : new float[] {1f, 2f, -1f, 0.5f}) {
            h.putShort(Half.fromFloat(v));
        }
        int w16 = b.addTensor(Tensor.constant("w16", DataType.FLOAT16, Shape.of(2, 2), h.array()));
        int w = b.addTensor(Tensor.activation("w", DataType.FLOAT32, Shape.of(2, 2)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 2)));
        int yq = b.addTensor(Tensor.activation("yq", DataType.INT8, Shape.of(1, 2)).withQuant(QuantParams.perTensor(0.25f, 0)));
        b.addNode("deq", new Op.Dequantize(), List.of(x), List.of(xf));
        b.addNode("deqw", new Op.Dequantize(), List.of(w16), List.of(w));
        b.addNode("fc", new Op.FullyConnected(Activation.RELU, false), List.of(xf, w, Node.ABSENT), List.of(y));
        b.addNode("q", new Op.Quantize(), List.of(y), List.of(yq));
        b.addOutput(yq);
        return Model.of(b.build(), Provenance.builtInCode("interpreter test"));
    }

    @Test
    void forkedInterpretersRunConcurrentlyAndAgreeWithOneThread() throws Exception {
        java.util.Random r = new java.util.Random(3);
        int h = 10, w = 10, cin = 3, cout = 4;
        Model m = TestModels.single(new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.RELU),
                Tensor.activation("y", DataType.FLOAT32, Shape.of(1, h, w, cout)),
                Tensor.activation("x", DataType.FLOAT32, Shape.of(1, h, w, cin)),
                Tensor.ofFloats("w", Shape.of(cout, 3, 3, cin), TestModels.randomFloats(r, cout * 9 * cin)),
                Tensor.ofFloats("b", Shape.of(cout), TestModels.randomFloats(r, cout)));
        Interpreter first = Interpreter.create(m);
        float[][] xs = new float[8][];
        float[][] expected = new float[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = TestModels.randomFloats(r, h * w * cin);
            expected[i] = first.invokeFloat(xs[i])[0];
        }
        Interpreter second = first.fork();
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger mismatches = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (Interpreter it : List.of(first, second)) {
                done.add(pool.submit(() -> {
                    for (int rep = 0; rep < 100; rep++) {
                        for (int i = 0; i < xs.length; i++) {
                            if (!java.util.Arrays.equals(expected[i], it.invokeFloat(xs[i])[0])) {
                                mismatches.incrementAndGet();
                            }
                            runs.incrementAndGet();
                        }
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * 100 * xs.length, runs.get());
        assertEquals(0, mismatches.get());
    }

    @Test
    void batchInvokeOnOneOrSeveralThreadsMatchesSampleBySample() throws Exception {
        java.util.Random r = new java.util.Random(5);
        int h = 9, w = 7, cin = 2, cout = 5;
        Model m = TestModels.single(new Op.Conv2D(2, 1, 1, 1, Padding.SAME, Activation.RELU6),
                Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 5, w, cout)),
                Tensor.activation("x", DataType.FLOAT32, Shape.of(1, h, w, cin)),
                Tensor.ofFloats("w", Shape.of(cout, 3, 3, cin), TestModels.randomFloats(r, cout * 9 * cin)),
                Tensor.ofFloats("b", Shape.of(cout), TestModels.randomFloats(r, cout)));
        Interpreter single = Interpreter.create(m);
        int n = 37;
        byte[][][] in = new byte[n][1][];
        byte[][][] expected = new byte[n][][];
        for (int s = 0; s < n; s++) {
            ByteBuffer b = ByteBuffer.allocate(h * w * cin * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : TestModels.randomFloats(r, h * w * cin)) {
                b.putFloat(v * 8);
            }
            in[s][0] = b.array();
            expected[s] = single.invoke(in[s]);
        }
        Interpreter batch = Interpreter.create(m);
        for (int threads : new int[] {1, 3, 64}) {
            byte[][][] out = new byte[n][1][m.graph().outputTensor(0).byteSize()];
            batch.invokeBatch(in, out, threads);
            for (int s = 0; s < n; s++) {
                assertArrayEquals(expected[s][0], out[s][0], threads + " threads, sample " + s);
            }
        }
        byte[][][] seq = new byte[n][1][m.graph().outputTensor(0).byteSize()];
        batch.invokeBatch(in, seq);
        assertArrayEquals(expected[n - 1][0], seq[n - 1][0]);
        assertThrows(IllegalArgumentException.class, () -> batch.invokeBatch(in, seq, 0));
        assertThrows(IllegalArgumentException.class, () -> batch.invokeBatch(in, new byte[n - 1][][]));
        byte[][][] bad = new byte[n][1][3];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> batch.invokeBatch(in, bad, 2));
        assertTrue(e.getMessage().contains("expected output array 0"), e.getMessage());
    }

    @Test
    void invokeIntoCallerArraysMatchesInvokeAndChecksSizes() throws Exception {
        Interpreter it = Interpreter.create(mixedModel());
        byte[][] out = {new byte[2]};
        for (byte[] x : new byte[][] {{3, -7}, {-128, 127}, {0, 1}}) {
            it.invoke(new byte[][] {x}, out);
            assertArrayEquals(it.invoke(x)[0], out[0]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> it.invoke(new byte[][] {{1, 2}}, new byte[][] {new byte[3]}));
        assertEquals("expected output array 0 'yq' of 2 bytes (INT8[1, 2]), found 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> it.invoke(new byte[][] {{1, 2}}, new byte[0][]));
    }

    @Test
    void runsMixedPrecisionGraphAndReportsEveryNode() throws Exception {
        List<String> seen = new ArrayList<>();
        List<float[]> reals = new ArrayList<>();
        Model m = mixedModel();
        Interpreter it = Interpreter.create(m, e -> {
            seen.add(e.index() + ":" + e.node().name());
            assertTrue(e.nanos() >= 0);
            assertEquals(1, e.outputCount());
            reals.add(e.outputReal(0));
        });
        assertSame(m, it.model());
        // x real = 0.5 * (q + 1): q = {3, -5} -> {2, -2}; y = relu({2*1 + -2*2, 2*-1 + -2*0.5}) = {0, 0}
        // q = {7, 1} -> {4, 1}: y = relu({4 + 2, -4 + 0.5}) = {6, 0} -> quantized {24, 0}
        byte[] out = it.invoke(new byte[] {7, 1})[0];
        assertArrayEquals(new byte[] {24, 0}, out);
        assertEquals(4, seen.size());
        assertEquals("fc", seen.get(2).substring(2));
        assertArrayEquals(new float[] {6f, 0f}, reals.get(2));
        assertArrayEquals(new float[] {6f, 0f}, reals.get(3));
        // invokeFloat quantizes the input (4.0 -> 7, 1.0 -> 1) and dequantizes the output
        assertArrayEquals(new float[] {6f, 0f}, it.invokeFloat(new float[] {4f, 1f})[0]);
    }

    @Test
    void rejectsWrongInputCountAndSize() throws Exception {
        Interpreter it = Interpreter.create(mixedModel());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> it.invoke(new byte[2], new byte[2]));
        assertEquals("expected 1 inputs, found 2", count.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> it.invoke(new byte[3]));
        assertEquals("expected input 0 'x' of 2 bytes (INT8[1, 2]), found 3", size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> it.invokeFloat(new float[5]));
    }

    @Test
    void unsupportedCombinationNamesOpNodeAndInterpreter() {
        Tensor x = Tensor.activation("x", DataType.UINT8, Shape.of(1, 2, 2, 1)).withQuant(QuantParams.perTensor(1f, 0));
        Tensor w = Tensor.constant("w", DataType.UINT8, Shape.of(1, 1, 1, 1), new byte[] {1})
                .withQuant(QuantParams.perTensor(1f, 0));
        Tensor y = Tensor.activation("y", DataType.UINT8, Shape.of(1, 2, 2, 1)).withQuant(QuantParams.perTensor(1f, 0));
        Model m = TestModels.single(new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.NONE), y, x, w, null);
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> Interpreter.create(m));
        assertEquals("CONV_2D", e.operator());
        assertTrue(e.getMessage().contains("'node'") && e.getMessage().contains("reference interpreter"), e.getMessage());
    }

    @Test
    void int8SoftmaxIsDelegatedToTheIntegerActivationKernels() {
        Tensor x = Tensor.activation("x", DataType.INT8, Shape.of(1, 4)).withQuant(QuantParams.perTensor(0.1f, 0));
        Tensor y = Tensor.activation("y", DataType.INT8, Shape.of(1, 4)).withQuant(QuantParams.perTensor(1f / 256, -128));
        Model m = TestModels.single(new Op.Softmax(1f), y, x);
        try {
            Interpreter it = Interpreter.create(m);
            // once implemented, the largest logit must get the largest probability
            byte[] out = it.invoke(new byte[] {10, 20, 30, 40})[0];
            assertTrue(out[3] > out[0]);
        } catch (UnsupportedOperatorException e) {
            assertEquals("SOFTMAX", e.operator());
        }
    }
}
