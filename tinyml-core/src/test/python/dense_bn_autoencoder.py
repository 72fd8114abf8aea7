"""Writes the Dense -> BatchNormalization -> ReLU autoencoder fixture used by KerasDenseBnFileTest.

The architecture is MLPerf Tiny's anomaly-detection autoencoder: 640-128-128-128-128-8-128-128-128-128-640,
each hidden Dense followed by BatchNormalization and ReLU. Some BN layers use center=False, scale=False,
a non-default epsilon or momentum, so that every way Keras stores a BN layer is in the file.

Run (TensorFlow CPU 2.21 with Keras 3; tf_keras is not installable here, so the .h5 is Keras 3's legacy
HDF5 format, the same layout Keras 2 writes):
    python dense_bn_autoencoder.py OUT_DIR
Writes OUT_DIR/autoencoder.h5, inputs.f32 ([4, 640] float32 little-endian), keras.f32 (model.predict on
those inputs) and tflite.f32 (the float TFLite conversion of the same model run by the TFLite interpreter).
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf
import keras

HIDDEN = [128, 128, 128, 128, 8, 128, 128, 128, 128]
INPUT = 640
# per hidden block: (center, scale, epsilon, momentum)
BN = [
    (True, True, 1e-3, 0.9),
    (False, True, 1e-3, 0.9),
    (True, False, 1e-5, 0.9),
    (True, True, 1e-2, 0.8),
    (False, False, 1e-3, 0.9),
    (True, True, 1e-3, 0.99),
    (True, True, 0.1, 0.9),
    (True, False, 1e-3, 0.9),
    (False, True, 1e-4, 0.9),
]


def build():
    inp = keras.Input(shape=(INPUT,), name="input")
    x = inp
    for i, units in enumerate(HIDDEN):
        center, scale, eps, momentum = BN[i]
        x = keras.layers.Dense(units)(x)
        x = keras.layers.BatchNormalization(center=center, scale=scale, epsilon=eps, momentum=momentum)(x)
        x = keras.layers.Activation("relu")(x)
    out = keras.layers.Dense(INPUT)(x)
    return keras.Model(inp, out, name="autoencoder")


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    # inputs with a per-feature offset and spread, so moving statistics move away from 0 and 1
    offset = rng.normal(0.0, 2.0, INPUT).astype(np.float32)
    spread = rng.uniform(0.5, 3.0, INPUT).astype(np.float32)
    data = (rng.normal(size=(512, INPUT)) * spread + offset).astype(np.float32)
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    model.fit(data, data, epochs=4, batch_size=64, verbose=0)
    path = os.path.join(out_dir, "autoencoder.h5")
    model.save(path, include_optimizer=False)
    model = keras.models.load_model(path, compile=False)

    inputs = (rng.normal(size=(4, INPUT)) * spread + offset).astype(np.float32)
    want = model.predict(inputs, verbose=0).astype(np.float32)

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    interp = tf.lite.Interpreter(model_content=converter.convert())
    interp.resize_tensor_input(interp.get_input_details()[0]["index"], [1, INPUT])
    interp.allocate_tensors()
    lite = np.zeros_like(want)
    for r in range(inputs.shape[0]):
        interp.set_tensor(interp.get_input_details()[0]["index"], inputs[r:r + 1])
        interp.invoke()
        lite[r] = interp.get_tensor(interp.get_output_details()[0]["index"])[0]

    inputs.astype("<f4").tofile(os.path.join(out_dir, "inputs.f32"))
    want.astype("<f4").tofile(os.path.join(out_dir, "keras.f32"))
    lite.astype("<f4").tofile(os.path.join(out_dir, "tflite.f32"))
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            w = {v.path.split("/")[-1]: v.numpy() for v in layer.weights}
            print(layer.name, {k: (float(v.min()), float(v.max())) for k, v in w.items()})
    print("max |keras - tflite| =", float(np.abs(want - lite).max()), "max |keras| =", float(np.abs(want).max()))


if __name__ == "__main__":
    main(sys.argv[1])
