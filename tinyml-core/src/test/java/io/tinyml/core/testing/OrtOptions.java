package io.tinyml.core.testing;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The ONNX Runtime session options every test uses when ONNX Runtime is the oracle, so that its answers do
 * not depend on the machine that runs the test.
 *
 * <ul>
 *   <li>One intra-op and one inter-op thread: float reductions split over threads sum in an order that
 *       depends on the thread count.</li>
 *   <li>{@code session.x64quantprecision=1}: on x86-64 CPUs without VNNI (AVX2, or AVX-512 without VNNI)
 *       ONNX Runtime's default u8×s8 matrix kernels add pairs of products into 16-bit lanes that saturate
 *       ({@code vpmaddubsw}); 255 × 127 × 2 does not fit in 16 bits, so int8 convolutions come out wrong by
 *       up to tens of LSB on such machines only. With this option ONNX Runtime rewrites int8 weights to uint8
 *       on those CPUs and uses its u8×u8 kernels, which widen to 16 bits before multiplying and accumulate
 *       exactly. On CPUs with VNNI ({@code vpdpbusd} accumulates into 32 bits, no saturation) the option
 *       changes nothing. Both paths compute the exact integer sums, and the requantization that follows is
 *       IEEE float arithmetic, so the results are the same bytes on every x86-64 CPU: checked by running
 *       the same model under {@code qemu-x86_64 -cpu Haswell} (AVX2, no VNNI, no AVX-512) and natively on an
 *       AVX-512 VNNI machine.</li>
 * </ul>
 */
public final class OrtOptions {
    private OrtOptions() {
    }

    /**
     * Returns new session options with the settings above; the caller closes them.
     *
     * @return the options
     * @throws OrtException if ONNX Runtime refuses a setting
     */
    public static OrtSession.SessionOptions deterministic() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            o.addConfigEntry("session.x64quantprecision", "1");
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }
}
