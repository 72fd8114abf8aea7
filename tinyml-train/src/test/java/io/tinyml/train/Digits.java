package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;

/** The shared public digits assets the training tests use: tiny_digits.onnx and slices of mnist10k. */
final class Digits {
    /** Maps 8-bit pixels to the [0, 1] the digit models were trained on. */
    static final float SCALE = 1f / 255;

    private Digits() {
    }

    /** The PyTorch-trained tiny_digits model (ONNX export). */
    static Model tinyDigits() throws Exception {
        return ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
    }

    /** mnist10k[from:to]. */
    static Dataset mnist(int from, int to) throws Exception {
        return Datasets.open(Assets.require("datasets/mnist10k") + "[" + from + ":" + to + "]");
    }
}
