package io.tinyml.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelloSineTest {

    @Test
    void journeyProducesAnAccurateModelFile(@TempDir Path dir) throws Exception {
        HelloSine.Result r = HelloSine.run(dir, 10_000);
        assertTrue(r.trainMse() < 1e-3, "training MSE " + r.trainMse());
        assertTrue(r.maxError() < 0.05, "max error " + r.maxError());
        assertEquals(Files.size(dir.resolve("sine_float.tflite")), r.tfliteBytes());
        assertEquals(3, r.model().graph().nodes().size());
        assertEquals(321, r.model().graph().parameterCount());
    }

    @Test
    void trainingIsDeterministic() {
        SineTrainer a = new SineTrainer(7);
        SineTrainer b = new SineTrainer(7);
        assertEquals(a.train(500, 16), b.train(500, 16));
        assertEquals(a.predict(1.234), b.predict(1.234));
    }
}
