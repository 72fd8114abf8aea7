package io.tinyml.offload;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.Quantizer;

import java.util.Random;

/** The shared-asset models the offload tests plan and split, loaded once per test JVM. */
public final class TestModels {
    private static Model person;
    private static Model kws;
    private static Model resnet8;

    private TestModels() {
    }

    /** @return person_detect (int8, a 31-node chain) */
    public static synchronized Model person() throws Exception {
        if (person == null) {
            person = ModelIO.read(Assets.require("models/tflite/person_detect/person_detect.tflite"));
        }
        return person;
    }

    /** @return the MLPerf Tiny DS-CNN keyword spotter (int8) */
    public static synchronized Model kws() throws Exception {
        if (kws == null) {
            kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        }
        return kws;
    }

    /**
     * MLPerf Tiny ResNet-8 (a DAG with three residual blocks) quantized to int8 by tinyml-quantize.
     * Calibrated on 16 seeded uniform [0, 1) images: the ranges are not CIFAR's, but the graph, the
     * tensor sizes on the wire and the arithmetic are those of an int8 ResNet-8, which is what
     * planning and splitting need.
     *
     * @return the int8 model
     */
    public static synchronized Model resnet8() throws Exception {
        if (resnet8 == null) {
            Model f = ModelIO.read(Assets.require("models/tflite/ic_resnet8_float.tflite"));
            Dataset.Builder b = Dataset.builder(Shape.of(32, 32, 3));
            Random r = new Random(8);
            for (int i = 0; i < 16; i++) {
                float[] img = new float[32 * 32 * 3];
                for (int k = 0; k < img.length; k++) {
                    img[k] = r.nextFloat();
                }
                b.add(img, 0);
            }
            resnet8 = Quantizer.of(f).int8().perChannel().calibrate(b.build(), 16).apply();
        }
        return resnet8;
    }
}
