package io.tinyml.train;

/**
 * Scales the base learning rate as training progresses. Implementations must be pure functions of
 * their arguments (thread-safe, deterministic).
 *
 * <pre>{@code
 * LearningRateSchedule s = LearningRateSchedule.cosine();   // 1 -> 0 over the run
 * }</pre>
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /**
     * Returns the factor applied to the base learning rate.
     *
     * @param epoch the fractional epoch reached, in {@code [0, epochs)}
     * @param epochs the number of epochs of the run
     * @return the factor, positive
     */
    double factor(double epoch, int epochs);

    /**
     * The base rate throughout.
     *
     * @return the schedule
     */
    static LearningRateSchedule constant() {
        return (epoch, epochs) -> 1.0;
    }

    /**
     * Multiplies the rate by {@code gamma} every {@code every} epochs.
     *
     * @param every the epochs between steps, at least 1
     * @param gamma the factor per step, in (0, 1]
     * @return the schedule
     * @throws IllegalArgumentException if an argument is out of range
     */
    static LearningRateSchedule step(int every, double gamma) {
        if (every < 1 || !(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("expected every >= 1 and gamma in (0, 1], found " + every + " and " + gamma);
        }
        return (epoch, epochs) -> Math.pow(gamma, Math.floor(epoch / every));
    }

    /**
     * Half a cosine from 1 down to 0.01 over the run.
     *
     * @return the schedule
     */
    static LearningRateSchedule cosine() {
        return (epoch, epochs) -> 0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, epoch / epochs)));
    }
}
