package io.tinyml.samples;

import java.util.Random;

/**
 * Trains a 1-16-16-1 ReLU perceptron to regress sin(x) on [0, 2π] in plain Java (full-precision
 * backpropagation with Adam), the same network TensorFlow Lite Micro's hello_world example uses.
 * Deterministic for a given seed. Not thread-safe.
 */
public final class SineTrainer {
    /** Hidden width. */
    public static final int HIDDEN = 16;

    /** Layer-1 weights [16][1], biases [16]. */
    final float[][] w1 = new float[HIDDEN][1];
    final float[] b1 = new float[HIDDEN];
    /** Layer-2 weights [16][16], biases [16]. */
    final float[][] w2 = new float[HIDDEN][HIDDEN];
    final float[] b2 = new float[HIDDEN];
    /** Layer-3 weights [1][16], bias [1]. */
    final float[][] w3 = new float[1][HIDDEN];
    final float[] b3 = new float[1];

    private final Random random;

    /**
     * Creates a trainer with He-initialised weights.
     *
     * @param seed the random seed
     */
    public SineTrainer(long seed) {
        random = new Random(seed);
        init(w1, 1);
        init(w2, HIDDEN);
        init(w3, HIDDEN);
        // place each first-layer ReLU's breakpoint inside [0, 2π]; with zero biases every unit
        // with a negative weight would be dead for all positive inputs
        for (int i = 0; i < HIDDEN; i++) {
            b1[i] = (float) (-w1[i][0] * random.nextDouble() * 2 * Math.PI);
            b2[i] = 0.1f;
        }
    }

    private void init(float[][] w, int fanIn) {
        double std = Math.sqrt(2.0 / fanIn);
        for (float[] row : w) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) (random.nextGaussian() * std);
            }
        }
    }

    /**
     * Trains with mini-batch Adam on points drawn uniformly from [0, 2π].
     *
     * @param steps the number of optimizer steps
     * @param batch the mini-batch size
     * @return the final mean squared error on a fixed grid of 1,000 points
     */
    public double train(int steps, int batch) {
        double[][] params = {flat(w1), b1d(b1), flat(w2), b1d(b2), flat(w3), b1d(b3)};
        double[][] m = new double[params.length][];
        double[][] v = new double[params.length][];
        for (int i = 0; i < params.length; i++) {
            m[i] = new double[params[i].length];
            v[i] = new double[params[i].length];
        }
        double lr = 0.01;
        double beta1 = 0.9;
        double beta2 = 0.999;
        for (int step = 1; step <= steps; step++) {
            if (step == steps / 2 || step == 3 * steps / 4) {
                lr /= 3;
            }
            double[][] grad = new double[params.length][];
            for (int i = 0; i < params.length; i++) {
                grad[i] = new double[params[i].length];
            }
            for (int s = 0; s < batch; s++) {
                double x = random.nextDouble() * 2 * Math.PI;
                backprop(params, x, Math.sin(x), grad, 1.0 / batch);
            }
            for (int i = 0; i < params.length; i++) {
                for (int j = 0; j < params[i].length; j++) {
                    m[i][j] = beta1 * m[i][j] + (1 - beta1) * grad[i][j];
                    v[i][j] = beta2 * v[i][j] + (1 - beta2) * grad[i][j] * grad[i][j];
                    double mh = m[i][j] / (1 - Math.pow(beta1, step));
                    double vh = v[i][j] / (1 - Math.pow(beta2, step));
                    params[i][j] -= lr * mh / (Math.sqrt(vh) + 1e-8);
                }
            }
        }
        unflat(params[0], w1);
        copy(params[1], b1);
        unflat(params[2], w2);
        copy(params[3], b2);
        unflat(params[4], w3);
        copy(params[5], b3);
        double mse = 0;
        for (int i = 0; i < 1000; i++) {
            double x = i * 2 * Math.PI / 999;
            double e = predict(x) - Math.sin(x);
            mse += e * e / 1000;
        }
        return mse;
    }

    /**
     * Evaluates the trained network in double precision.
     *
     * @param x the input
     * @return the prediction
     */
    public double predict(double x) {
        double[] h1 = new double[HIDDEN];
        for (int i = 0; i < HIDDEN; i++) {
            h1[i] = Math.max(0, w1[i][0] * x + b1[i]);
        }
        double y = b3[0];
        for (int i = 0; i < HIDDEN; i++) {
            double h = b2[i];
            for (int j = 0; j < HIDDEN; j++) {
                h += w2[i][j] * h1[j];
            }
            y += w3[0][i] * Math.max(0, h);
        }
        return y;
    }

    private static void backprop(double[][] p, double x, double target, double[][] g, double scale) {
        double[] w1 = p[0], b1 = p[1], w2 = p[2], b2 = p[3], w3 = p[4], b3 = p[5];
        double[] z1 = new double[HIDDEN], h1 = new double[HIDDEN], z2 = new double[HIDDEN], h2 = new double[HIDDEN];
        for (int i = 0; i < HIDDEN; i++) {
            z1[i] = w1[i] * x + b1[i];
            h1[i] = Math.max(0, z1[i]);
        }
        double y = b3[0];
        for (int i = 0; i < HIDDEN; i++) {
            double z = b2[i];
            for (int j = 0; j < HIDDEN; j++) {
                z += w2[i * HIDDEN + j] * h1[j];
            }
            z2[i] = z;
            h2[i] = Math.max(0, z);
            y += w3[i] * h2[i];
        }
        double dy = 2 * (y - target) * scale;
        g[5][0] += dy;
        double[] dz2 = new double[HIDDEN];
        for (int i = 0; i < HIDDEN; i++) {
            g[4][i] += dy * h2[i];
            dz2[i] = z2[i] > 0 ? dy * w3[i] : 0;
            g[3][i] += dz2[i];
        }
        for (int j = 0; j < HIDDEN; j++) {
            double dh1 = 0;
            for (int i = 0; i < HIDDEN; i++) {
                g[2][i * HIDDEN + j] += dz2[i] * h1[j];
                dh1 += dz2[i] * w2[i * HIDDEN + j];
            }
            double dz1 = z1[j] > 0 ? dh1 : 0;
            g[0][j] += dz1 * x;
            g[1][j] += dz1;
        }
    }

    private static double[] flat(float[][] w) {
        int cols = w[0].length;
        double[] d = new double[w.length * cols];
        for (int i = 0; i < w.length; i++) {
            for (int j = 0; j < cols; j++) {
                d[i * cols + j] = w[i][j];
            }
        }
        return d;
    }

    private static double[] b1d(float[] b) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        return d;
    }

    private static void unflat(double[] d, float[][] w) {
        int cols = w[0].length;
        for (int i = 0; i < w.length; i++) {
            for (int j = 0; j < cols; j++) {
                w[i][j] = (float) d[i * cols + j];
            }
        }
    }

    private static void copy(double[] d, float[] b) {
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) d[i];
        }
    }

    /** @return layer-1 weights as [out=16, in=1] row-major */
    public float[] weights1() {
        return rowMajor(w1);
    }

    /** @return layer-2 weights as [out=16, in=16] row-major */
    public float[] weights2() {
        return rowMajor(w2);
    }

    /** @return layer-3 weights as [out=1, in=16] row-major */
    public float[] weights3() {
        return rowMajor(w3);
    }

    /** @return layer-1 biases */
    public float[] biases1() {
        return b1.clone();
    }

    /** @return layer-2 biases */
    public float[] biases2() {
        return b2.clone();
    }

    /** @return layer-3 bias */
    public float[] biases3() {
        return b3.clone();
    }

    private static float[] rowMajor(float[][] w) {
        int cols = w[0].length;
        float[] r = new float[w.length * cols];
        for (int i = 0; i < w.length; i++) {
            System.arraycopy(w[i], 0, r, i * cols, cols);
        }
        return r;
    }
}
