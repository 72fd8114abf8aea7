package io.tinyml.train.internal;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.data.InputMapping;

/**
 * A data set mapped once onto a model input and checked before any training starts: every sample maps
 * onto the input, every value is finite and every label is a class of the model's output.
 *
 * @param values all samples' real input values, sample after sample (IR layout)
 * @param labels the class of each sample
 * @param perSample values per sample
 */
public record TrainingData(float[] values, int[] labels, int perSample) {

    /**
     * Maps and checks a data set.
     *
     * @param d the data set
     * @param mapping the mapping onto the model input
     * @param classes the number of classes the model outputs
     * @param what how the data is named in messages, e.g. "training data"
     * @return the mapped data
     * @throws DatasetException naming the first problem in one line: no samples, more classes than the
     *     model outputs, a sample that does not map onto the input, or a value that is not finite
     */
    public static TrainingData of(Dataset d, InputMapping mapping, int classes, String what) throws DatasetException {
        if (d.size() == 0) {
            throw new DatasetException(what + " " + d.source() + ": expected at least one sample, found none");
        }
        if (d.classes().size() > classes) {
            throw new DatasetException(what + " " + d.source() + ": expected at most " + classes
                    + " classes (the model's output has " + classes + "), found " + d.classes().size());
        }
        int per = mapping.input().shape().elementCount();
        float[] all = new float[Math.multiplyExact(per, d.size())];
        int[] labels = new int[d.size()];
        for (int i = 0; i < d.size(); i++) {
            float[] v;
            try {
                v = mapping.toRealValues(d.get(i));
            } catch (IllegalArgumentException e) {
                throw new DatasetException(what + " " + d.source() + ": sample " + i + " of shape " + d.sampleShape()
                        + " does not fit model input '" + mapping.input().name() + "' " + mapping.input().shape()
                        + ": " + e.getMessage(), e);
            }
            for (int k = 0; k < v.length; k++) {
                if (!Float.isFinite(v[k])) {
                    throw new DatasetException(what + " " + d.source() + ": expected finite values, found " + v[k]
                            + " at value " + k + " of sample " + i);
                }
            }
            System.arraycopy(v, 0, all, i * per, per);
            labels[i] = d.label(i);
            if (labels[i] >= classes) {
                throw new DatasetException(what + " " + d.source() + ": expected labels below " + classes
                        + ", found " + labels[i] + " at sample " + i);
            }
        }
        return new TrainingData(all, labels, per);
    }

    /**
     * Copies some samples' values into one array, sample after sample.
     *
     * @param idx sample indices
     * @param from the first position in {@code idx}
     * @param to one past the last position
     * @return {@code (to - from) * perSample} values
     */
    public float[] gather(int[] idx, int from, int to) {
        float[] x = new float[(to - from) * perSample];
        for (int i = from; i < to; i++) {
            System.arraycopy(values, idx[i] * perSample, x, (i - from) * perSample, perSample);
        }
        return x;
    }

    /**
     * Returns the number of samples.
     *
     * @return the count
     */
    public int size() {
        return labels.length;
    }
}
