package io.tinyml.train;

/**
 * What one training epoch achieved. Validation figures are {@code NaN} when no validation data was given.
 *
 * @param epoch the epoch, from 1
 * @param loss the mean training loss over the epoch's batches
 * @param accuracy the training top-1 over the epoch (training-mode forward passes)
 * @param validationLoss the mean loss on the validation data after the epoch
 * @param validationAccuracy the top-1 on the validation data after the epoch
 * @param samplesPerSecond training throughput over the epoch (wall clock)
 * @param learningRate the learning rate at the end of the epoch
 */
public record EpochStats(int epoch, double loss, double accuracy, double validationLoss, double validationAccuracy,
                         double samplesPerSecond, double learningRate) {
}
