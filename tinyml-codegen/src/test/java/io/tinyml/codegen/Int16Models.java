package io.tinyml.codegen;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.Quantizer;

/** The asset models quantized float → int16x8 with the SDK's own quantizer, for the int16 codegen tests. */
final class Int16Models {
    private Int16Models() {
    }

    /**
     * Quantizes one asset model to int16x8.
     *
     * @param name tiny_digits, mnist8 or kws
     * @return the int16x8 model
     * @throws Exception if an asset is missing or quantization fails
     */
    static Model int16x8(String name) throws Exception {
        return switch (name) {
            case "tiny_digits" -> Quantizer.of(ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx")))
                    .int16x8().calibrate(mnist(), 100).inputScale(1f / 255).apply();
            case "mnist8" -> Quantizer.of(ModelIO.read(Assets.require("models/onnx/mnist8/model.onnx")))
                    .int16x8().calibrate(mnist(), 100).apply();
            case "kws" -> Quantizer.of(floatWeights(ModelIO.read(Assets.require("models/tflite/kws_dscnn_hybrid.tflite"))))
                    .int16x8().calibrate(kwsCalibration(), 16).apply();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The dynamic-range (hybrid) kws with its int8 weights dequantized as the interpreter does: a float model. */
    private static Model floatWeights(Model hybrid) {
        io.tinyml.core.ir.Graph g = hybrid.graph();
        io.tinyml.core.ir.GraphBuilder b = io.tinyml.core.ir.GraphBuilder.from(g);
        for (int i = 0; i < g.tensors().size(); i++) {
            io.tinyml.core.ir.Tensor t = g.tensor(i);
            if (t.isConstant() && t.type() == io.tinyml.core.ir.DataType.INT8 && t.quant().isPresent()) {
                b.setTensor(i, io.tinyml.core.ir.Tensor.ofFloats(t.name(), t.shape(),
                        io.tinyml.core.quant.Quant.dequantizeConstant(t)));
            }
        }
        return hybrid.withGraph(b.build(), new io.tinyml.core.ir.AppliedPass("test-dequantize-hybrid-weights",
                java.util.Map.of()));
    }

    private static Dataset mnist() throws Exception {
        return Datasets.open(Assets.require("datasets/mnist10k") + "[0:100]");
    }

    /**
     * kws calibration: the int8 model's input parameters dequantize the recorded input and 15 shifted
     * byte patterns into float features.
     */
    private static Dataset kwsCalibration() throws Exception {
        Model int8 = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        QuantParams q = int8.graph().inputTensor(0).requireQuant();
        Shape shape = int8.graph().inputTensor(0).shape();
        byte[] recorded = java.nio.file.Files.readAllBytes(Assets.require("reference/kws/input.bin"));
        Dataset.Builder b = Dataset.builder(shape);
        for (int s = 0; s < 16; s++) {
            float[] v = new float[recorded.length];
            for (int i = 0; i < v.length; i++) {
                int byteValue = s == 0 ? recorded[i] : (byte) ((i * 97 + 13 * s) % 256);
                v[i] = q.scale() * (byteValue - q.zeroPoint());
            }
            b.add(v, 0);
        }
        return b.build();
    }
}
