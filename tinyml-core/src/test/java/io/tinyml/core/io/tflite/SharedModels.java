package io.tinyml.core.io.tflite;

import io.tinyml.core.testing.Assets;

import java.nio.file.Path;
import java.util.List;

/** The TFLite models of the shared assets that every TFLite test reads. */
final class SharedModels {
    private SharedModels() {
    }

    static final List<String> ALL = List.of(
            "models/tflite/hello_world_float.tflite",
            "models/tflite/hello_world_int8.tflite",
            "models/tflite/network_tester/network_model.tflite",
            "models/tflite/person_detect/person_detect.tflite",
            "models/tflite/micro_speech_quantized.tflite",
            "models/tflite/kws_dscnn_int8.tflite",
            "models/tflite/kws_dscnn_hybrid.tflite",
            "models/tflite/ic_resnet8_float.tflite");

    static Path path(String relative) {
        return Assets.require(relative);
    }
}
