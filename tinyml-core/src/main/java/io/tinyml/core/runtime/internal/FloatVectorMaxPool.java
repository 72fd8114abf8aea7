package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.Quant;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 max pooling on the Vector API: vector lanes run over the channels of one output pixel, which
 * takes the maximum over its window's in-bounds positions (padded positions are not counted), then the
 * clamp of the fused activation, for layers of a whole number of vectors of channels. The lanewise
 * maximum follows {@link Math#max} (NaN wins, +0.0 above −0.0), so the outputs equal the scalar
 * kernel's.
 *
 * <p>Loaded only once {@link VectorSupport#use()} returned true.
 */
final class FloatVectorMaxPool {
    /** The float shape of every float vector kernel ({@link VectorShape#FLOAT}: one shape per JVM). */
    private static final VectorSpecies<Float> S = VectorShape.FLOAT;
    private static final int L = S.length();

    private FloatVectorMaxPool() {
    }

    /**
     * Whether this form applies: a whole number of vectors of channels (fewer channels keep the scalar
     * kernel; one vector type per JVM keeps the JIT's vector intrinsics apart from mixed species).
     */
    static boolean applies(ConvGeometry geo) {
        return geo.inC() % L == 0;
    }

    /** The kernel of a float32 max pooling with fused activation {@code act}. */
    static Kernel kernel(ConvGeometry geo, float[] x, float[] y, Activation act) {
        float[] r = Quant.floatRange(act);
        float lo = r[0];
        float hi = r[1];
        return () -> {
            run(geo, x, y, lo, hi);
            Quant.applyTanh(act, y);
        };
    }

    private static void run(ConvGeometry geo, float[] x, float[] y, float lo, float hi) {
        int c = geo.inC();
        int inH = geo.inH(), inW = geo.inW();
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                int iy0 = oy * geo.strideH() - geo.padH();
                int fy0 = Math.max(0, -iy0);
                int fy1 = Math.min(geo.kH(), inH - iy0);
                for (int ox = 0; ox < geo.outW(); ox++) {
                    int ix0 = ox * geo.strideW() - geo.padW();
                    int fx0 = Math.max(0, -ix0);
                    int fx1 = Math.min(geo.kW(), inW - ix0);
                    int ob = ((b * geo.outH() + oy) * geo.outW() + ox) * c;
                    int row0 = (b * inH + iy0) * inW + ix0;
                    window(x, row0, inW, c, fy0, fy1, fx0, fx1, y, ob, lo, hi);
                }
            }
        }
    }

    /**
     * One output pixel: the maximum over window rows {@code fy0 ..} and columns {@code fx0 ..}, window
     * position by window position, kept in {@code y} (no vector lives across the loops, which would box it).
     * A method per pixel, called often enough that the JIT compiles it again soon after a layer of another
     * shape deoptimised it (until then its vectors live on the heap).
     */
    private static void window(float[] x, int row0, int inW, int c, int fy0, int fy1, int fx0, int fx1, float[] y,
                               int ob, float lo, float hi) {
        for (int j = 0; j < c; j += L) {
            FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(y, ob + j);
        }
        for (int fy = fy0; fy < fy1; fy++) {
            for (int fx = fx0; fx < fx1; fx++) {
                int xi = (row0 + fy * inW + fx) * c;
                for (int j = 0; j < c; j += L) {
                    FloatVector.fromArray(S, y, ob + j).max(FloatVector.fromArray(S, x, xi + j)).intoArray(y, ob + j);
                }
            }
        }
        for (int j = 0; j < c; j += L) {
            FloatVector.fromArray(S, y, ob + j).min(hi).max(lo).intoArray(y, ob + j);
        }
    }
}
