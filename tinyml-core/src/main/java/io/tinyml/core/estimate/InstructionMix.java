package io.tinyml.core.estimate;

/**
 * The share of each instruction class in the instructions an inference executes, as the QEMU plugin of
 * the generated firmware ({@code make mix-m4}, {@code mix-rv32}, source {@code fw/insnmix.c}) classifies
 * them. Immutable and thread-safe.
 *
 * @param alu data processing, compares, moves, saturation, SIMD adds (1 cycle each on a Cortex-M4)
 * @param mul multiplies and multiply-accumulates, SIMD MACs included
 * @param load loads (single, double, multiple, pop)
 * @param store stores (single, double, multiple, push)
 * @param branch branches, compare-and-branch, table branches, calls and returns
 */
public record InstructionMix(double alu, double mul, double load, double store, double branch) {
    /**
     * int8 kernels on Armv7E-M (tinyml-codegen -O3, DSP paths, QEMU mps2-an386), kws and person_detect
     * together, measured with {@code make mix-m4} on the reference inputs: alu 13,534,398, mul 5,820,212,
     * load 6,986,288, store 911,988, branch 2,013,974 of 29,266,860 instructions (kws 6,472,689 and person
     * 22,794,171, the same totals {@code make count-m4} reports). Measured before the specialised pointwise /
     * 3x3 depthwise / fully-connected kernels; with them (kws 5,227,031 and person 15,937,079 instructions) the
     * Cortex-M4 cycles per instruction of the measured mix is 1.296 against this mix's 1.3075 (-0.9 %;
     * {@code TargetFirmwareTest} holds it within 5 %), and this mix also stands for the CMSIS-NN stacks the
     * board models are calibrated on, whose kernels are closer to these.
     */
    public static final InstructionMix ARMV7EM_INT8 = of(13_534_398, 5_820_212, 6_986_288, 911_988, 2_013_974);

    /**
     * The same generated C on RV32IMC (portable kernels, riscv64-unknown-elf-gcc 12.2 -O3 -march=rv32imc,
     * QEMU riscv32 virt), kws and person_detect together, measured with {@code make mix-rv32}: alu 5,399,029 +
     * 17,412,119, mul 2,777,289 + 7,683,209, load 3,253,991 + 10,082,422, store 264,064 + 994,528, branch
     * 782,363 + 2,737,036 (kws 12,476,736 and person 38,909,314 instructions).
     */
    public static final InstructionMix RV32_INT8 = of(5_399_029 + 17_412_119, 2_777_289 + 7_683_209,
            3_253_991 + 10_082_422, 264_064 + 994_528, 782_363 + 2_737_036);

    /** Validates the shares. */
    public InstructionMix {
        double sum = alu + mul + load + store + branch;
        if (!(alu >= 0 && mul >= 0 && load >= 0 && store >= 0 && branch >= 0) || Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("expected non-negative instruction shares summing to 1, found " + sum);
        }
    }

    /**
     * Builds a mix from executed-instruction counts per class.
     *
     * @param alu ALU instructions
     * @param mul multiplies and MACs
     * @param load loads
     * @param store stores
     * @param branch branches
     * @return the shares
     * @throws IllegalArgumentException if a count is negative or all are zero
     */
    public static InstructionMix of(long alu, long mul, long load, long store, long branch) {
        double t = (double) alu + mul + load + store + branch;
        if (!(t > 0)) {
            throw new IllegalArgumentException("expected some executed instructions, found none");
        }
        return new InstructionMix(alu / t, mul / t, load / t, store / t, branch / t);
    }

    /**
     * Cycles per instruction of an in-order single-issue pipeline with the given cost per class, at zero
     * wait states.
     *
     * @param aluCost cycles of an ALU instruction
     * @param mulCost cycles of a multiply or MAC
     * @param loadCost cycles of a load
     * @param storeCost cycles of a store
     * @param branchCost cycles of a branch
     * @return the weighted mean
     */
    public double cyclesPerInstruction(double aluCost, double mulCost, double loadCost, double storeCost,
                                       double branchCost) {
        return alu * aluCost + mul * mulCost + load * loadCost + store * storeCost + branch * branchCost;
    }
}
