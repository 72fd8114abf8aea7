package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unusable training data is refused before the first step, with one line naming the problem. */
class BadDataTest {
    static final Model NET = NetworkSpec.builder(4, 4, 1).flatten().dense(3).build().toModel(1);

    static Dataset data(Shape s, float bad, int badLabel) {
        Dataset.Builder b = Dataset.builder(s);
        for (int i = 0; i < 6; i++) {
            float[] v = new float[s.elementCount()];
            v[i % v.length] = i == 4 ? bad : 1f;
            b.add(v, i == 5 ? badLabel : i % 3);
        }
        return b.build();
    }

    static String refused(Dataset d) {
        DatasetException e = assertThrows(DatasetException.class,
                () -> Training.builder().optEpochs(1).build().fit(NET, d));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void wrongShape() {
        String m = refused(data(Shape.of(7), 1f, 0));
        assertTrue(m.startsWith("training data memory: sample 0 of shape [7] does not fit model input 'input' "
                + "[1, 4, 4, 1]: "), m);
    }

    @Test
    void tooManyClasses() {
        String m = refused(data(Shape.of(4, 4, 1), 1f, 7));
        assertEquals("training data memory: expected at most 3 classes (the model's output has 3), found 8", m);
    }

    @Test
    void notANumber() {
        String m = refused(data(Shape.of(4, 4, 1), Float.NaN, 0));
        assertEquals("training data memory: expected finite values, found NaN at value 4 of sample 4", m);
    }

    @Test
    void emptyData() {
        String m = refused(data(Shape.of(4, 4, 1), 1f, 0).slice(0, 0));
        assertTrue(m.endsWith("expected at least one sample, found none"), m);
    }
}
