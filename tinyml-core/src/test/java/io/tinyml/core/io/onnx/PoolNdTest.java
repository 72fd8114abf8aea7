package io.tinyml.core.io.onnx;

import static io.tinyml.core.io.onnx.OnnxLayoutTest.intAttr;
import static io.tinyml.core.io.onnx.OnnxLayoutTest.ints;
import static io.tinyml.core.io.onnx.OnnxLayoutTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * Pooling beyond TFLite's 2-D windows (the IR's N-d Pool): 3-D max pooling with dilation, explicit
 * pads and ceil mode followed by 3-D average pooling that counts padding, and 2-D max pooling whose
 * dilation is not a subsampling of its stride. Read and run against ONNX Runtime on the source
 * model, and against ONNX Runtime again on the model our ONNX writer writes back; the TFLite writer
 * refuses the operator by name.
 */
class PoolNdTest {

    static byte[] pool3d() {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.inputs.add(OnnxCraftedTest.Raw.value("x", 2, 3, 6, 7, 5));
        r.outputs.add(OnnxCraftedTest.Raw.value("y"));
        r.node("MaxPool", "max3d", List.of("x"), List.of("m"), ints("kernel_shape", 2, 3, 2), ints("strides", 1, 2, 2),
                ints("dilations", 2, 1, 1), ints("pads", 1, 0, 1, 0, 1, 0), intAttr("ceil_mode", 1));
        r.node("AveragePool", "avg3d", List.of("m"), List.of("y"), ints("kernel_shape", 2, 2, 3),
                ints("strides", 2, 1, 1), ints("pads", 1, 1, 0, 0, 1, 2), intAttr("count_include_pad", 1));
        return r.build();
    }

    static byte[] dilated2d() {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.inputs.add(OnnxCraftedTest.Raw.value("x", 1, 4, 9, 8));
        r.outputs.add(OnnxCraftedTest.Raw.value("y"));
        r.node("MaxPool", "dilated", List.of("x"), List.of("y"), ints("kernel_shape", 3, 2), ints("strides", 1, 3),
                ints("dilations", 2, 2), ints("pads", 1, 0, 2, 1));
        return r.build();
    }

    @Test
    void threeDimensionalPoolingMatchesOnnxRuntimeAsReadAndAsWritten() throws Exception {
        check(pool3d(), new int[] {2, 3, 6, 7, 5});
    }

    @Test
    void dilatedTwoDimensionalMaxPoolingMatchesOnnxRuntimeAsReadAndAsWritten() throws Exception {
        check(dilated2d(), new int[] {1, 4, 9, 8});
    }

    private static void check(byte[] onnx, int[] shape) throws Exception {
        Model m = OnnxReader.read(onnx, "pool.onnx");
        assertTrue(m.graph().nodes().stream().anyMatch(n -> n.op().kind() == OpKind.POOL), "read as N-d Pool");
        double worst = OnnxLayoutTest.compare(onnx, "x", shape);
        assertTrue(worst <= 1e-5, "worst error against ONNX Runtime on the source model " + worst);

        Tensor x = Tensor.ofFloats("x", Shape.of(shape), random(Shape.of(shape).elementCount()));
        List<Tensor> ours = OnnxCases.run(m, Map.of("x", x));
        List<Tensor> written;
        try (Ort o = new Ort(OnnxWriter.write(m))) {
            written = o.run(Map.of("x", x));
        }
        assertEquals(ours.size(), written.size());
        for (int i = 0; i < ours.size(); i++) {
            String d = OnnxCases.compare(written.get(i), ours.get(i), 1e-5);
            assertNull(d, "written model, output " + i + ": " + d);
        }

        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> TfliteWriter.write(m));
        assertTrue(e.getMessage().contains("POOL") && e.getMessage().contains("no TFLite builtin"), e.getMessage());
    }
}
