package io.tinyml.core.estimate;

import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.target.Core;
import io.tinyml.core.target.Feature;
import io.tinyml.core.target.Target;

/**
 * The SDK's one cost table: the work of each operator (multiply-accumulates, filter taps, bytes
 * moved) and the coefficients of the estimator with where each comes from. The work counts are
 * public ({@link #macs}, {@link #totalMacs}); the coefficients are package-private: the numbers are
 * documented here, next to their sources, and nowhere else. Every per-operator decision is an
 * exhaustive switch over {@link OpKind}. Thread-safe (stateless).
 *
 * <h2>Work</h2>
 * Multiply-accumulate counts, the work measure that latency estimates scale with: convolutions count
 * one MAC per filter tap per output element; fully-connected layers one per weight per batch row;
 * element-wise and pooling operators one per output (or window) element; mean one per input
 * element; data-movement operators and clamps zero.
 *
 * <h2>Calibration data</h2>
 * "Ours" below means our measurement in {@code ../shared/assets/reference/README.md}: TFLM at commit
 * 90b983c2 on QEMU mps2-an386 (Cortex-M4), arm-none-eabi-gcc 12.2, executed instructions of one
 * Invoke(), arena_used_bytes, TFLM .text+.rodata and whole-firmware sizes, for kws_dscnn_int8 (kws) and
 * person_detect (person), with reference and CMSIS-NN kernels. The issue asks us to model TFLM's
 * default release build, so the -O2 columns are used.
 *
 * <h2>Latency</h2>
 * Executed instructions on Armv7E-M per node:
 * <ul>
 * <li>reference: {@code REF_PER_MAC * macs + REF_PER_TAP * taps + PER_NODE}, where taps counts
 * the filter positions visited (conv: outputs × KH × KW; depthwise and pooling: every MAC;
 * fully connected: one per output). TFLM's reference kernels run a bounds check and address
 * computation per filter position and an inner loop over input channels; a per-MAC-only model
 * cannot fit both models (it gives a negative depthwise cost), this two-term one does.
 * The two coefficients are the exact solution of the two -O2 measurements (kws 43,107,034, person
 * 95,896,765 instructions) after subtracting the provisional small-operator terms below:
 * kws has 2,664,768 MACs and 648,012 taps, person 7,160,192 MACs and 1,090,946 taps, giving
 * 8.7229 instructions per MAC and 30.645 per tap. Because they are fitted to these two models, the
 * estimates for kws and person on the QEMU Cortex-M4 reproduce the measurements by construction;
 * independent validation is the codegen issue's (compiled firmware under QEMU).</li>
 * <li>optimized (CMSIS-NN): {@code OPT_PER_MAC_DENSE * macs} for convolution, fully connected and
 * pooling, {@code OPT_PER_MAC_DEPTHWISE * macs} for depthwise convolution. Solved the same way from
 * the CMSIS-NN -O2 measurements (kws 7,696,400, person 22,928,392): dense 2,376,768 / 6,195,968 MACs,
 * depthwise 288,000 / 964,224 MACs, giving 1.6082 and 13.439 instructions per MAC. (The depthwise
 * figure averages CMSIS-NN's fast 3x3 path and the generic path person's first layer takes with
 * depth multiplier 8.) Other operators run TFLM's reference kernels in a CMSIS-NN build and cost
 * what reference costs.</li>
 * <li>generated (calibrated by the code generation issue: tinyml-codegen's C at -O3 for the QEMU
 * mps2-an386 Cortex-M4 with the DSP paths, per-node instruction counts of its profiling build
 * {@code make profile-m4} over kws, person, hello_world_int8, micro_speech and network_tester,
 * least squares on relative error): convolution (im2col + 2x2 SMLAD block)
 * {@code GEN_CONV_PER_MAC * macs + GEN_CONV_PER_OUTPUT * outputs} (1.3145, 39.119; the per-output
 * term is the requantization); depthwise with multiplier 1 and channels a multiple of 4 (4-channel
 * SIMD path) {@code GEN_DW_PER_MAC * macs + GEN_DW_PER_OUTPUT * outputs + GEN_DW_PER_PIXEL * pixels
 * + GEN_DW_PER_CALL} (3.949, 32.851, -38.786, 41.62: refitted, least squares on relative error, on ten
 * single-layer int8 models built for it, 4 to 64 channels, 2x2 stride 1 and 2 and 5x5 stride 1 and 2
 * kernels, 4x4 to 32x32 inputs, {@code make profile-m4}; every layer within 9.8 %; checked on
 * network_tester's 8x8x16 2x2 stride-2 layer, not used to fit: 11,905 + 30 for the call vs 12,066
 * measured, -1.3 %. The earlier coefficients (8.306, -2.158, 257.07, per MAC lowered to 7.0 for
 * kws) were fitted on kws's and person's depthwise layers, which the specialised 3x3 kernel now
 * runs, and had no per-call term: 64- and 4-channel layers of a few hundred outputs were off by
 * -35 % to +136 %, network_tester -10.9 %. The per-pixel coefficient is negative: a least-squares
 * correction of the per-output term for narrow layers, not a cost; with channels a multiple of 4
 * the per-pixel total 32.851 c - 38.786 stays positive), one input channel with a
 * multiplier up to 32 {@code GEN_DW1_PER_MAC * macs + GEN_DW1_PER_OUTPUT * outputs} (3.4266, 33.578:
 * solved from person's first layer and micro_speech's), other depthwise
 * {@code GEN_DWG_PER_MAC * macs + GEN_DWG_PER_OUTPUT * outputs}
 * (6.284, 34.371); fully connected 5.2907 per MAC + 25 per output (the fit's 35.5
 * lowered for hello_world's small layers); pooling 2.75 per window element; softmax 200 + 30 per
 * element; add/sub 30 per element; copies 0.5 per byte; 30 instructions per node for the call.
 * The specialised kernels {@link GeneratedKernels} picks (measured the same way on kws and person after
 * they were added, arm-none-eabi-gcc 12.2 -O3): pointwise 1x1 {@code GEN_PW_PER_MAC * macs +
 * GEN_PW_PER_OUTPUT * outputs} (0.98, 33.3: person's three 589,824-MAC layers with 18,432, 9,216 and
 * 4,608 outputs give 33.3 per output and 0.98 per MAC; its other eight pointwise layers are within
 * -9 % .. +5 %; kws's four: 762,571 to 769,211 for 512,000 MACs and 8,000 outputs, +0 %); 3x3 depthwise {@code GEN_DW3_PER_OUTPUT * outputs + GEN_DW3_PER_PIXEL * pixels}
 * (54.5, 45: person's 6x6x128 and 3x3x256 layers 54.9 per output, its 48x48x8 layer the per-pixel
 * term), cloned {@code GEN_DW3_PER_OUTPUT_CLONE} 44.8 per output (kws: 363,741 for 8,000 outputs and
 * 125 pixels); one-input-channel 3x3 depthwise
 * {@code GEN_DW13_PER_OUTPUT} 34.7 per output (person's first layer, 639,032 for 18,432 outputs; this
 * kernel and the pointwise one are compiled at -O2, see GeneratedFlash); the 4-row fully-connected
 * kernel {@code GEN_FC4_PER_MAC * macs + GEN_FC4_PER_OUTPUT * outputs} (1.81, 25: micro_speech's
 * 4000 x 4 layer 29,100 (-0.1 %), kws's 64 x 12 layer 1,752 (-3.5 %), hello_world's 16 x 16 layer 873 (-1 %)).
 * Whole-model totals are checked against {@code make count-m4} by tinyml-codegen's
 * FirmwareEstimateTest (within 15 %).</li>
 * <li>small operators (all libraries), PROVISIONAL, not measured separately (together under 0.01 %
 * of kws and person): {@code PER_NODE} 200 instructions of interpreter dispatch per node;
 * {@code PER_ELEMENT} 100 instructions per element for softmax, logistic, tanh and other
 * transcendental element-wise kernels (fixed-point exp); {@code PER_ELEMENT_SIMPLE} 8 per element
 * for add, sub, mul, clamps, quantize; {@code PER_BYTE_COPY} 0.5 per byte for reshape, concatenation,
 * pad and transpose (word copies: one load and one store per 4 bytes); a reshape whose output shares
 * its input's buffer copies nothing (TFLM's reshape copies only when the buffers differ) and costs
 * {@code PER_NODE}.</li>
 * </ul>
 * Cycles = instructions × cycles per instruction: exactly 1 on the QEMU boards (no timing model: one
 * cycle is one executed instruction, by definition). On real Armv7E-M cores the instruction count
 * is scaled by {@code M4_CPI} (PROVISIONAL 1.0: the Cortex-M4 TRM gives one cycle for ALU and MAC
 * instructions including SMLAD, two for an isolated load and one for each further pipelined load;
 * flash wait states are not modelled) times {@code 3.40 / core CoreMark/MHz} (Arm's published
 * CoreMark/MHz; 5.01 for the dual-issue Cortex-M7). Other ISAs take the same scaling from
 * {@link Core#coremarkPerMhz()}, marked provisional where that figure is. Boards with a calibrated
 * cycle model (NUCLEO-L4R5ZI, NUCLEO-H7A3ZI) and RISC-V's measured instruction ratio: see {@code CycleModel}.
 *
 * <h2>Flash</h2>
 * <ul>
 * <li>weights and biases: the constant tensors' bytes.</li>
 * <li>quantization parameters, TFLite container (reference, optimized): 4-byte scale and 8-byte
 * zero point per channel of every quantized tensor (TFLite schema: float scale[], long
 * zero_point[]). Generated C: 4-byte multiplier and 4-byte shift per output channel, precomputed.</li>
 * <li>model format (TFLite flatbuffer tables, reference and optimized only), PROVISIONAL approximation
 * of the schema: 64 bytes per tensor plus its name and 4 bytes per dimension, 48 bytes per operator
 * plus 4 per input/output index, 16 per buffer (alignment), 512 fixed.</li>
 * <li>kernel code, ours (-O2 "TFLM text"): reference = 32,277 bytes for the interpreter with the
 * CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, RESHAPE and SOFTMAX kernels (person), plus 4,484 for
 * FULLY_CONNECTED (kws 36,761 − person); optimized (cmsis_nn_i8) = 38,909 with FULLY_CONNECTED
 * 10,064 (48,973 − 38,909). The five measured kinds are charged as a block even when a model uses
 * fewer (an upper bound). Any other kind: PROVISIONAL 4,484 bytes, the one per-kind increment we
 * measured. Generated C (tinyml-codegen): see {@link GeneratedFlash}, which models its kernel
 * copies, tables and runtime term by term.</li>
 * <li>runtime (C library with printf and semihosting, startup, harness), ours: whole -Os firmware
 * minus TFLM text minus model array: 16,703 / 16,647 / 16,509 / 16,455 bytes for kws ref, person
 * ref, kws cmsis_nn_i8, person cmsis_nn_i8; their mean 16,579 is used for every library.</li>
 * </ul>
 * Code sizes are Thumb-2 figures; other ISAs use them unchanged (PROVISIONAL).
 *
 * <h2>RAM</h2>
 * The arena of reference/optimized is what an interpreter runtime like TFLM's needs:
 * <ul>
 * <li>activations: the memory planner's peak over tensors and scratch buffers, each aligned to
 * 16 bytes (TFLM's kBufferAlignment).</li>
 * <li>scratch, optimized: CMSIS-NN's *_get_buffer_size rules: convolution other than 1x1/stride 1/no
 * padding needs 2 × Cin × KH × KW int16 (im2col of two columns, arm_convolve_s8 with DSP);
 * depthwise with multiplier 1 and not 3x3 needs Cin × KH × KW int16 (arm_depthwise_conv_s8_opt);
 * 3x3 depthwise, multiplier > 1 depthwise and fully connected need none. Reference kernels need
 * none. Generated: the int8 convolutions' im2col columns, planned as the generated C plans them
 * ({@link GeneratedArena}).</li>
 * <li>requantization: an int32 multiplier and an int32 shift per output channel of each quantized
 * CONV_2D and DEPTHWISE_CONV_2D, computed at init from the float scales (TFLM conv/depthwise
 * OpData; fully connected is per-tensor). Generated C keeps them in flash instead.</li>
 * <li>node state: a node record (7 pointer/int fields + a registration pointer = 32 bytes on ILP32)
 * plus the operator's builtin parameters and its operator data, sized as the equivalent TFLM
 * structs on a 32-bit target (see {@link #nodeStateBytes}).</li>
 * <li>tensor state: a 12-byte record per tensor (data pointer, dims pointer, type), constants
 * included.</li>
 * <li>stack: PROVISIONAL 4,096 bytes; runtime static data (interpreter object, operator resolver)
 * PROVISIONAL 1,024 bytes for reference/optimized, 0 for generated.</li>
 * </ul>
 */
public final class CostModel {
    static final double REF_PER_MAC = 8.72292357;
    static final double REF_PER_TAP = 30.64547325;
    static final double OPT_PER_MAC_DENSE = 1.60817771;
    static final double OPT_PER_MAC_DEPTHWISE = 13.43855096;
    static final double PER_NODE = 200;
    static final double PER_ELEMENT = 100;
    static final double PER_ELEMENT_SIMPLE = 8;
    static final double PER_BYTE_COPY = 0.5;
    static final double M4_CPI = 1.0;
    static final double M4_COREMARK_PER_MHZ = 3.40;

    static final long REF_CODE_BLOCK = 32_277;
    static final long REF_CODE_FC = 4_484;
    static final long OPT_CODE_BLOCK = 38_909;
    static final long OPT_CODE_FC = 10_064;
    static final long OTHER_KIND_CODE = 4_484;
    static final double GEN_CONV_PER_MAC = 1.3145;
    static final double GEN_CONV_PER_OUTPUT = 39.119;
    static final double GEN_DW_PER_MAC = 3.949;
    static final double GEN_DW_PER_OUTPUT = 32.851;
    static final double GEN_DW_PER_PIXEL = -38.786;
    static final double GEN_DW_PER_CALL = 41.62;
    static final double GEN_DW1_PER_MAC = 3.4266;
    static final double GEN_DW1_PER_OUTPUT = 33.578;
    static final double GEN_DWG_PER_MAC = 6.284;
    static final double GEN_DWG_PER_OUTPUT = 34.371;
    static final double GEN_PW_PER_MAC = 0.98;
    static final double GEN_PW_PER_OUTPUT = 33.3;
    static final double GEN_DW3_PER_OUTPUT_CLONE = 44.8;
    static final double GEN_DW3_PER_OUTPUT = 54.5;
    static final double GEN_DW3_PER_PIXEL = 45;
    static final double GEN_DW13_PER_OUTPUT = 34.7;
    static final double GEN_FC4_PER_MAC = 1.81;
    static final double GEN_FC4_PER_OUTPUT = 25;
    static final double GEN_FC_PER_MAC = 5.2907;
    static final double GEN_FC_PER_OUTPUT = 25.0;
    static final double GEN_POOL_PER_MAC = 2.75;
    static final double GEN_SOFTMAX_PER_NODE = 200;
    static final double GEN_PER_ELEMENT = 30;
    static final double GEN_PER_NODE = 30;
    static final long RUNTIME_FLASH = 16_579;

    static final long STACK = 4_096;
    static final long RUNTIME_STATIC = 1_024;
    static final long TENSOR_RECORD = 12;
    static final long NODE_RECORD = 32;

    private CostModel() {
    }

    /** True when the library has its own (faster) kernels on this target. */
    static boolean optimizedAvailable(Target t) {
        return t.has(Feature.DSP_SIMD) || t.core() == Core.XTENSA_LX6;
    }

    /** True when optimized figures on this target are not calibrated (not Armv7E-M). */
    static boolean optimizedProvisional(Target t) {
        return !t.core().isArmv7em();
    }

    /** Cycles per Armv7E-M instruction on the target. */
    static double cyclesPerInstruction(Target t) {
        if (t.emulated()) {
            return 1.0;
        }
        return M4_CPI * M4_COREMARK_PER_MHZ / t.core().coremarkPerMhz();
    }

    /**
     * Every per-operator fact of the cost model, decided in one exhaustive switch over {@link OpKind}: a new
     * operator does not compile here until it says how it is costed.
     *
     * @param work how its multiply-accumulates and filter taps are counted
     * @param interp how the reference / optimized (interpreter) kernels are costed
     * @param generated how the generated C kernel is costed
     * @param state builtin parameters + operator data bytes of the equivalent TFLM structs (ILP32)
     * @param code which kernel code block it adds to an interpreter library
     * @param noKernel TFLite has no builtin for it (no reference or optimized kernel)
     */
    record OpCosts(Work work, Interp interp, Generated generated, long state, Code code, boolean noKernel) {
    }

    static OpCosts of(OpKind k) {
        return switch (k) {
            case CONV_2D -> new OpCosts(Work.CONV, Interp.DENSE, Generated.CONV, 24 + 56, Code.BLOCK, false);
            case DEPTHWISE_CONV_2D -> new OpCosts(Work.DEPTHWISE, Interp.DEPTHWISE, Generated.DEPTHWISE, 28 + 56,
                    Code.BLOCK, false);
            case FULLY_CONNECTED -> new OpCosts(Work.FULLY_CONNECTED, Interp.DENSE, Generated.FULLY_CONNECTED, 12 + 28,
                    Code.FULLY_CONNECTED, false);
            case AVERAGE_POOL_2D -> new OpCosts(Work.AVERAGE_POOL, Interp.DENSE, Generated.POOL, 40 + 32, Code.BLOCK,
                    false);
            case MAX_POOL_2D -> new OpCosts(Work.MAX_POOL, Interp.DENSE, Generated.POOL, 40 + 32, Code.OTHER, false);
            // N-d pooling has no optimized kernel: costed as reference pooling, one tap per window element
            case POOL -> new OpCosts(Work.POOL, Interp.REFERENCE, Generated.ELEMENT, 16, Code.OTHER, false);
            case MEAN -> new OpCosts(Work.MEAN, Interp.REFERENCE, Generated.POOL, 16, Code.OTHER, false);
            case ADD, SUB, MUL -> new OpCosts(Work.PER_OUTPUT, Interp.SIMPLE, Generated.ELEMENT, 8 + 60, Code.OTHER,
                    false);
            case SOFTMAX -> new OpCosts(Work.PER_OUTPUT, Interp.TRANSCENDENTAL, Generated.SOFTMAX, 4 + 60, Code.BLOCK,
                    false);
            case LOG_SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU -> new OpCosts(Work.PER_OUTPUT,
                    Interp.TRANSCENDENTAL, Generated.ELEMENT, 16, Code.OTHER, false);
            // TFLite has no builtin BATCH_NORMALIZATION (fold it first)
            case BATCH_NORMALIZATION -> new OpCosts(Work.PER_OUTPUT, Interp.TRANSCENDENTAL, Generated.ELEMENT, 16,
                    Code.OTHER, true);
            case RELU, RELU6, QUANTIZE -> new OpCosts(Work.NONE, Interp.SIMPLE, Generated.ELEMENT, 16, Code.OTHER,
                    false);
            // TFLite has no builtin CLIP
            case CLIP -> new OpCosts(Work.NONE, Interp.SIMPLE, Generated.ELEMENT, 16, Code.OTHER, true);
            case DEQUANTIZE -> new OpCosts(Work.NONE, Interp.TRANSCENDENTAL, Generated.ELEMENT, 16, Code.OTHER, false);
            case RESHAPE -> new OpCosts(Work.NONE, Interp.COPY, Generated.COPY, 36, Code.BLOCK, false);
            case CONCATENATION -> new OpCosts(Work.NONE, Interp.COPY, Generated.COPY, 8 + 16, Code.OTHER, false);
            case PAD, TRANSPOSE -> new OpCosts(Work.NONE, Interp.COPY, Generated.COPY, 16, Code.OTHER, false);
        };
    }

    /** How an operator's multiply-accumulates and filter taps are counted. */
    enum Work {
        /** One MAC per filter tap per output; one tap per output and filter position. */
        CONV,
        /** One MAC (and tap) per output and filter position. */
        DEPTHWISE,
        /** One MAC per weight per batch row; one tap per output. */
        FULLY_CONNECTED,
        /** One MAC (and tap) per output and window element. */
        AVERAGE_POOL,
        /** One MAC (and tap) per output and window element. */
        MAX_POOL,
        /** One MAC (and tap) per output and window element of the N-d window. */
        POOL,
        /** One MAC (and tap) per input element. */
        MEAN,
        /** One MAC per output element, no taps. */
        PER_OUTPUT,
        /** Data movement and clamps: none. */
        NONE;

        long macs(Graph graph, Node node) {
            long outElems = graph.tensor(node.output(0)).shape().elementCount();
            return switch (this) {
                case CONV -> {
                    Shape w = graph.tensor(node.input(1)).shape();
                    yield outElems * w.dim(1) * w.dim(2) * w.dim(3);
                }
                case DEPTHWISE -> {
                    Shape w = graph.tensor(node.input(1)).shape();
                    yield outElems * w.dim(1) * w.dim(2);
                }
                case FULLY_CONNECTED -> {
                    Shape w = graph.tensor(node.input(1)).shape();
                    yield (outElems / w.dim(0)) * (long) w.dim(0) * w.dim(1);
                }
                case AVERAGE_POOL -> {
                    Op.AveragePool2D p = (Op.AveragePool2D) node.op();
                    yield outElems * p.filterH() * p.filterW();
                }
                case MAX_POOL -> {
                    Op.MaxPool2D p = (Op.MaxPool2D) node.op();
                    yield outElems * p.filterH() * p.filterW();
                }
                case POOL -> {
                    long taps = 1;
                    for (int f : ((Op.Pool) node.op()).filter()) {
                        taps *= f;
                    }
                    yield outElems * taps;
                }
                case MEAN -> graph.tensor(node.input(0)).shape().elementCount();
                case PER_OUTPUT -> outElems;
                case NONE -> 0L;
            };
        }

        long taps(Graph g, Node n, long macs) {
            return switch (this) {
                case CONV -> {
                    Shape w = g.tensor(n.input(1)).shape();
                    yield (long) g.tensor(n.output(0)).shape().elementCount() * w.dim(1) * w.dim(2);
                }
                case DEPTHWISE, AVERAGE_POOL, MAX_POOL, POOL, MEAN -> macs;
                case FULLY_CONNECTED -> g.tensor(n.output(0)).shape().elementCount();
                case PER_OUTPUT, NONE -> 0;
            };
        }
    }

    /** How the reference and optimized (interpreter) kernels of an operator are costed. */
    enum Interp {
        /** Optimized: per dense MAC; reference: per MAC and per tap. */
        DENSE,
        /** Optimized: per depthwise MAC; reference: per MAC and per tap. */
        DEPTHWISE,
        /** Reference kernel in every library: per MAC and per tap. */
        REFERENCE,
        /** Per element, transcendental (fixed-point exp and the like). */
        TRANSCENDENTAL,
        /** Per element, simple arithmetic or clamps. */
        SIMPLE,
        /** Per byte copied. */
        COPY
    }

    /** How the generated C kernel of an operator is costed (see the class documentation). */
    enum Generated {
        CONV, DEPTHWISE, FULLY_CONNECTED, POOL, SOFTMAX, COPY, ELEMENT
    }

    /** The kernel code an operator adds to an interpreter library. */
    enum Code {
        /** In the measured block (conv, depthwise, average pool, reshape, softmax). */
        BLOCK,
        /** Fully connected, measured. */
        FULLY_CONNECTED,
        /** Any other kind (provisional). */
        OTHER
    }

    /**
     * Returns the multiply-accumulate count of one node.
     *
     * @param graph the graph holding the node
     * @param node the node
     * @return the MAC count (0 for pure data movement)
     */
    public static long macs(Graph graph, Node node) {
        return of(node.op().kind()).work().macs(graph, node);
    }

    /**
     * Returns the total multiply-accumulate count of a graph.
     *
     * @param graph the graph
     * @return the sum of {@link #macs} over its nodes
     */
    public static long totalMacs(Graph graph) {
        long sum = 0;
        for (Node n : graph.nodes()) {
            sum += macs(graph, n);
        }
        return sum;
    }

    static long taps(Graph g, Node n, long macs) {
        return of(n.op().kind()).work().taps(g, n, macs);
    }

    /**
     * Armv7E-M instructions of one node.
     *
     * @param effective the library actually used for this node's kind on this target
     */
    static double instructions(KernelLibrary effective, Graph g, Node n, long macs) {
        OpKind k = n.op().kind();
        long outElems = g.tensor(n.output(0)).shape().elementCount();
        if (effective == KernelLibrary.GENERATED) {
            return generatedInstructions(g, n, macs, outElems) + GEN_PER_NODE;
        }
        double body = switch (of(k).interp()) {
            case DENSE -> effective == KernelLibrary.OPTIMIZED ? OPT_PER_MAC_DENSE * macs
                    : REF_PER_MAC * macs + REF_PER_TAP * taps(g, n, macs);
            case DEPTHWISE -> effective == KernelLibrary.OPTIMIZED ? OPT_PER_MAC_DEPTHWISE * macs
                    : REF_PER_MAC * macs + REF_PER_TAP * taps(g, n, macs);
            case REFERENCE -> REF_PER_MAC * macs + REF_PER_TAP * taps(g, n, macs);
            case TRANSCENDENTAL -> PER_ELEMENT * outElems;
            case SIMPLE -> PER_ELEMENT_SIMPLE * outElems;
            case COPY -> PER_BYTE_COPY * g.tensor(n.output(0)).byteSize();
        };
        return body + PER_NODE;
    }

    /** Instructions of tinyml-codegen's kernels for one node (see the class documentation). */
    private static double generatedInstructions(Graph g, Node n, long macs, long outElems) {
        if (GeneratedInt16.applies(g, n)) {
            return GeneratedInt16.instructions(g, n, macs, outElems);
        }
        return switch (of(n.op().kind()).generated()) {
            case CONV -> {
                if (GeneratedKernels.choose(g, n) == GeneratedKernels.Kind.POINTWISE) {
                    yield GEN_PW_PER_MAC * macs + GEN_PW_PER_OUTPUT * outElems;
                }
                SparseWeights.Choice c = SparseWeights.choose(g, n);
                yield c != null && c.sparse() ? c.sparseInstructions()
                        : GEN_CONV_PER_MAC * macs + GEN_CONV_PER_OUTPUT * outElems;
            }
            case DEPTHWISE -> {
                Shape in = g.tensor(n.input(0)).shape();
                Shape out = g.tensor(n.output(0)).shape();
                int c = out.dim(out.rank() - 1);
                GeneratedKernels.Kind kind = GeneratedKernels.choose(g, n);
                if (kind == GeneratedKernels.Kind.DEPTHWISE_3X3) {
                    yield (cloned(g, n, kind) ? GEN_DW3_PER_OUTPUT_CLONE : GEN_DW3_PER_OUTPUT) * outElems
                            + GEN_DW3_PER_PIXEL * outElems / c;
                }
                if (kind == GeneratedKernels.Kind.DEPTHWISE_1X3X3) {
                    yield GEN_DW13_PER_OUTPUT * outElems;
                }
                boolean fast = in.dim(in.rank() - 1) == c && c % 4 == 0;
                if (fast) {
                    yield GEN_DW_PER_MAC * macs + GEN_DW_PER_OUTPUT * outElems + GEN_DW_PER_PIXEL * outElems / c
                            + GEN_DW_PER_CALL;
                }
                yield in.dim(in.rank() - 1) == 1 && c <= 32 ? GEN_DW1_PER_MAC * macs + GEN_DW1_PER_OUTPUT * outElems
                        : GEN_DWG_PER_MAC * macs + GEN_DWG_PER_OUTPUT * outElems;
            }
            case FULLY_CONNECTED -> {
                if (GeneratedKernels.fourRowFullyConnected(g, n)) {
                    yield GEN_FC4_PER_MAC * macs + GEN_FC4_PER_OUTPUT * outElems;
                }
                SparseWeights.Choice c = SparseWeights.choose(g, n);
                yield c != null && c.sparse() ? c.sparseInstructions()
                        : GEN_FC_PER_MAC * macs + GEN_FC_PER_OUTPUT * outElems;
            }
            case POOL -> GEN_POOL_PER_MAC * macs;
            case SOFTMAX -> GEN_SOFTMAX_PER_NODE + GEN_PER_ELEMENT * outElems;
            case COPY -> PER_BYTE_COPY * g.tensor(n.output(0)).byteSize();
            case ELEMENT -> GEN_PER_ELEMENT * outElems;
        };
    }

    /**
     * Whether gcc gives the node's specialised kernel a clone of its own: at most
     * {@link GeneratedFlash#CLONE_LIMIT} call sites of that kernel in the model (see GeneratedFlash).
     */
    private static boolean cloned(Graph g, Node n, GeneratedKernels.Kind kind) {
        int calls = 0;
        for (Node o : g.nodes()) {
            if (o.op().kind() == n.op().kind() && GeneratedKernels.choose(g, o) == kind) {
                calls++;
            }
        }
        return calls <= GeneratedFlash.CLONE_LIMIT;
    }

    /** CMSIS-NN scratch bytes of a node (optimized library), 0 otherwise. */
    static long scratchBytes(KernelLibrary effective, Graph g, Node n) {
        if (effective != KernelLibrary.OPTIMIZED) {
            return 0;
        }
        Tensor x = g.tensor(n.input(0));
        if (x.type().isFloat()) {
            return 0;
        }
        if (n.op() instanceof Op.Conv2D c) {
            Shape w = g.tensor(n.input(1)).shape();
            boolean fast1x1 = w.dim(1) == 1 && w.dim(2) == 1 && c.strideH() == 1 && c.strideW() == 1
                    && c.dilationH() == 1 && c.dilationW() == 1;
            return fast1x1 ? 0 : 2L * w.dim(3) * w.dim(1) * w.dim(2) * 2;
        }
        if (n.op() instanceof Op.DepthwiseConv2D d) {
            Shape w = g.tensor(n.input(1)).shape();
            boolean threeByThree = w.dim(1) == 3 && w.dim(2) == 3; // arm_depthwise_conv_3x3_s8: padding <= 1
            if (d.depthMultiplier() != 1 || threeByThree) {
                return 0;
            }
            return (long) x.shape().dim(3) * w.dim(1) * w.dim(2) * 2;
        }
        return 0;
    }

    /** Output channels needing a per-channel multiplier and shift at init (conv, depthwise). */
    static long requantChannels(Graph g, Node n) {
        OpKind k = n.op().kind();
        if ((k == OpKind.CONV_2D || k == OpKind.DEPTHWISE_CONV_2D) && !g.tensor(n.output(0)).type().isFloat()) {
            Shape out = g.tensor(n.output(0)).shape();
            return out.dim(out.rank() - 1);
        }
        return 0;
    }

    /**
     * Node state: 32-byte node record + builtin parameters + operator data, as the equivalent TFLM
     * structs on ILP32: conv params 24 (6 ints) + OpDataConv 56 (padding 16, three zero points,
     * multiplier, shift, two per-channel pointers, activation range, scratch index); depthwise 28 + 56;
     * fully connected 12 + 28 (multiplier, shift, activation range, three zero points); pooling 40
     * (TfLitePoolParams incl. computed padding) + 32; softmax 4 + 60 (SoftmaxParams); reshape 36
     * (TfLiteReshapeParams); add/sub/mul 8 + 60 (OpDataAdd); concatenation 8 + 16; others 16.
     */
    static long nodeStateBytes(OpKind k) {
        return NODE_RECORD + of(k).state();
    }

    /** Kernel code bytes for the kinds used by an interpreter library (generated C: {@link GeneratedFlash}). */
    static long kernelCode(KernelLibrary lib, java.util.Set<OpKind> kinds) {
        long code = lib == KernelLibrary.OPTIMIZED ? OPT_CODE_BLOCK : REF_CODE_BLOCK;
        for (OpKind k : kinds) {
            code += switch (of(k).code()) {
                case BLOCK -> 0;
                case FULLY_CONNECTED -> lib == KernelLibrary.OPTIMIZED ? OPT_CODE_FC : REF_CODE_FC;
                case OTHER -> OTHER_KIND_CODE;
            };
        }
        return code;
    }

    /** True when the kind has no kernel in the library. */
    static boolean unsupported(KernelLibrary lib, OpKind k) {
        // TFLite has no builtin CLIP or BATCH_NORMALIZATION (fold them first); our generated C will
        // follow the reference set.
        return of(k).noKernel();
    }
}
