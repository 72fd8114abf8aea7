package io.tinyml.train.internal;

import ai.djl.ndarray.NDArray;

/**
 * Fake quantization with a straight-through gradient: the forward value is what int8 inference would
 * see, the gradient passes through as if no rounding happened ({@code x + stopGradient(q(x) - x)}).
 * Weights: symmetric per output channel, {@code scale = max|w| / 127}, range [-127, 127] (the TFLite
 * int8 scheme). Activations: asymmetric per tensor over a calibrated range widened to contain 0,
 * {@code scale = (max - min) / 255}, zero point {@code round(-128 - min / scale)}, range [-128, 127].
 * Stateless.
 */
public final class FakeQuant {
    private FakeQuant() {
    }

    /**
     * Fake-quantizes a weight per output channel (axis 0).
     *
     * @param w the weight, output channels first (OIHW, O1HW or [out, in])
     * @return the fake-quantized weight
     */
    public static NDArray weightPerChannel(NDArray w) {
        long out = w.getShape().get(0);
        NDArray flat = w.reshape(out, -1);
        long[] keep = new long[w.getShape().dimension()];
        java.util.Arrays.fill(keep, 1);
        keep[0] = out;
        NDArray scale = flat.abs().max(new int[] {1}, true).div(127f).maximum(1e-12f)
                .reshape(new ai.djl.ndarray.types.Shape(keep)).stopGradient();
        NDArray q = w.div(scale).round().clip(-127f, 127f).mul(scale);
        return w.add(q.sub(w).stopGradient());
    }

    /**
     * Fake-quantizes an activation per tensor.
     *
     * @param x the activation
     * @param min the calibrated minimum
     * @param max the calibrated maximum
     * @return the fake-quantized activation
     */
    public static NDArray activation(NDArray x, float min, float max) {
        float lo = Math.min(min, 0f);
        float hi = Math.max(max, 0f);
        float scale = Math.max((hi - lo) / 255f, 1e-12f);
        float zp = Math.round(-128f - lo / scale);
        NDArray q = x.div(scale).round().add(zp).clip(-128f, 127f).sub(zp).mul(scale);
        return x.add(q.sub(x).stopGradient());
    }
}
