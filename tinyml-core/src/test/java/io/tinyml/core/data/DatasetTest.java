package io.tinyml.core.data;

import io.tinyml.core.ir.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    @Test
    void builderKeepsBytesCompactUntilAFloatArrives() {
        Dataset.Builder b = Dataset.builder(Shape.of(2));
        b.addUnsigned8(new byte[] {1, (byte) 200}, 1);
        Dataset compact = b.build();
        assertTrue(compact.isUnsigned8());
        assertArrayEquals(new float[] {1, 200}, compact.get(0).values());
        assertEquals(List.of("0", "1"), compact.classes());

        b.add(new float[] {0.5f, -2f}, 0);
        Dataset mixed = b.build();
        assertFalse(mixed.isUnsigned8());
        assertArrayEquals(new float[] {1, 200}, mixed.get(0).values());
        assertArrayEquals(new float[] {0.5f, -2f}, mixed.get(1).values());
        assertEquals(1, compact.size(), "earlier builds are unaffected");
    }

    @Test
    void slicesAreViewsAndIterationFollowsIndexOrder() {
        Dataset.Builder b = Dataset.builder(Shape.of(1)).optClasses(List.of("a", "b", "c"));
        for (int i = 0; i < 10; i++) {
            b.add(new float[] {i}, i % 3);
        }
        Dataset d = b.build();
        Dataset s = d.slice(3, 7);
        assertEquals(4, s.size());
        assertEquals(3f, s.get(0).value(0));
        assertEquals(0, s.label(0));
        List<Float> seen = new ArrayList<>();
        for (Sample x : s) {
            seen.add(x.value(0));
        }
        assertEquals(List.of(3f, 4f, 5f, 6f), seen);
        assertArrayEquals(new int[] {2, 1, 1}, s.labelCounts());
        assertThrows(IndexOutOfBoundsException.class, () -> d.slice(5, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> d.slice(6, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(4));

        Dataset g = d.groupedByClass();
        assertEquals(List.of(0f, 3f, 6f, 9f, 1f, 4f, 7f, 2f, 5f, 8f), values(g));
    }

    @Test
    void validatesLabelsShapesAndSamples() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Dataset.builder(Shape.of(1)).optClasses(List.of("a")).add(new float[] {1}, 1).build());
        assertTrue(e.getMessage().contains("expected labels below the class count 1"), e.getMessage());
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                () -> Dataset.builder(Shape.of(3)).add(new float[] {1}, 0));
        assertTrue(a.getMessage().contains("expected 3 values for sample shape [3], found 1"), a.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sample(Shape.of(2), new float[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sample(Shape.of(1), new float[] {1}, -1));

        float[] v = {1, 2};
        Sample s = new Sample(Shape.of(2), v, 0);
        v[0] = 99;
        s.values()[1] = 99;
        assertArrayEquals(new float[] {1, 2}, s.values(), "samples are immutable");
    }

    private static List<Float> values(Dataset d) {
        List<Float> out = new ArrayList<>();
        for (Sample s : d) {
            out.add(s.value(0));
        }
        return out;
    }
}
