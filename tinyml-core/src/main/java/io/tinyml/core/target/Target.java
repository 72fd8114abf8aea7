package io.tinyml.core.target;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A hardware target: a core, its clock, SRAM and flash, optional features and the active power the
 * energy estimate multiplies time by. Immutable and thread-safe.
 *
 * <pre>{@code
 * Target t = TargetCatalog.get("nucleo-l4r5zi");
 * FitCheck fit = Estimator.builder().setTarget(t).optKernels(KernelLibrary.OPTIMIZED).build().check(model);
 * if (!fit.fits()) System.out.println(fit.describe());
 *
 * Target mine = Target.builder().setName("my-board").setCore(Core.CORTEX_M4).setClockHz(80_000_000)
 *         .setRamBytes(96 * 1024).setFlashBytes(512 * 1024).optFeatures(Set.of(Feature.FPU, Feature.DSP_SIMD))
 *         .build();
 * }</pre>
 *
 * @param name the catalog name, e.g. "cortex-m4"
 * @param description what it is (chip, board)
 * @param core the processor core
 * @param clockHz the core clock in hertz
 * @param ramBytes SRAM available to the application
 * @param flashBytes flash (or the program store) available to the application
 * @param features optional core features
 * @param activePowerMw power while computing, in milliwatts (0 when unknown: no energy estimate)
 * @param powerSource where {@code activePowerMw} comes from (a datasheet table, or why there is no figure)
 * @param emulated true for QEMU boards, where one cycle is one executed instruction
 */
public record Target(String name, String description, Core core, long clockHz, long ramBytes, long flashBytes,
                     Set<Feature> features, double activePowerMw, String powerSource, boolean emulated) {

    /** Validates and copies. */
    public Target {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(core, "core");
        Objects.requireNonNull(powerSource, "powerSource");
        if (name.isBlank()) {
            throw new IllegalArgumentException("expected a target name, found a blank one");
        }
        if (clockHz <= 0 || ramBytes <= 0 || flashBytes <= 0) {
            throw new IllegalArgumentException("expected a positive clock, RAM and flash for target '" + name
                    + "', found clock " + clockHz + " Hz, RAM " + ramBytes + " B, flash " + flashBytes + " B");
        }
        if (!(activePowerMw >= 0)) {
            throw new IllegalArgumentException("expected a non-negative active power for target '" + name
                    + "', found " + activePowerMw + " mW");
        }
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    }

    /**
     * Tells whether the target has a feature.
     *
     * @param f the feature
     * @return true if present
     */
    public boolean has(Feature f) {
        return features.contains(f);
    }

    /** @return the clock in MHz */
    public double clockMhz() {
        return clockHz / 1e6;
    }

    /** @return a builder initialised from this target */
    public Builder toBuilder() {
        return new Builder().setName(name).optDescription(description).setCore(core).setClockHz(clockHz)
                .setRamBytes(ramBytes).setFlashBytes(flashBytes).optFeatures(features)
                .optActivePower(activePowerMw, powerSource).optEmulated(emulated);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link Target}: {@code set*} for required fields (name, core, clock, RAM, flash),
     * {@code opt*} for optional ones. Not thread-safe.
     */
    public static final class Builder {
        private String name;
        private String description = "";
        private Core core;
        private long clockHz;
        private long ramBytes;
        private long flashBytes;
        private Set<Feature> features = Set.of();
        private double activePowerMw;
        private String powerSource = "unknown";
        private boolean emulated;

        private Builder() {
        }

        /** @param v the name @return this */
        public Builder setName(String v) {
            name = v;
            return this;
        }

        /** @param v the core @return this */
        public Builder setCore(Core v) {
            core = v;
            return this;
        }

        /** @param v the clock in Hz @return this */
        public Builder setClockHz(long v) {
            clockHz = v;
            return this;
        }

        /** @param v SRAM bytes @return this */
        public Builder setRamBytes(long v) {
            ramBytes = v;
            return this;
        }

        /** @param v flash bytes @return this */
        public Builder setFlashBytes(long v) {
            flashBytes = v;
            return this;
        }

        /** @param v a description @return this */
        public Builder optDescription(String v) {
            description = v;
            return this;
        }

        /** @param v the features @return this */
        public Builder optFeatures(Set<Feature> v) {
            features = v;
            return this;
        }

        /**
         * Sets the active power.
         *
         * @param milliwatts power while computing
         * @param source where the figure comes from
         * @return this
         */
        public Builder optActivePower(double milliwatts, String source) {
            activePowerMw = milliwatts;
            powerSource = source;
            return this;
        }

        /** @param v true for an emulated board (one cycle per instruction) @return this */
        public Builder optEmulated(boolean v) {
            emulated = v;
            return this;
        }

        /**
         * Builds the target.
         *
         * @return the target
         * @throws IllegalStateException if a required field is missing
         * @throws IllegalArgumentException if a value is out of range
         */
        public Target build() {
            if (name == null || core == null || clockHz == 0 || ramBytes == 0 || flashBytes == 0) {
                throw new IllegalStateException("expected name, core, clock, RAM and flash to be set, found name="
                        + name + ", core=" + core + ", clockHz=" + clockHz + ", ramBytes=" + ramBytes + ", flashBytes="
                        + flashBytes);
            }
            return new Target(name, description, core, clockHz, ramBytes, flashBytes, features, activePowerMw,
                    powerSource, emulated);
        }
    }
}
