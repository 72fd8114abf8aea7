package io.tinyml.core.estimate;

import io.tinyml.core.estimate.plan.MemoryPlan;
import io.tinyml.core.target.Target;

import java.util.List;
import java.util.Objects;

/**
 * Flash, RAM, latency and energy of a model on a target with a kernel library, with a per-layer
 * breakdown, the memory plan, and the budgets it violates. Immutable and thread-safe.
 *
 * @param model a label for the model (file name or description)
 * @param target the target
 * @param kernels the kernel library asked for
 * @param flash flash bytes by term
 * @param ram RAM bytes by term
 * @param cycles estimated core cycles of one inference
 * @param latencyMs estimated milliseconds of one inference
 * @param energyUj estimated microjoules of one inference (0 when the target has no power figure)
 * @param layers per-node estimates in execution order
 * @param plan the activation memory plan
 * @param violations budgets the model exceeds on the target
 * @param unsupportedOps operators without a kernel in the library, "KIND at node NAME"
 * @param notes caveats: provisional coefficients, fallbacks
 * @param memoryBasis where the flash and RAM figures come from (calibrated or extrapolated)
 * @param latencyBasis where the cycle, latency and energy figures come from (calibrated or extrapolated)
 */
public record Estimate(String model, Target target, KernelLibrary kernels, FlashBreakdown flash, RamBreakdown ram,
                       long cycles, double latencyMs, double energyUj, List<LayerEstimate> layers, MemoryPlan plan,
                       List<Violation> violations, List<String> unsupportedOps, List<String> notes,
                       FigureBasis memoryBasis, FigureBasis latencyBasis) {
    /** Validates and copies. */
    public Estimate {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(memoryBasis, "memoryBasis");
        Objects.requireNonNull(latencyBasis, "latencyBasis");
        layers = List.copyOf(layers);
        violations = List.copyOf(violations);
        unsupportedOps = List.copyOf(unsupportedOps);
        notes = List.copyOf(notes);
    }

    /** @return total flash bytes */
    public long flashBytes() {
        return flash.total();
    }

    /** @return total RAM bytes (arena, stack, static runtime data) */
    public long ramBytes() {
        return ram.total();
    }

    /** @return the tensor arena bytes */
    public long arenaBytes() {
        return ram.arena();
    }

    /** @return true when no budget is violated and every operator is supported */
    public boolean fits() {
        return violations.isEmpty() && unsupportedOps.isEmpty();
    }
}
