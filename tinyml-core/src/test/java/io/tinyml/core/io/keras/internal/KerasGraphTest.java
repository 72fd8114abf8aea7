package io.tinyml.core.io.keras.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Keras 3 weight keys: class names in Keras's snake case. */
class KerasGraphTest {
    @Test
    void snakeCaseMatchesKerasNaming() {
        assertEquals("conv2d", KerasGraph.snakeCase("Conv2D"));
        assertEquals("depthwise_conv2d", KerasGraph.snakeCase("DepthwiseConv2D"));
        assertEquals("separable_conv2d", KerasGraph.snakeCase("SeparableConv2D"));
        assertEquals("batch_normalization", KerasGraph.snakeCase("BatchNormalization"));
        assertEquals("dense", KerasGraph.snakeCase("Dense"));
        assertEquals("re_lu", KerasGraph.snakeCase("ReLU"));
        assertEquals("global_average_pooling2d", KerasGraph.snakeCase("GlobalAveragePooling2D"));
    }
}
