package io.tinyml.core.estimate;

import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.target.Core;
import io.tinyml.core.target.Target;

import java.util.List;
import java.util.Locale;

/**
 * From executed instructions to cycles on a board, and where each coefficient comes from.
 * Package-private: the numbers live here, next to their sources.
 *
 * <h2>Model</h2>
 * cycles = core CPI × instructions + stall per flash word × 32-bit constant reads, per node, where
 * <ul>
 * <li>instructions are the estimator's Armv7E-M counts ({@code CostModel}), scaled for another
 * instruction set by a measured ratio (below);</li>
 * <li>core CPI = Σ class share × class cost. Cortex-M4 costs per class from the Cortex-M4 instruction
 * timing table (Arm's Cortex-M4 TRM, reproduced in TI SWCU192 table 3-25, zero wait states): ALU 1,
 * multiply and multiply-accumulate (SMLAD, SMLAL, MLA) 1, load 2 (LDR), store 1, branch 1 + P with the
 * smallest refill P = 1, i.e. 2. The class shares are {@link InstructionMix#ARMV7EM_INT8}, measured on
 * the generated firmware with the {@code insnmix} QEMU plugin; they give 1.3075 cycles per instruction.
 * The same shares are assumed for TFLM + CMSIS-NN code (PROVISIONAL: its firmware is not built here);</li>
 * <li>constant reads ({@link #flashWordReads}): a convolution reads its filters once per pair of output
 * pixels (CMSIS-NN's and the generated code's two-column blocking), a depthwise convolution its filter
 * once per output pixel, a fully connected layer its weights once, plus one bias word per output
 * element (three for the generated C, which keeps multiplier and shift in flash too). On kws's generated
 * firmware this gives 586,596 reads where the plugin counts 607,793 (-3.5 %), on person's 1,722,278
 * where it counts 1,904,773 (-9.6 %).</li>
 * </ul>
 *
 * <h2>NUCLEO-L4R5ZI (Cortex-M4, 120 MHz)</h2>
 * 5 flash wait states at 120 MHz (STM32CubeL4, Projects/NUCLEO-L4R5ZI/Templates, SystemClock_Config:
 * "Flash Latency(WS) = 5", voltage range 1 boost). Core CPI: the Cortex-M4 figure above (not fitted).
 * Stall per flash word = 5 × exposure; the exposure (the share of the wait states the ART accelerator
 * does not hide for a streamed weight word) is the one fitted parameter: least squares on relative
 * error over the two calibration rows, OctoML's microTVM + CMSIS-NN KWS and VWW latencies
 * ({@link PublishedLatency#MLPERF_TINY_V1_0}: 10.019 and 3.320 inferences/s, i.e. 99.81 and 301.20 ms,
 * 11,977,243 and 36,144,578 cycles) against CMSIS-NN's instruction counts (kws: 7,696,241 measured,
 * TFLM cmsis_nn_i8 -O2 under QEMU, ../shared/assets/reference/README.md; VWW: person_detect's measured
 * 22,927,968 with its first layer, a one-channel depthwise 3×3 ×8, replaced by VWW's three-channel 3×3
 * convolution at the estimator's CMSIS-NN rates (13.439 and 1.608 instructions per MAC + 200 per node:
 * 165,888 MACs and 2,229,494 instructions out, 497,664 MACs and 800,532 in: 21,499,006, EXTRAPOLATED)
 * and the constant reads above (kws 442,572; VWW 1,279,906). The fit gives an exposure of about 1.05,
 * i.e. every streamed weight word costs the full 5 wait states; the model is then within ±4 % of both
 * rows. IC (ResNet-8) and AD (the FC autoencoder) are not fitted: LatencyCalibrationTest reports them.
 *
 * <h2>NUCLEO-H7A3ZI-Q (Cortex-M7, 280 MHz)</h2>
 * No CMSIS-NN-based stack has published figures on this board, so the calibration rows are derived:
 * OctoML's L4R5ZI latency × (STMicroelectronics' X-CUBE-AI latency on H7A3ZI / on L4R5ZI), the same
 * models and the same stack on both boards (ratios 4.48 for KWS and 4.55 for VWW; EXTRAPOLATED rows).
 * 6 flash wait states at 280 MHz (STM32CubeH7, Projects/NUCLEO-H7A3ZI-Q/Templates, "Flash Latency(WS) =
 * 6"). The flash sits behind the Cortex-M7's L1 data cache (32-byte lines): stall per flash word =
 * 2 × (6 + 1) / 8, two 128-bit flash reads per line (PROVISIONAL: the flash word width of RM0455 and no
 * hit in the cache for streamed weights assumed). Arm publishes no per-instruction timing for the
 * dual-issue Cortex-M7, so the fitted parameter here is the core scale: core CPI = scale × 1.3075,
 * least squares on relative error over the two rows.
 *
 * <h2>Other boards</h2>
 * Boards without a calibrated model keep the estimator's CoreMark/MHz scaling of one cycle per Armv7E-M
 * instruction (see {@code CostModel}); their latency is EXTRAPOLATED. RISC-V RV32IMC executes more
 * instructions than Armv7E-M for the same model: measured on the generated C under QEMU (kws and
 * person_detect, reference inputs, with the specialised pointwise / 3x3 depthwise / fully-connected
 * kernels), 46,143,062 RV32IMC instructions (kws 11,821,401, person 34,321,661) where Armv7E-M with the DSP
 * extension executes 21,164,110 (5,227,031 and 15,937,079; ratio 2.1802, applied to the generated
 * kernels) and Armv7-M without it (the same portable C, -mcpu=cortex-m3 -mfloat-abi=soft, counted on
 * mps2-an386) 36,054,743 (9,169,314 and 26,885,429; ratio 1.2798, applied to TFLM's scalar reference
 * kernels). RV32IMC cycles per instruction are PROVISIONAL 1 (single-issue, no RV32 board calibrated).
 */
final class CycleModel {
    static final double M4_ALU = 1;
    static final double M4_MUL = 1;
    static final double M4_LOAD = 2;
    static final double M4_STORE = 1;
    static final double M4_BRANCH = 2;
    /** Cortex-M4 cycles per instruction of int8 kernels at zero wait states (1.3075). */
    static final double M4_CORE_CPI = InstructionMix.ARMV7EM_INT8.cyclesPerInstruction(M4_ALU, M4_MUL, M4_LOAD,
            M4_STORE, M4_BRANCH);

    static final double KWS_CMSIS_INSNS = 7_696_241;
    static final double KWS_FLASH_WORDS = 442_572;
    /** person_detect's 22,927,968 minus its first layer (2,229,494) plus VWW's (800,532), see above. */
    static final double VWW_CMSIS_INSNS = 22_927_968 - 2_229_494 + 800_532;
    static final double VWW_FLASH_WORDS = 1_259_170 - (18 * 2304 + 18_432) + (54 * 1152 + 18_432);

    static final double RV32_PER_ARMV7EM_GENERATED = 46_143_062.0 / 21_164_110.0;
    static final double RV32_PER_ARMV7M_SCALAR = 46_143_062.0 / 36_054_743.0;

    static final List<BoardTiming> BOARDS = List.of(l4r5zi(), h7a3zi());

    private CycleModel() {
    }

    private static BoardTiming l4r5zi() {
        int ws = 5;
        double[] cycles = {cycles("nucleo-l4r5zi", "microTVM", "kws", 120), cycles("nucleo-l4r5zi", "microTVM", "vww", 120)};
        double[] insns = {KWS_CMSIS_INSNS, VWW_CMSIS_INSNS};
        double[] words = {KWS_FLASH_WORDS, VWW_FLASH_WORDS};
        double num = 0;
        double den = 0;
        for (int i = 0; i < 2; i++) {
            double a = ws * words[i] / cycles[i];
            double b = (cycles[i] - M4_CORE_CPI * insns[i]) / cycles[i];
            num += a * b;
            den += a * a;
        }
        double exposure = num / den;
        return new BoardTiming("nucleo-l4r5zi", 120, ws, "STM32CubeL4 NUCLEO-L4R5ZI template, 120 MHz", M4_CORE_CPI,
                ws * exposure, String.format(Locale.ROOT, "calibrated on MLPerf Tiny v1.0 microTVM + CMSIS-NN KWS and"
                        + " VWW: wait-state exposure %.3f", exposure));
    }

    private static BoardTiming h7a3zi() {
        int ws = 6;
        double stall = 2.0 * (ws + 1) / 8;
        double num = 0;
        double den = 0;
        double[] insns = {KWS_CMSIS_INSNS, VWW_CMSIS_INSNS};
        double[] words = {KWS_FLASH_WORDS, VWW_FLASH_WORDS};
        String[] bms = {"kws", "vww"};
        for (int i = 0; i < 2; i++) {
            double c = derivedH7Cycles(bms[i]);
            double a = M4_CORE_CPI * insns[i] / c;
            double b = (c - stall * words[i]) / c;
            num += a * b;
            den += a * a;
        }
        double scale = num / den;
        return new BoardTiming("nucleo-h7a3zi", 280, ws, "STM32CubeH7 NUCLEO-H7A3ZI-Q template, 280 MHz",
                scale * M4_CORE_CPI, stall, String.format(Locale.ROOT, "calibrated on MLPerf Tiny v1.0 microTVM +"
                        + " CMSIS-NN KWS and VWW on NUCLEO-L4R5ZI carried over by X-CUBE-AI's H7A3ZI/L4R5ZI ratio:"
                        + " core scale %.3f of the Cortex-M4 CPI", scale));
    }

    /** Cycles of one published inference at the board's clock. */
    static double cycles(String board, String stack, String benchmark, double mhz) {
        return PublishedLatency.find(board, stack, benchmark).latencyMs() * mhz * 1000;
    }

    /**
     * Cycles at 280 MHz of a CMSIS-NN-based inference on NUCLEO-H7A3ZI-Q, derived from the L4R5ZI figure
     * and X-CUBE-AI's speed ratio between the two boards (EXTRAPOLATED: no direct measurement published).
     */
    static double derivedH7Cycles(String benchmark) {
        double l4 = PublishedLatency.find("nucleo-l4r5zi", "microTVM", benchmark).latencyMs();
        double ratio = PublishedLatency.find("nucleo-h7a3zi", "X-CUBE-AI", benchmark).latencyMs()
                / PublishedLatency.find("nucleo-l4r5zi", "X-CUBE-AI", benchmark).latencyMs();
        return l4 * ratio * 280 * 1000;
    }

    /**
     * 32-bit reads of constant data by one node (see the class documentation).
     *
     * @param g the graph
     * @param n the node
     * @param lib the kernel library that runs it
     * @return the reads
     */
    static long flashWordReads(Graph g, Node n, KernelLibrary lib) {
        if (n.inputs().size() < 2 || n.input(1) == Node.ABSENT) {
            return 0;
        }
        Tensor w = g.tensor(n.input(1));
        if (!w.isConstant()) {
            return 0;
        }
        Shape out = g.tensor(n.output(0)).shape();
        long outElems = out.elementCount();
        long channels = out.rank() == 0 ? 1 : Math.max(1, out.dim(out.rank() - 1));
        long pixels = outElems / channels;
        long words = (w.byteSize() + 3) / 4;
        long perOutput = lib == KernelLibrary.GENERATED ? 3 : 1;
        return switch (CostModel.of(n.op().kind()).work()) {
            case CONV -> words * ((pixels + 1) / 2) + perOutput * outElems;
            case DEPTHWISE -> words * pixels + perOutput * outElems;
            case FULLY_CONNECTED -> words + perOutput * outElems;
            case AVERAGE_POOL, MAX_POOL, POOL, MEAN, PER_OUTPUT, NONE -> 0;
        };
    }

    /**
     * Instructions on the target's instruction set per Armv7E-M instruction of the estimator's model.
     *
     * @param core the core
     * @param effective the kernel library that runs
     * @return 1 on Armv7E-M; the measured RV32IMC ratio on RISC-V RV32IMC; 1 elsewhere (borrowed, flagged)
     */
    static double isaInstructionRatio(Core core, KernelLibrary effective) {
        if (core == Core.RV32IMC) {
            return effective == KernelLibrary.GENERATED ? RV32_PER_ARMV7EM_GENERATED : RV32_PER_ARMV7M_SCALAR;
        }
        return 1.0;
    }

    /**
     * The timing the estimator applies on a target: a calibrated board model, or the CoreMark scaling
     * (times the instruction-set ratio) with zero flash stalls.
     *
     * @param t the target
     * @param asked the library asked for
     * @param effective the library that runs (reference when optimized kernels are unavailable)
     * @return the timing
     */
    static Timing timing(Target t, KernelLibrary asked, KernelLibrary effective) {
        double isa = isaInstructionRatio(t.core(), effective);
        FigureBasis memory = t.core().isArmv7em() ? FigureBasis.CALIBRATED : FigureBasis.EXTRAPOLATED;
        if (t.emulated()) {
            boolean counted = t.core().isArmv7em() || t.core() == Core.RV32IMC;
            return new Timing(isa, 0, counted ? FigureBasis.CALIBRATED : FigureBasis.EXTRAPOLATED, memory,
                    "latency: calibrated, emulated board (one cycle per executed instruction)"
                            + (t.core() == Core.RV32IMC ? String.format(Locale.ROOT, ", RV32IMC instructions ="
                            + " Armv7E-M model x %.4f measured under QEMU", isa) : ""));
        }
        BoardTiming b = BoardTiming.find(t.name()).filter(x -> Math.abs(x.clockMhz() - t.clockMhz()) < 1e-6)
                .orElse(null);
        if (b != null) {
            boolean fitted = asked == KernelLibrary.OPTIMIZED && effective == KernelLibrary.OPTIMIZED;
            return new Timing(b.coreCyclesPerInstruction(), b.stallCyclesPerFlashWord(),
                    fitted ? FigureBasis.CALIBRATED : FigureBasis.EXTRAPOLATED, memory,
                    "latency: " + (fitted ? "calibrated" : "extrapolated (board model calibrated on CMSIS-NN-based"
                            + " runs, applied to " + effective.cliName() + " kernels)") + ": " + b.describe());
        }
        double cpi = CostModel.cyclesPerInstruction(t) * isa;
        String why = t.core() == Core.RV32IMC ? String.format(Locale.ROOT, "RV32IMC instructions = Armv7E-M model"
                + " x %.4f measured under QEMU, 1 cycle each (PROVISIONAL)", isa)
                : "no published measurement on this board: " + t.core().displayName()
                + " CoreMark/MHz scaling, flash wait states not modelled";
        return new Timing(cpi, 0, FigureBasis.EXTRAPOLATED, memory, "latency: extrapolated (" + why + ")");
    }

    /**
     * The timing of a target.
     *
     * @param cyclesPerInstruction cycles per instruction of the estimator's Armv7E-M model
     * @param stallPerFlashWord cycles per 32-bit constant read
     * @param latency the basis of the latency figures
     * @param memory the basis of the flash and RAM figures
     * @param note the line the estimate's notes carry
     */
    record Timing(double cyclesPerInstruction, double stallPerFlashWord, FigureBasis latency, FigureBasis memory,
                  String note) {
    }
}
