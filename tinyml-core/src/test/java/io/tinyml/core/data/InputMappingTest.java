package io.tinyml.core.data;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputMappingTest {
    @TempDir
    Path tmp;

    private static Tensor int8(Shape s, float scale, int zp) {
        return Tensor.activation("input", DataType.INT8, s).withQuant(QuantParams.perTensor(scale, zp));
    }

    @Test
    void personDetectStyleInt8QuantizationIsExactForEveryPixelValue() {
        float[] px = new float[256];
        for (int i = 0; i < 256; i++) {
            px[i] = i;
        }
        Sample s = new Sample(Shape.of(16, 16, 1), px, 0);
        InputMapping m = InputMapping.builder().setInput(int8(Shape.of(1, 16, 16, 1), 1f / 255, -128))
                .optScale(1f / 255).build();
        byte[] q = m.toInputBytes(s);
        assertEquals(256, q.length);
        for (int i = 0; i < 256; i++) {
            assertEquals(i - 128, q[i], "pixel " + i);
        }
        assertEquals(-128, q[0]);
        assertEquals(127, q[255]);
    }

    @Test
    void personBmpMapsToInt8Input() throws IOException {
        Path root = tmp.resolve("p");
        Files.createDirectories(root.resolve("person"));
        Files.copy(Assets.require("models/tflite/person_detect/person.bmp"), root.resolve("person/a.bmp"));
        Sample s = Datasets.readImageFolder(root).get(0);
        InputMapping m = InputMapping.builder().setInput(int8(Shape.of(1, 96, 96, 1), 1f / 255, -128))
                .optScale(1f / 255).build();
        byte[] q = m.toInputBytes(s);
        assertEquals(96 * 96, q.length);
        for (int i = 0; i < q.length; i++) {
            assertEquals((int) s.value(i) - 128, q[i]);
        }
    }

    @Test
    void roundsHalfAwayFromZeroAndClamps() {
        Sample s = new Sample(Shape.of(7), new float[] {-1.25f, 1.25f, 0.75f, -0.25f, 100f, -100f, 0.2f}, 0);
        InputMapping m = InputMapping.builder().setInput(int8(Shape.of(1, 7), 0.5f, 0)).build();
        assertArrayEquals(new byte[] {-3, 3, 2, -1, 127, -128, 0}, m.toInputBytes(s));

        Tensor u8 = Tensor.activation("u", DataType.UINT8, Shape.of(3)).withQuant(QuantParams.perTensor(2f, 10));
        byte[] u = InputMapping.builder().setInput(u8).build().toInputBytes(new Sample(Shape.of(3), new float[] {-50, 3, 1000}, 0));
        assertArrayEquals(new byte[] {0, 12, (byte) 255}, u); // -25+10 -> 0; round(1.5)=2 -> 12; clamp 255

        Tensor i16 = Tensor.activation("w", DataType.INT16, Shape.of(2)).withQuant(QuantParams.perTensor(1f, 0));
        byte[] w = InputMapping.builder().setInput(i16).build().toInputBytes(new Sample(Shape.of(2), new float[] {300, -40000}, 0));
        assertArrayEquals(new byte[] {0x2c, 0x01, 0x00, (byte) 0x80}, w); // 300 LE, clamp -32768 LE
    }

    @Test
    void floatInputsTakeScaledValuesLittleEndian() {
        Tensor f = Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 2));
        InputMapping m = InputMapping.builder().setInput(f).optScale(2f / 255).optOffset(-1f).build();
        Sample s = new Sample(Shape.of(2), new float[] {0, 255}, 3);
        assertArrayEquals(new float[] {-1f, 1f}, m.toRealValues(s), 1e-6f);
        ByteBuffer b = ByteBuffer.wrap(m.toInputBytes(s)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(-1f, b.getFloat(0), 1e-6f);
        assertEquals(1f, b.getFloat(4), 1e-6f);
    }

    @Test
    void mapsByElementCountWhenOnlyLayoutOrBatchDiffers() {
        float[] v = new float[784];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 251;
        }
        Sample s = new Sample(Shape.of(28, 28, 1), v, 0);
        for (Shape in : new Shape[] {Shape.of(1, 1, 28, 28), Shape.of(1, 784), Shape.of(1, 28, 28, 1), Shape.of(784)}) {
            InputMapping m = InputMapping.builder().setInput(Tensor.activation("x", DataType.FLOAT32, in)).build();
            assertArrayEquals(v, m.toRealValues(s), in.toString());
        }
        Sample features = new Sample(Shape.of(64), new float[64], 0);
        InputMapping m = InputMapping.builder().setInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 8, 8, 1))).build();
        assertEquals(64, m.toRealValues(features).length);
    }

    @Test
    void resizesBilinearlyWithHalfPixelCentres() {
        Sample s = new Sample(Shape.of(2, 2, 1), new float[] {0, 10, 20, 30}, 0);
        InputMapping up = InputMapping.builder().setInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4, 4, 1))).build();
        assertArrayEquals(new float[] {
                0, 2.5f, 7.5f, 10,
                5, 7.5f, 12.5f, 15,
                15, 17.5f, 22.5f, 25,
                20, 22.5f, 27.5f, 30}, up.toRealValues(s), 1e-5f);

        float[] big = new float[16];
        for (int i = 0; i < 16; i++) {
            big[i] = i * i;
        }
        Sample s4 = new Sample(Shape.of(4, 4, 1), big, 0);
        InputMapping down = InputMapping.builder().setInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 2, 2, 1))).build();
        float[] expected = new float[4];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                int i = 2 * y * 4 + 2 * x;
                expected[y * 2 + x] = (big[i] + big[i + 1] + big[i + 4] + big[i + 5]) / 4;
            }
        }
        assertArrayEquals(expected, down.toRealValues(s4), 1e-4f);

        InputMapping noResize = up.toBuilder().optResize(false).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noResize.toRealValues(s));
        assertTrue(e.getMessage().contains("expected a 4x4x1 image") && e.getMessage().contains("resizing disabled"), e.getMessage());
    }

    @Test
    void convertsBetweenGreyAndRgb() {
        Sample rgb = new Sample(Shape.of(1, 2, 3), new float[] {100, 50, 200, 10, 10, 10}, 0);
        InputMapping toGrey = InputMapping.builder().setInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 1, 2, 1))).build();
        assertArrayEquals(new float[] {82.05f, 10f}, toGrey.toRealValues(rgb), 1e-4f);

        Sample grey = new Sample(Shape.of(1, 2, 1), new float[] {7, 9}, 0);
        InputMapping toRgb = InputMapping.builder().setInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 1, 2, 3))).build();
        assertArrayEquals(new float[] {7, 7, 7, 9, 9, 9}, toRgb.toRealValues(grey));

        // a 2x2 grey image into a 4x4 RGB input: replicate, then resize
        Sample g2 = new Sample(Shape.of(2, 2, 1), new float[] {0, 10, 20, 30}, 0);
        InputMapping both = InputMapping.builder().setInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4, 4, 3))).build();
        float[] r = both.toRealValues(g2);
        assertEquals(48, r.length);
        assertEquals(7.5f, r[(1 * 4 + 1) * 3 + 2], 1e-5f);

        // with resizing disabled, a channel change is refused like a size change
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> toRgb.toBuilder().optResize(false).build().toRealValues(grey));
        assertTrue(e.getMessage().contains("expected a 1x2x3 image") && e.getMessage().contains("found a sample of shape "
                + "[1, 2, 1]"), e.getMessage());
    }

    @Test
    void clearErrorsForImpossibleMappingsAndBadSettings() {
        InputMapping m = InputMapping.builder().setInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 10))).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.toRealValues(new Sample(Shape.of(64), new float[64], 0)));
        assertTrue(e.getMessage().contains("expected a sample of 10 elements") && e.getMessage().contains("found shape [64] (64 elements)"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> InputMapping.builder()
                .setInput(Tensor.activation("q", DataType.INT8, Shape.of(1, 4))).build());
        assertTrue(e.getMessage().contains("expected quantization parameters on INT8 input 'q', found none"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> InputMapping.builder()
                .setInput(Tensor.activation("b", DataType.BOOL, Shape.of(1))).build());
        assertTrue(e.getMessage().contains("found BOOL"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> InputMapping.builder()
                .setInput(Tensor.activation("f", DataType.FLOAT32, Shape.of(1))).optScale(Float.NaN).build());
        assertTrue(e.getMessage().contains("expected a finite scale"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> InputMapping.builder().build());
        assertTrue(s.getMessage().contains("expected an input tensor"), s.getMessage());
    }
}
