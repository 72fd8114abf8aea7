package io.tinyml.core.io.keras;

import java.util.Arrays;

/**
 * Keras layer semantics in plain Java, on batch-1 channels-last tensors and Keras weight layouts
 * (HWIO kernels, HWCM depthwise kernels, [in, out] dense kernels): an oracle for the reader that
 * shares no code with it.
 */
final class KerasReference {
    private KerasReference() {
    }

    /** A batch-1 tensor: shape without the batch dimension, row-major values. */
    record T(int[] shape, float[] v) {
        int dim(int i) {
            return shape[i < 0 ? shape.length + i : i];
        }
    }

    static int outSize(int in, int k, int s, int d, boolean same) {
        int eff = (k - 1) * d + 1;
        return same ? (in + s - 1) / s : (in - eff + s) / s;
    }

    static int padBefore(int in, int k, int s, int d, boolean same) {
        if (!same) {
            return 0;
        }
        int eff = (k - 1) * d + 1;
        int out = outSize(in, k, s, d, true);
        return Math.max((out - 1) * s + eff - in, 0) / 2;
    }

    static T conv(T x, float[] k, int kh, int kw, int cout, float[] bias, int s, int d, boolean same, int groups) {
        int h = x.dim(0), w = x.dim(1), cin = x.dim(2), cpg = cin / groups, opg = cout / groups;
        int oh = outSize(h, kh, s, d, same), ow = outSize(w, kw, s, d, same);
        int pt = padBefore(h, kh, s, d, same), pl = padBefore(w, kw, s, d, same);
        float[] y = new float[oh * ow * cout];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int o = 0; o < cout; o++) {
                    double acc = bias == null ? 0 : bias[o];
                    int g = o / opg;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * s - pt + ky * d;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ox * s - pl + kx * d;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            for (int i = 0; i < cpg; i++) {
                                acc += x.v()[(iy * w + ix) * cin + g * cpg + i] * k[((ky * kw + kx) * cpg + i) * cout + o];
                            }
                        }
                    }
                    y[(oy * ow + ox) * cout + o] = (float) acc;
                }
            }
        }
        return new T(new int[] {oh, ow, cout}, y);
    }

    static T depthwise(T x, float[] k, int kh, int kw, int m, float[] bias, int s, int d, boolean same) {
        int h = x.dim(0), w = x.dim(1), c = x.dim(2);
        int oh = outSize(h, kh, s, d, same), ow = outSize(w, kw, s, d, same);
        int pt = padBefore(h, kh, s, d, same), pl = padBefore(w, kw, s, d, same);
        float[] y = new float[oh * ow * c * m];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int mi = 0; mi < m; mi++) {
                        double acc = bias == null ? 0 : bias[ci * m + mi];
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = oy * s - pt + ky * d, ix = ox * s - pl + kx * d;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    acc += x.v()[(iy * w + ix) * c + ci] * k[((ky * kw + kx) * c + ci) * m + mi];
                                }
                            }
                        }
                        y[(oy * ow + ox) * c * m + ci * m + mi] = (float) acc;
                    }
                }
            }
        }
        return new T(new int[] {oh, ow, c * m}, y);
    }

    static T dense(T x, float[] k, int units, float[] bias) {
        int in = x.dim(-1), rows = x.v().length / in;
        float[] y = new float[rows * units];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < units; o++) {
                double acc = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    acc += x.v()[r * in + i] * k[i * units + o];
                }
                y[r * units + o] = (float) acc;
            }
        }
        int[] s = x.shape().clone();
        s[s.length - 1] = units;
        return new T(s, y);
    }

    static T batchNorm(T x, float[] gamma, float[] beta, float[] mean, float[] var, double eps) {
        int c = x.dim(-1);
        float[] y = new float[x.v().length];
        for (int i = 0; i < y.length; i++) {
            int ch = i % c;
            double g = gamma == null ? 1 : gamma[ch], b = beta == null ? 0 : beta[ch];
            y[i] = (float) (g * (x.v()[i] - mean[ch]) / Math.sqrt(var[ch] + eps) + b);
        }
        return new T(x.shape(), y);
    }

    static T pool(T x, int k, int s, boolean same, boolean max) {
        int h = x.dim(0), w = x.dim(1), c = x.dim(2);
        int oh = outSize(h, k, s, 1, same), ow = outSize(w, k, s, 1, same);
        int pt = padBefore(h, k, s, 1, same), pl = padBefore(w, k, s, 1, same);
        float[] y = new float[oh * ow * c];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int ci = 0; ci < c; ci++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int n = 0;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s - pt + ky, ix = ox * s - pl + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                float v = x.v()[(iy * w + ix) * c + ci];
                                acc = max ? Math.max(acc, v) : acc + v;
                                n++;
                            }
                        }
                    }
                    y[(oy * ow + ox) * c + ci] = (float) (max ? acc : acc / n);
                }
            }
        }
        return new T(new int[] {oh, ow, c}, y);
    }

    static T zeroPad(T x, int top, int bottom, int left, int right) {
        int h = x.dim(0), w = x.dim(1), c = x.dim(2), oh = h + top + bottom, ow = w + left + right;
        float[] y = new float[oh * ow * c];
        for (int iy = 0; iy < h; iy++) {
            for (int ix = 0; ix < w; ix++) {
                System.arraycopy(x.v(), (iy * w + ix) * c, y, ((iy + top) * ow + ix + left) * c, c);
            }
        }
        return new T(new int[] {oh, ow, c}, y);
    }

    static T globalAverage(T x) {
        int h = x.dim(0), w = x.dim(1), c = x.dim(2);
        float[] y = new float[c];
        for (int ci = 0; ci < c; ci++) {
            double acc = 0;
            for (int p = 0; p < h * w; p++) {
                acc += x.v()[p * c + ci];
            }
            y[ci] = (float) (acc / (h * w));
        }
        return new T(new int[] {c}, y);
    }

    static T add(T a, T b) {
        float[] y = a.v().clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += b.v()[i];
        }
        return new T(a.shape(), y);
    }

    static T concatLast(T a, T b) {
        int ca = a.dim(-1), cb = b.dim(-1), rows = a.v().length / ca;
        float[] y = new float[rows * (ca + cb)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a.v(), r * ca, y, r * (ca + cb), ca);
            System.arraycopy(b.v(), r * cb, y, r * (ca + cb) + ca, cb);
        }
        int[] s = a.shape().clone();
        s[s.length - 1] = ca + cb;
        return new T(s, y);
    }

    static T reshape(T x, int... shape) {
        return new T(shape, x.v());
    }

    /** Element-wise activation by its Keras name. */
    static T act(T x, String name, double alpha) {
        if (name.equals("softmax")) {
            int c = x.dim(-1);
            float[] y = new float[x.v().length];
            for (int r = 0; r < y.length / c; r++) {
                double mx = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < c; i++) {
                    mx = Math.max(mx, x.v()[r * c + i]);
                }
                for (int i = 0; i < c; i++) {
                    sum += Math.exp(x.v()[r * c + i] - mx);
                }
                for (int i = 0; i < c; i++) {
                    y[r * c + i] = (float) (Math.exp(x.v()[r * c + i] - mx) / sum);
                }
            }
            return new T(x.shape(), y);
        }
        float[] y = new float[x.v().length];
        for (int i = 0; i < y.length; i++) {
            double v = x.v()[i];
            y[i] = (float) switch (name) {
                case "linear" -> v;
                case "relu" -> Math.max(0, v);
                case "relu6" -> Math.min(6, Math.max(0, v));
                case "sigmoid" -> 1 / (1 + Math.exp(-v));
                case "tanh" -> Math.tanh(v);
                case "hard_swish" -> v * Math.min(6, Math.max(0, v + 3)) / 6;
                case "swish" -> v / (1 + Math.exp(-v));
                case "leaky" -> v >= 0 ? v : alpha * v;
                case "clip" -> Math.min(alpha, Math.max(0, v));
                default -> throw new IllegalArgumentException("expected a known activation, found " + name);
            };
        }
        return new T(x.shape(), y);
    }

    static T act(T x, String name) {
        return act(x, name, 0);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("expected " + a.length + " values, found " + b.length + ": " + Arrays.toString(b));
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
