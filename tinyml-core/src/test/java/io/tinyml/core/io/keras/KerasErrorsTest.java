package io.tinyml.core.io.keras;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.keras.KerasFixtures.Weights;
import io.tinyml.core.ir.Model;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Keras reader refuses, and how it says so. */
class KerasErrorsTest {

    private static String seq(String layers) {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": "
                + "\"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 4, 4, 2]}}, " + layers
                + "]}}";
    }

    private static Model read(String config, Weights w) throws Exception {
        return KerasReader.fromConfig(config, w.asKerasWeights(), "t");
    }

    private static void unsupported(String config, String operator, String... inMessage) {
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> read(config, new Weights(1)));
        assertEquals(operator, e.operator());
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), e.getMessage());
        }
    }

    private static void malformed(String config, Weights w, String... inMessage) {
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> read(config, w));
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), e.getMessage());
        }
    }

    @Test
    void unknownLayersNameTheClassAndTheLayer() {
        unsupported(seq("{\"class_name\": \"Conv3D\", \"config\": {\"name\": \"vol\"}}"), "Conv3D", "'vol'",
                "Conv3D", "not supported");
        unsupported(seq("{\"class_name\": \"GlobalMaxPooling2D\", \"config\": {\"name\": \"gmp\"}}"),
                "GlobalMaxPooling2D", "'gmp'");
        unsupported("{\"class_name\": \"Subclassed\", \"config\": {}}", "Subclassed", "Sequential or Functional");
    }

    @Test
    void unsupportedOptionsAreNamed() {
        unsupported(seq("{\"class_name\": \"MaxPooling2D\", \"config\": {\"name\": \"p\", \"data_format\": "
                + "\"channels_first\"}}"), "MaxPooling2D", "channels_first");
        unsupported(seq("{\"class_name\": \"ReLU\", \"config\": {\"name\": \"r\", \"threshold\": 0.5}}"), "ReLU",
                "threshold");
        unsupported(seq("{\"class_name\": \"Activation\", \"config\": {\"name\": \"a\", \"activation\": \"elu\"}}"),
                "Activation", "'elu'");
        unsupported(seq("{\"class_name\": \"Softmax\", \"config\": {\"name\": \"s\", \"axis\": 1}}"), "Softmax",
                "axis 1");
        unsupported("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", "
                + "\"config\": {\"name\": \"in\", \"batch_input_shape\": [null, null, 3]}}]}}", "InputLayer", "None");
    }

    @Test
    void danglingCyclicAndDuplicateReferencesAreMalformed() {
        String dangling = "{\"class_name\": \"Functional\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 3]}, "
                + "\"name\": \"in\", \"inbound_nodes\": []},"
                + "{\"class_name\": \"ReLU\", \"config\": {\"name\": \"r\"}, \"name\": \"r\", "
                + "\"inbound_nodes\": [[[\"ghost\", 0, 0, {}]]]}],"
                + "\"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"r\", 0, 0]]}}";
        malformed(dangling, new Weights(1), "layer 'r' (ReLU)", "[ghost, 0, 0]", "no layer of that name");
        String cycle = "{\"class_name\": \"Functional\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 3]}, "
                + "\"name\": \"in\", \"inbound_nodes\": []},"
                + "{\"class_name\": \"Add\", \"config\": {\"name\": \"a\"}, \"name\": \"a\", "
                + "\"inbound_nodes\": [[[\"in\", 0, 0, {}], [\"b\", 0, 0, {}]]]},"
                + "{\"class_name\": \"ReLU\", \"config\": {\"name\": \"b\"}, \"name\": \"b\", "
                + "\"inbound_nodes\": [[[\"a\", 0, 0, {}]]]}],"
                + "\"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"b\", 0, 0]]}}";
        malformed(cycle, new Weights(1), "cycle");
        malformed(dangling.replace("\"ghost\", 0", "\"in\", 2"), new Weights(1), "called 1 time");
        malformed(seq("{\"class_name\": \"ReLU\", \"config\": {\"name\": \"in\"}}"), new Weights(1), "unique layer names");
    }

    @Test
    void weightsMustMatchTheConfiguration() {
        String conv = seq("{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"c\", \"filters\": 3, "
                + "\"kernel_size\": [3, 3], \"padding\": \"same\"}}");
        Weights wrongShape = new Weights(1);
        wrongShape.add("c", "kernel", 0, 1, 3, 3, 3, 3);
        wrongShape.add("c", "bias", 0, 1, 3);
        malformed(conv, wrongShape, "expected shape [3, 3, 2, 3], found [3, 3, 3, 3]");
        Weights missingBias = new Weights(1);
        missingBias.add("c", "kernel", 0, 1, 3, 3, 2, 3);
        malformed(conv, missingBias, "expected 2 stored weights (kernel, bias), found 1");
        Weights swapped = new Weights(1);
        swapped.add("c", "bias", 0, 1, 3);
        swapped.add("c", "kernel", 0, 1, 3, 3, 2, 3);
        malformed(conv, swapped, "expected weight 0 to be 'kernel'");
        malformed(seq("{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"c\", \"filters\": 3, "
                + "\"kernel_size\": [5, 5], \"padding\": \"valid\"}}"), new Weights(1), "window");
    }

    @Test
    void hugeShapesAreRefusedBeforeAllocation() {
        malformed("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", "
                + "\"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 16777216, 16777216, 3]}}]}}",
                new Weights(1));
        malformed(seq("{\"class_name\": \"ZeroPadding2D\", \"config\": {\"name\": \"p\", \"padding\": 16000000}}"),
                new Weights(1), "at most 16777216");
        malformed("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", "
                + "\"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 8192, 8192, 8]}}]}}",
                new Weights(1), "1 GiB");
    }

    @Test
    void hostileFilesAreMalformed() throws Exception {
        assertThrows(MalformedModelException.class, () -> KerasReader.read(new byte[] {1, 2, 3}, "junk"));
        byte[] noConfig = KerasFixtures.zip(Map.of("model.weights.h5", new byte[] {0}));
        MalformedModelException e = assertThrows(MalformedModelException.class,
                () -> KerasReader.read(noConfig, "a.keras"));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        // a config entry that inflates past the limit is cut off while streaming
        Map<String, byte[]> bomb = new LinkedHashMap<>();
        bomb.put("config.json", new byte[KerasReader.MAX_CONFIG_BYTES + 1]);
        e = assertThrows(MalformedModelException.class, () -> KerasReader.read(KerasFixtures.zip(bomb), "bomb.keras"));
        assertTrue(e.getMessage().contains("at most " + KerasReader.MAX_CONFIG_BYTES), e.getMessage());
        // entries outside the ones we read (path games included) are ignored, never extracted
        Weights w = KerasFixtureTest.functionalWeights();
        Map<String, byte[]> games = new LinkedHashMap<>();
        games.put("config.json", KerasFixtureTest.functionalConfig(true).getBytes(StandardCharsets.UTF_8));
        games.put("model.weights.h5", KerasFixtures.weightsH5Keras3(w, KerasFixtureTest.functionalKeras3Keys()));
        games.put("../../etc/evil", new byte[] {1});
        games.put("/abs/evil", new byte[] {1});
        Model m = KerasReader.read(KerasFixtures.zip(games), "games.keras");
        assertEquals(3, m.graph().outputTensor(0).shape().dim(1));
        // Keras 1 files use other layer classes and keys: refused by version, naming it
        byte[] keras1 = KerasFixtures.h5(KerasFixtureTest.sequentialConfig(), KerasFixtureTest.sequentialWeights(),
                "1.2.2");
        UnsupportedOperatorException u = assertThrows(UnsupportedOperatorException.class,
                () -> KerasReader.read(keras1, "old.h5"));
        assertEquals("Keras 1.2.2", u.operator());
        // an .h5 without model_config (weights only) names what is missing
        byte[] weightsOnly = KerasFixtures.weightsH5Keras3(w, KerasFixtureTest.functionalKeras3Keys());
        e = assertThrows(MalformedModelException.class, () -> KerasReader.read(weightsOnly, "w.h5"));
        assertTrue(e.getMessage().contains("model_config"), e.getMessage());
    }
}
