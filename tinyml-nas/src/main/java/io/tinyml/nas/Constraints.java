package io.tinyml.nas;

import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Budgets a deployed model must meet on a target, checked against the estimator's prediction for the
 * int8 model (whole firmware flash and RAM with the chosen kernel library; latency and energy of one
 * inference). Immutable and thread-safe.
 *
 * <pre>{@code
 * Constraints c = Constraints.builder().setTarget("cortex-m4").optMaxFlash(32 * 1024).optMaxRam(16 * 1024).build();
 * }</pre>
 *
 * @param target the target
 * @param kernels the kernel library the estimate assumes (default: the SDK's generated C)
 * @param maxFlash flash budget in bytes ({@code Long.MAX_VALUE} = none)
 * @param maxRam RAM budget in bytes ({@code Long.MAX_VALUE} = none)
 * @param maxLatencyMs latency budget ({@code +inf} = none)
 * @param maxEnergyUj energy budget per inference ({@code +inf} = none)
 */
public record Constraints(Target target, KernelLibrary kernels, long maxFlash, long maxRam, double maxLatencyMs,
                          double maxEnergyUj) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if a budget is not positive
     */
    public Constraints {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(kernels, "kernels");
        if (maxFlash <= 0 || maxRam <= 0 || !(maxLatencyMs > 0) || !(maxEnergyUj > 0)) {
            throw new IllegalArgumentException("expected positive budgets, found flash " + maxFlash + " B, RAM "
                    + maxRam + " B, latency " + maxLatencyMs + " ms, energy " + maxEnergyUj + " uJ");
        }
    }

    /**
     * Starts a builder.
     *
     * @return a builder with no budgets and the generated kernels
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the estimator these constraints are checked with.
     *
     * @return the estimator
     */
    public Estimator estimator() {
        return Estimator.builder().setTarget(target).optKernels(kernels).build();
    }

    /**
     * Lists the budgets an estimate exceeds.
     *
     * @param e the estimate of the int8 model
     * @return the shortfalls, empty when every budget is met
     */
    public List<Shortfall> check(Estimate e) {
        List<Shortfall> s = new ArrayList<>();
        if (!e.unsupportedOps().isEmpty()) {
            s.add(new Shortfall("operators " + e.unsupportedOps(), e.unsupportedOps().size(), 0, "ops"));
        }
        if (e.flashBytes() > maxFlash) {
            s.add(new Shortfall("flash", e.flashBytes(), maxFlash, "B"));
        }
        if (e.ramBytes() > maxRam) {
            s.add(new Shortfall("RAM", e.ramBytes(), maxRam, "B"));
        }
        if (e.latencyMs() > maxLatencyMs) {
            s.add(new Shortfall("latency", e.latencyMs(), maxLatencyMs, "ms"));
        }
        if (maxEnergyUj != Double.POSITIVE_INFINITY && e.energyUj() > maxEnergyUj) {
            s.add(new Shortfall("energy", e.energyUj(), maxEnergyUj, "uJ"));
        }
        return s;
    }

    /** Builds {@link Constraints}; {@code setTarget} is required. Not thread-safe. */
    public static final class Builder {
        private Target target;
        private KernelLibrary kernels = KernelLibrary.GENERATED;
        private long maxFlash = Long.MAX_VALUE;
        private long maxRam = Long.MAX_VALUE;
        private double maxLatencyMs = Double.POSITIVE_INFINITY;
        private double maxEnergyUj = Double.POSITIVE_INFINITY;

        private Builder() {
        }

        /**
         * Sets the target.
         *
         * @param t the target
         * @return this builder
         */
        public Builder setTarget(Target t) {
            this.target = Objects.requireNonNull(t, "target");
            return this;
        }

        /**
         * Sets the target by catalog name.
         *
         * @param name e.g. "cortex-m4"
         * @return this builder
         * @throws IllegalArgumentException if the name is unknown
         */
        public Builder setTarget(String name) {
            return setTarget(TargetCatalog.get(name));
        }

        /**
         * Sets the kernel library.
         *
         * @param k the library
         * @return this builder
         */
        public Builder optKernels(KernelLibrary k) {
            this.kernels = Objects.requireNonNull(k, "kernels");
            return this;
        }

        /**
         * Sets the flash budget.
         *
         * @param bytes whole-firmware bytes
         * @return this builder
         */
        public Builder optMaxFlash(long bytes) {
            this.maxFlash = bytes;
            return this;
        }

        /**
         * Sets the RAM budget.
         *
         * @param bytes whole-firmware RAM bytes (data, bss, stack)
         * @return this builder
         */
        public Builder optMaxRam(long bytes) {
            this.maxRam = bytes;
            return this;
        }

        /**
         * Sets the latency budget.
         *
         * @param ms milliseconds per inference
         * @return this builder
         */
        public Builder optMaxLatencyMs(double ms) {
            this.maxLatencyMs = ms;
            return this;
        }

        /**
         * Sets the energy budget.
         *
         * @param uj microjoules per inference
         * @return this builder
         */
        public Builder optMaxEnergyUj(double uj) {
            this.maxEnergyUj = uj;
            return this;
        }

        /**
         * Builds the constraints.
         *
         * @return the constraints
         * @throws IllegalStateException if no target was set
         * @throws IllegalArgumentException if a budget is not positive
         */
        public Constraints build() {
            if (target == null) {
                throw new IllegalStateException("expected a target, found none");
            }
            return new Constraints(target, kernels, maxFlash, maxRam, maxLatencyMs, maxEnergyUj);
        }
    }
}
