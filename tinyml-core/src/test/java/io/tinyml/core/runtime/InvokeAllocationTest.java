package io.tinyml.core.runtime;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Interpreter#invoke(byte[][], byte[][])} allocates nothing once warmed up (classes loaded),
 * counted by the JVM's per-thread allocation counter (the figure JMH's {@code -prof gc} reports as
 * {@code gc.alloc.rate.norm}), on the float and int8 asset models of the interpreter benchmarks.
 */
class InvokeAllocationTest {
    @ParameterizedTest
    @ValueSource(strings = {"onnx/mnist8/model.onnx", "pytorch/tiny_digits.onnx", "tflite/ic_resnet8_float.tflite",
            "tflite/kws_dscnn_int8.tflite", "tflite/person_detect/person_detect.tflite"})
    void invokeAllocatesNothingAfterWarmUp(String name) throws Exception {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "expected a JVM that counts allocated bytes per thread");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "expected per-thread allocation counting to be enabled");
        Path p = Assets.require("models/" + name);
        Model m = name.endsWith(".onnx") ? OnnxReader.read(Files.readAllBytes(p), p.toString()) : ModelIO.read(p);
        Interpreter it = Interpreter.create(m);
        byte[][] in = {new byte[m.graph().inputTensor(0).byteSize()]};
        new Random(3).nextBytes(in[0]);
        if (m.graph().inputTensor(0).type() == io.tinyml.core.ir.DataType.FLOAT32) {
            java.nio.ByteBuffer.wrap(in[0]).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .put(TestModels.randomFloats(new Random(3), in[0].length / 4));
        }
        byte[][] out = new byte[m.graph().outputs().size()][];
        for (int o = 0; o < out.length; o++) {
            out[o] = new byte[m.graph().outputTensor(o).byteSize()];
        }
        // one-time costs (class initialisation, JIT transitions) may allocate during warm-up; a per-invoke
        // allocation shows in every window: three windows of 50 invokes in a row must allocate nothing. The
        // Vector API kernels box their vectors until the JIT has compiled them, and again after a layer of
        // another shape (an earlier test's) made the JIT deoptimise them, until it has recompiled them: a
        // kernel run once per invoke may take thousands of invokes on a loaded machine, hence the long budget
        int clean = 0;
        long last = -1;
        long start = System.nanoTime();
        for (int window = 0; window < 2000 && clean < 3 && System.nanoTime() - start < 60_000_000_000L; window++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 50; i++) {
                it.invoke(in, out);
            }
            last = mx.getCurrentThreadAllocatedBytes() - before;
            clean = last == 0 ? clean + 1 : 0;
        }
        assertEquals(3, clean, name + ": windows of 50 invokes in a row without allocation (last window: "
                + last + " bytes)");
    }
}
