package io.tinyml.core.io.onnx;

import static io.tinyml.core.io.onnx.OnnxLayoutTest.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

/**
 * Pad in edge, reflect and wrap mode on float NCHW data (audio and image models pad by reflection):
 * read and run, and exactly ONNX Runtime's output on random inputs.
 */
class PadModesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"edge", "reflect", "wrap"})
    void matchesOnnxRuntimeExactly(String mode) throws Exception {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.opset = 19;
        r.inputs.add(OnnxCraftedTest.Raw.value("x", 1, 2, 4, 5));
        r.outputs.add(OnnxCraftedTest.Raw.value("y", 1, 2, 7, 8));
        r.inits.add(longs("pads", 0, 0, 2, 1, 0, 0, 1, 2));
        r.node("Pad", "pad", List.of("x", "pads"), List.of("y"),
                new OnnxProtoWriter().string(1, "mode").bytes(4, mode.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .varint(20, OnnxProto.A_STRING));
        assertEquals(0.0, OnnxLayoutTest.compare(r.build(), "x", 1, 2, 4, 5), mode);
    }
}
