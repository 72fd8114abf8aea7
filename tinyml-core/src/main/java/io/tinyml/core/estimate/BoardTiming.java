package io.tinyml.core.estimate;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The cycle model of one real board: cycles of an inference = {@code coreCyclesPerInstruction} ×
 * executed Armv7E-M instructions + {@code stallCyclesPerFlashWord} × 32-bit reads of constant data
 * (weights in flash). Immutable and thread-safe. The coefficients, their sources and the calibration
 * are documented (and computed) in {@code CycleModel}; {@link #boards()} lists the calibrated boards.
 *
 * <pre>{@code
 * BoardTiming l4 = BoardTiming.find("nucleo-l4r5zi").orElseThrow();
 * System.out.println(l4.describe());
 * }</pre>
 *
 * @param target the catalog target, e.g. "nucleo-l4r5zi"
 * @param clockMhz the core clock the model and its calibration assume
 * @param flashWaitStates flash wait states at that clock
 * @param waitStateSource where the wait states come from
 * @param coreCyclesPerInstruction core pipeline cycles per instruction at zero wait states
 * @param stallCyclesPerFlashWord cycles lost per 32-bit read of constant data from flash
 * @param calibration how the coefficients were obtained (fit rows, errors)
 */
public record BoardTiming(String target, double clockMhz, int flashWaitStates, String waitStateSource,
                          double coreCyclesPerInstruction, double stallCyclesPerFlashWord, String calibration) {
    /** Validates. */
    public BoardTiming {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(waitStateSource, "waitStateSource");
        Objects.requireNonNull(calibration, "calibration");
        if (!(coreCyclesPerInstruction > 0) || !(stallCyclesPerFlashWord >= 0) || flashWaitStates < 0) {
            throw new IllegalArgumentException("expected positive core CPI and non-negative stalls for " + target
                    + ", found " + coreCyclesPerInstruction + " and " + stallCyclesPerFlashWord);
        }
    }

    /**
     * Cycles of a stretch of code.
     *
     * @param instructions executed Armv7E-M instructions
     * @param flashWords 32-bit reads of constant data from flash
     * @return the cycles
     */
    public double cycles(double instructions, double flashWords) {
        return coreCyclesPerInstruction * instructions + stallCyclesPerFlashWord * flashWords;
    }

    /** @return one line: target, clock, wait states, both coefficients */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%s at %.0f MHz: %d flash wait states, %.4f core cycles per"
                        + " instruction, %.4f stall cycles per flash word read (%s)", target, clockMhz, flashWaitStates,
                coreCyclesPerInstruction, stallCyclesPerFlashWord, calibration);
    }

    /** @return the boards with a calibrated cycle model */
    public static List<BoardTiming> boards() {
        return CycleModel.BOARDS;
    }

    /**
     * Finds the cycle model of a board.
     *
     * @param target the catalog target name
     * @return the model, or empty when the board has none (the estimator then extrapolates)
     */
    public static Optional<BoardTiming> find(String target) {
        return CycleModel.BOARDS.stream().filter(b -> b.target.equals(target)).findFirst();
    }
}
