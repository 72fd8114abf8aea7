package io.tinyml.codegen.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.estimate.GeneratedKernels;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.ConvParams;
import io.tinyml.core.quant.ElementwiseParams;
import io.tinyml.core.quant.MeanParams;
import io.tinyml.core.quant.PoolParams;
import io.tinyml.core.quant.Quant;
import io.tinyml.core.quant.RequantizeParams;
import io.tinyml.core.quant.SoftmaxParams;

/**
 * Emits the body of one node's C function. Every quantization parameter is resolved at generation
 * time by the prepared parameters of {@code io.tinyml.core.quant} ({@link ConvParams},
 * {@link ElementwiseParams}, {@link PoolParams}, {@link MeanParams}, {@link SoftmaxParams},
 * {@link RequantizeParams}) that the reference interpreter's kernels consume too.
 */
final class NodeEmitter {
    private final ModelEmitter m;
    private final Graph g;

    NodeEmitter(ModelEmitter m) {
        this.m = m;
        this.g = m.graph();
    }

    String emit(int index, Node n) throws UnsupportedOperatorException {
        Tensor in = g.tensor(n.input(0));
        Tensor out = g.tensor(n.output(0));
        boolean int8 = in.type() == DataType.INT8 && out.type() == DataType.INT8;
        OpKind k = n.op().kind();
        if (Int16Emitter.handles(g, n)) {
            return new Int16Emitter(m).emit(index, n);
        }
        if (k == OpKind.QUANTIZE || k == OpKind.DEQUANTIZE) {
            return convert(n, in, out);
        }
        if (in.type() == DataType.FLOAT32 && out.type() == DataType.FLOAT32) {
            return switch (k) {
                case FULLY_CONNECTED -> fullyConnectedFloat(n);
                case CONV_2D, DEPTHWISE_CONV_2D -> convFloat(n);
                case PAD -> padFloat(n);
                case MEAN -> meanFloat(n);
                case RELU, RELU6, CLIP -> clampFloat(n);
                case RESHAPE -> reshape(n);
                case QUANTIZE, DEQUANTIZE -> convert(n, in, out);
                case ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, CONCATENATION, SOFTMAX, LEAKY_RELU, LOGISTIC, TANH,
                        HARD_SWISH, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL ->
                        throw unsupported(n, "float32 " + k + " has no C kernel yet");
            };
        }
        if (!int8) {
            throw unsupported(n, in.type() + " input and " + out.type() + " output: " + SCHEMES);
        }
        return switch (k) {
            case CONV_2D, DEPTHWISE_CONV_2D -> conv(index, n);
            case FULLY_CONNECTED -> fullyConnected(index, n);
            case AVERAGE_POOL_2D, MAX_POOL_2D -> pool(n);
            case RESHAPE -> reshape(n);
            case SOFTMAX -> softmax(index, n);
            case ADD, SUB -> addSub(n);
            case PAD -> padInt8(n);
            case MEAN -> meanInt8(index, n);
            case RELU, RELU6, CLIP, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU -> UnaryTables.emit(m, index, n);
            case QUANTIZE, DEQUANTIZE -> convert(n, in, out);
            case MUL, CONCATENATION, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL ->
                    throw unsupported(n, "int8 " + k + " has no C kernel yet");
        };
    }

    /** What codegen accepts, for refusals of other tensor types. */
    static final String SCHEMES = "generated C runs int8, int16x8 and float32 tensors (tinyml quantize --scheme int8 "
            + "or int16x8; fp16, dynamic and int8/float mixed precision run too), not mixed int8/int16 ones";

    static UnsupportedOperatorException unsupported(Node n, String what) {
        return new UnsupportedOperatorException(n.op().kind().name(), "cannot generate C for operator "
                + n.op().kind() + " of node '" + n.name() + "': " + what);
    }

    private static String perTensorOrThrow(Node n, Tensor t) throws UnsupportedOperatorException {
        if (!Quant.perTensor(t)) {
            throw unsupported(n, "tensor '" + t.name() + "' is not per-tensor quantized");
        }
        return "";
    }

    /**
     * Refuses weights that are not a constant of {@code weights} type (quantized when INT8) and a bias that is
     * not a constant of {@code bias} type; returns the bias tensor, or {@link Node#ABSENT}.
     */
    private int constantWeightsAndBias(Node n, DataType weights, DataType bias) throws UnsupportedOperatorException {
        Tensor w = g.tensor(n.input(1));
        if (w.type() != weights || !w.isConstant() || (weights == DataType.INT8 && w.quant().isEmpty())) {
            throw unsupported(n, "weights must be constant " + weights.name().toLowerCase(java.util.Locale.ROOT));
        }
        int b = n.inputs().size() > 2 ? n.input(2) : Node.ABSENT;
        if (b != Node.ABSENT && (g.tensor(b).type() != bias || !g.tensor(b).isConstant())) {
            throw unsupported(n, "bias must be constant " + bias.name().toLowerCase(java.util.Locale.ROOT));
        }
        return b;
    }

    private String conv(int index, Node n) throws UnsupportedOperatorException {
        boolean dw = n.op().kind() == OpKind.DEPTHWISE_CONV_2D;
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        perTensorOrThrow(n, x);
        perTensorOrThrow(n, y);
        ConvGeometry geo = ConvGeometry.of(g, n);
        int bias = constantWeightsAndBias(n, DataType.INT8, DataType.INT32);
        ConvParams q = ConvParams.of(g, n);
        GeneratedKernels.Kind kind = GeneratedKernels.choose(g, n);
        int fIn = dw ? 1 : w.shape().dim(3);
        if (!dw && fIn == geo.inC()) {
            io.tinyml.core.estimate.SparseWeights.Choice sparse = io.tinyml.core.estimate.SparseWeights.choose(g, n);
            if (m.sparseWeights() && sparse != null && sparse.sparse()) {
                return convSparse(index, n, geo, q, bias, multipliers(index, n, q, geo.outC()));
            }
            boolean pointwise = kind == GeneratedKernels.Kind.POINTWISE;
            return pointwise ? convMatmul(index, n, geo, q, bias, null, requantParams(q, geo.outC()))
                    : convMatmul(index, n, geo, q, bias, multipliers(index, n, q, geo.outC()), null);
        }
        boolean dwFast = dw && geo.outC() == geo.inC() && geo.inC() % 4 == 0;
        if (kind == GeneratedKernels.Kind.DEPTHWISE_3X3) {
            return depthwise3x3(index, n, geo, q, bias, requantParams(q, geo.outC()));
        }
        if (kind == GeneratedKernels.Kind.DEPTHWISE_1X3X3) {
            return depthwise1x3x3(index, n, geo, q, bias, multipliers(index, n, q, geo.outC(), true));
        }
        String ms = multipliers(index, n, q, geo.outC());
        if (dwFast) {
            m.useKernel("simd");
            m.useKernel("dw_s8_fast");
            return "    static const tm_win_params P = " + win(geo, fIn, q)
                    + ";\n    tm_dw_s8_c4(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                    + m.ptr(n.output(0), "int8_t", false) + ", " + m.constant(n.input(1)) + ", "
                    + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", " + ms + ");\n    return 0;\n";
        }
        if (dw && geo.inC() == 1 && geo.outC() <= 32) {
            m.useKernel("dw_s8_c1");
            return "    static const tm_win_params P = " + win(geo, fIn, q)
                    + ";\n    tm_dw_s8_c1(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                    + m.ptr(n.output(0), "int8_t", false) + ", " + m.constant(n.input(1)) + ", "
                    + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", " + ms + ");\n    return 0;\n";
        }
        m.useKernel(dw ? "dw_s8" : "conv_s8");
        return "    static const tm_win_params P = " + win(geo, fIn, q) + ";\n"
                + "    " + (dw ? "tm_dw_s8" : "tm_conv_s8") + "(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                + m.ptr(n.output(0), "int8_t", false) + ", " + m.constant(n.input(1)) + ", "
                + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", " + ms + ");\n    return 0;\n";
    }

    /** 3x3 depthwise (see dw3_s8.c): the input offset folded into the bias over all 9 taps. */
    private String depthwise3x3(int index, Node n, ConvGeometry geo, ConvParams p, int bias, int[][] rq) {
        byte[] w = g.tensor(n.input(1)).bytes();
        int c = geo.outC();
        int[] b = bias == Node.ABSENT ? new int[c] : g.tensor(bias).ints();
        int[] biasF = new int[c];
        for (int oc = 0; oc < c; oc++) {
            int sum = 0;
            for (int t = 0; t < 9; t++) {
                sum += w[t * c + oc];
            }
            biasF[oc] = b[oc] + p.inputOffset() * sum;
        }
        int[] groups = new int[9 * c];
        for (int t = 0; t < 9; t++) {
            for (int oc = 0; oc < c; oc++) {
                groups[(oc / 4) * 36 + t * 4 + oc % 4] = w[t * c + oc];
            }
        }
        String base = m.prefix() + "_n" + index;
        m.array("int8_t", base + "_w", groups, "node " + index + " '" + n.name()
                + "': filter as [channels / 4][3][3][4]");
        int[] q = new int[3 * c];
        for (int oc = 0; oc < c; oc++) {
            int at = (oc / 4) * 12 + oc % 4;
            q[at] = biasF[oc];
            q[at + 4] = rq[0][oc];
            q[at + 8] = -rq[1][oc] - 1;
        }
        m.array("int32_t", base + "_q", q, "node " + index + " '" + n.name() + "': per 4 channels their biases "
                + "+ input offset * sum of the 9 weights, requantization multipliers, right shifts minus 1");
        m.useKernel("simd");
        m.useKernel("dw3_s8");
        return "    static const tm_win_params P = " + win(geo, 1, p)
                + ";\n    tm_dw3_s8(&P, " + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                + ", " + base + "_w, " + base + "_q);\n    return 0;\n";
    }

    /** 3x3 depthwise of a one-channel input (see dw1_3x3_s8.c): weights as int16 pairs, offset in the bias. */
    private String depthwise1x3x3(int index, Node n, ConvGeometry geo, ConvParams p, int bias, String ms) {
        byte[] w = g.tensor(n.input(1)).bytes();
        int c = geo.outC();
        int[] b = bias == Node.ABSENT ? new int[c] : g.tensor(bias).ints();
        int[] biasF = new int[c];
        int[] pairs = new int[10 * c];
        for (int oc = 0; oc < c; oc++) {
            int sum = 0;
            for (int t = 0; t < 9; t++) {
                sum += w[t * c + oc];
                pairs[oc * 10 + t] = w[t * c + oc];
            }
            biasF[oc] = b[oc] + p.inputOffset() * sum;
        }
        String base = m.prefix() + "_n" + index;
        m.array("int16_t", base + "_w", pairs, "node " + index + " '" + n.name()
                + "': per output channel its 9 weights and a 0, as int16 pairs");
        m.array("int32_t", base + "_bias", biasF, "node " + index + " '" + n.name()
                + "': bias + input offset * sum of the channel's 9 weights");
        m.useKernel("simd");
        m.useKernel("dw1_3x3_s8");
        return "    static const tm_win_params P = " + win(geo, 1, p)
                + ";\n    tm_dw1_3x3_s8(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                + m.ptr(n.output(0), "int8_t", false) + ", " + base + "_w, " + base + "_bias, " + ms
                + ");\n    return 0;\n";
    }

    /** Convolution as a matrix product: rows padded to a multiple of 4, input offset folded into the bias. */
    private String convMatmul(int index, Node n, ConvGeometry geo, ConvParams p, int bias, String ms,
                              int[][] pointwise) {
        byte[] w = g.tensor(n.input(1)).bytes();
        int k = geo.kH() * geo.kW() * geo.inC();
        int k4 = (k + 3) & ~3;
        int outC = geo.outC();
        int[] rows = new int[outC * k4];
        int[] biasF = new int[outC];
        int[] b = bias == Node.ABSENT ? new int[outC] : g.tensor(bias).ints();
        for (int oc = 0; oc < outC; oc++) {
            int sum = 0;
            int pairBase = (oc / 2) * 2 * k4;
            boolean paired = oc / 2 * 2 + 1 < outC;
            for (int i = 0; i < k; i++) {
                int at = paired ? pairBase + (i / 4) * 8 + (oc % 2) * 4 + i % 4 : oc * k4 + i;
                rows[at] = w[oc * k + i];
                sum += w[oc * k + i];
            }
            biasF[oc] = b[oc] + p.inputOffset() * sum;
        }
        String base = m.prefix() + "_n" + index;
        m.array("int8_t", base + "_w", rows, "node " + index + " '" + n.name() + "': filter rows of " + k4
                + " bytes (zero padded), pairs interleaved per 4 bytes");
        if (pointwise != null) {
            // per pair of rows (a lone last row: 3 words) their folded biases, multipliers, right shifts - 1
            int[] q = new int[3 * outC];
            for (int oc = 0; oc < outC; oc++) {
                int lone = oc / 2 * 2 + 1 < outC ? 2 : 1;
                int at = (oc / 2) * 6 + oc % 2;
                q[at] = biasF[oc];
                q[at + lone] = pointwise[0][oc];
                q[at + 2 * lone] = -pointwise[1][oc] - 1;
            }
            m.array("int32_t", base + "_q", q, "node " + index + " '" + n.name() + "': per pair of filter rows their "
                    + "biases + input offset * row sum, requantization multipliers, right shifts minus 1");
            m.useKernel("simd");
            m.useKernel("pw_s8");
            m.scratchInt16(2 * k4);
            return "    static const tm_win_params P = " + win(geo, geo.inC(), p)
                    + ";\n    tm_pw_s8(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                    + m.ptr(n.output(0), "int8_t", false) + ", " + base + "_w, " + base + "_q, "
                    + m.prefix() + "_col);\n    return 0;\n";
        }
        m.array("int32_t", base + "_bias", biasF, "node " + index + " '" + n.name()
                + "': bias + input offset * filter row sum");
        return matmulCall("conv_s8_mm", n, geo, p, k4, base + "_w, " + base + "_bias, " + ms);
    }

    /** The call of a matrix-product convolution kernel (im2col into the shared int16 columns). */
    private String matmulCall(String kernel, Node n, ConvGeometry geo, ConvParams p, int k4, String weightArgs) {
        m.useKernel("simd");
        m.useKernel("im2col_s8");
        m.useKernel(kernel);
        m.scratchInt16(2 * k4);
        return "    static const tm_win_params P = " + win(geo, geo.inC(), p)
                + ";\n    tm_" + kernel + "(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                + m.ptr(n.output(0), "int8_t", false) + ", " + weightArgs + ", " + m.prefix() + "_col);\n    return 0;\n";
    }

    /** Sparse filters: per row the non-zero weights with their im2col column offsets (see conv_s8_sparse.c). */
    private String convSparse(int index, Node n, ConvGeometry geo, ConvParams p, int bias, String ms) {
        byte[] w = g.tensor(n.input(1)).bytes();
        int k = geo.kH() * geo.kW() * geo.inC();
        int k4 = (k + 3) & ~3;
        int outC = geo.outC();
        int[] counts = new int[outC];
        int[] biasF = new int[outC];
        int[] b = bias == Node.ABSENT ? new int[outC] : g.tensor(bias).ints();
        int[] perm = {0, 2, 1, 3};
        java.util.List<Integer> offs = new java.util.ArrayList<>();
        java.util.List<Integer> vals = new java.util.ArrayList<>();
        for (int oc = 0; oc < outC; oc++) {
            int sum = 0;
            for (int i = 0; i < k; i++) {
                byte v = w[oc * k + i];
                if (v != 0) {
                    counts[oc]++;
                    offs.add(2 * (i & ~3) + perm[i & 3]);
                    vals.add((int) v);
                    sum += v;
                }
            }
            biasF[oc] = b[oc] + p.inputOffset() * sum;
        }
        if (vals.isEmpty()) {
            offs.add(0); // C has no empty arrays; never read
            vals.add(0);
        }
        String base = m.prefix() + "_n" + index;
        String what = "node " + index + " '" + n.name() + "': ";
        m.array("uint16_t", base + "_count", counts, what + "non-zero weights per filter row");
        m.array("uint16_t", base + "_off", offs.stream().mapToInt(Integer::intValue).toArray(), what
                + "im2col column offset of each non-zero weight");
        m.array("int8_t", base + "_nz", vals.stream().mapToInt(Integer::intValue).toArray(), what + "the "
                + vals.size() + " non-zero weights of " + outC * k + ", row by row");
        m.array("int32_t", base + "_bias", biasF, what + "bias + input offset * filter row sum");
        return matmulCall("conv_s8_sparse", n, geo, p, k4, base + "_count, " + base + "_off, " + base
                + "_nz, " + base + "_bias, " + ms);
    }

    private static String win(ConvGeometry geo, int fIn, ConvParams p) {
        return win(geo, fIn, p.inputOffset(), p.outputOffset(), p.activationMin(), p.activationMax());
    }

    private static String win(ConvGeometry geo, int fIn, int inOff, int outOff, int actMin, int actMax) {
        return "{" + geo.inH() + ", " + geo.inW() + ", " + geo.inC() + ", " + geo.kH() + ", " + geo.kW() + ", " + fIn
                + ", " + geo.outH() + ", " + geo.outW() + ", " + geo.outC() + ", " + geo.strideH() + ", "
                + geo.strideW() + ", " + geo.dilationH() + ", " + geo.dilationW() + ", " + geo.padH() + ", "
                + geo.padW() + ", " + geo.batches() + ", " + inOff + ", " + outOff + ", " + actMin + ", " + actMax
                + "}";
    }

    /** Emits per-channel multiplier and shift arrays; returns "mult, shift" C names. */
    private String multipliers(int index, Node n, ConvParams p, int channels) {
        return multipliers(index, n, p, channels, false);
    }

    /**
     * Emits the first {@code channels} multipliers and shifts as arrays; {@code e1}: instead of the shifts, the
     * right shifts minus 1 that tm_rq_bounded takes (the caller has checked GeneratedKernels.boundedRequant).
     * Returns the C names.
     */
    private String multipliers(int index, Node n, ConvParams p, int channels, boolean e1) {
        int[][] q = requantParams(p, channels);
        int[] mu = q[0];
        int[] sh = q[1];
        String base = m.prefix() + "_n" + index;
        m.array("int32_t", base + "_mult", mu, "node " + index + " '" + n.name() + "': requantization multipliers");
        if (e1) {
            for (int c = 0; c < sh.length; c++) {
                sh[c] = -sh[c] - 1;
            }
            m.array("int32_t", base + "_e1", sh, "node " + index + " '" + n.name()
                    + "': requantization right shifts minus 1");
            return base + "_mult, " + base + "_e1";
        }
        m.array("int32_t", base + "_shift", sh, "node " + index + " '" + n.name() + "': requantization shifts");
        return base + "_mult, " + base + "_shift";
    }

    /** Copies of the first {@code channels} requantization multipliers and shifts of the prepared parameters. */
    private static int[][] requantParams(ConvParams p, int channels) {
        int[] mu = java.util.Arrays.copyOf(p.multipliers(), channels);
        int[] sh = java.util.Arrays.copyOf(p.shifts(), channels);
        for (int c = 0; c < channels; c++) {
            if (mu[c] == Integer.MIN_VALUE || sh[c] < -31) {
                // the kernels' tm_mbqm_pos relies on this; quantizeMultiplier never produces it
                throw new IllegalStateException("unexpected requantization multiplier " + mu[c] + " shift " + sh[c]);
            }
        }
        return new int[][] {mu, sh};
    }

    private String fullyConnected(int index, Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        perTensorOrThrow(n, x);
        perTensorOrThrow(n, y);
        int bias = constantWeightsAndBias(n, DataType.INT8, DataType.INT32);
        int outN = w.shape().dim(0);
        int inN = w.shape().dim(1);
        ConvParams q = ConvParams.of(g, n);
        String ms = multipliers(index, n, q, q.perChannel() ? outN : 1);
        int batches = x.shape().elementCount() / inN;
        io.tinyml.core.estimate.SparseWeights.Choice sparse = io.tinyml.core.estimate.SparseWeights.choose(g, n);
        if (m.sparseWeights() && sparse != null && sparse.sparse()) {
            return fullyConnectedSparse(index, n, ms, bias, batches, inN, outN, q);
        }
        if (GeneratedKernels.fourRowFullyConnected(g, n)) {
            return fullyConnected4(index, n, q, bias, batches, inN, outN);
        }
        m.useKernel("fc_s8");
        return "    tm_fc_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false) + ", "
                + m.constant(n.input(1)) + ", " + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", " + ms + ", "
                + batches + ", " + inN + ", " + outN + ", " + q.inputOffset() + ", " + q.filterOffset() + ", "
                + q.outputOffset() + ", " + q.activationMin() + ", " + q.activationMax() + ", " + (q.perChannel() ? 1 : 0)
                + ");\n    return 0;\n";
    }

    /**
     * Weights of zero point 0, inputs and outputs multiples of 4 (see fc_s8_4x.c): rows in groups of 4
     * interleaved per 4 inputs, the input offset folded into the bias.
     */
    private String fullyConnected4(int index, Node n, ConvParams p, int bias, int batches, int inN, int outN) {
        byte[] w = g.tensor(n.input(1)).bytes();
        int inOff = p.inputOffset();
        int k4 = (inN + 3) & ~3;
        int groups = outN / 4;
        int[] rows = new int[outN * k4];
        int[][] rq = requantParams(p, outN);
        boolean perTensor = !p.perChannel() && rq[0][0] != 0; // the kernel reads a 0 multiplier as "per row"
        int gq = perTensor ? 4 : 12;
        int[] q = new int[gq * groups + 3 * (outN - 4 * groups)];
        int[] b = bias == Node.ABSENT ? new int[outN] : g.tensor(bias).ints();
        for (int o = 0; o < outN; o++) {
            int sum = 0;
            boolean grouped = o < 4 * groups;
            for (int i = 0; i < inN; i++) {
                int at = grouped ? (o / 4) * 4 * k4 + (i / 4) * 16 + (o % 4) * 4 + i % 4 : o * k4 + i;
                rows[at] = w[o * inN + i];
                sum += w[o * inN + i];
            }
            int qa = grouped ? (o / 4) * gq + o % 4 : gq * groups + 3 * (o - 4 * groups);
            int step = grouped ? 4 : 1;
            q[qa] = b[o] + inOff * sum;
            if (!perTensor) {
                q[qa + step] = rq[0][o];
                q[qa + 2 * step] = rq[1][o];
            }
        }
        String base = m.prefix() + "_n" + index;
        m.array("int8_t", base + "_w", rows, "node " + index + " '" + n.name() + "': weights in groups of 4 rows "
                + "interleaved per 4 inputs");
        m.array("int32_t", base + "_q", q, "node " + index + " '" + n.name()
                + "': per group of 4 rows their biases + input offset * row sum" + (perTensor ? "" : ", multipliers, shifts"));
        m.useKernel("simd");
        m.useKernel("fc_s8_4x");
        return "    tm_fc_s8_4x(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false) + ", "
                + base + "_w, " + base + "_q, " + batches + ", " + inN + ", " + outN + ", "
                + (perTensor ? rq[0][0] + ", " + rq[1][0] : "0, 0") + ", " + p.outputOffset() + ", " + p.activationMin()
                + ", " + p.activationMax() + ");\n    return 0;\n";
    }

    /** Bitmask-sparse weights (see SparseWeights): masks per row, non-zero values, input offset folded into the bias. */
    private String fullyConnectedSparse(int index, Node n, String ms, int bias, int batches, int inN, int outN,
                                        ConvParams p) {
        byte[] w = g.tensor(n.input(1)).bytes();
        int words = (inN + 31) / 32;
        int[] mask = new int[outN * words];
        int[] biasF = new int[outN];
        int[] b = bias == Node.ABSENT ? new int[outN] : g.tensor(bias).ints();
        java.util.List<Integer> vals = new java.util.ArrayList<>();
        for (int o = 0; o < outN; o++) {
            int sum = 0;
            for (int i = 0; i < inN; i++) {
                byte v = w[o * inN + i];
                if (v != 0) {
                    mask[o * words + i / 32] |= 1 << (i % 32);
                    vals.add((int) v);
                    sum += v;
                }
            }
            biasF[o] = b[o] + p.inputOffset() * sum;
        }
        if (vals.isEmpty()) {
            vals.add(0); // C has no empty arrays; never read
        }
        String base = m.prefix() + "_n" + index;
        m.array("int32_t", base + "_mask", mask, "node " + index + " '" + n.name() + "': " + words
                + " bit masks per row of " + inN + " weights (bit set: non-zero)");
        m.array("int8_t", base + "_nz", vals.stream().mapToInt(Integer::intValue).toArray(), "node " + index + " '"
                + n.name() + "': the " + vals.size() + " non-zero weights of " + outN * inN + ", row by row");
        m.array("int32_t", base + "_bias", biasF, "node " + index + " '" + n.name()
                + "': bias + input offset * row sum");
        m.useKernel("fc_s8_sparse");
        return "    tm_fc_s8_sparse(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                + ", " + base + "_mask, " + base + "_nz, " + base + "_bias, " + ms + ", " + batches + ", " + inN + ", "
                + outN + ", " + p.outputOffset() + ", " + p.activationMin() + ", " + p.activationMax() + ", "
                + (p.perChannel() ? 1 : 0)
                + ");\n    return 0;\n";
    }

    private String fullyConnectedFloat(Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        int bias = constantWeightsAndBias(n, DataType.FLOAT32, DataType.FLOAT32);
        if (n.op().activation() == io.tinyml.core.ir.Activation.TANH) {
            throw unsupported(n, "fused TANH");
        }
        float[] r = Quant.floatRange(n.op().activation());
        int outN = w.shape().dim(0);
        int inN = w.shape().dim(1);
        m.useKernel("fc_f32");
        return "    tm_fc_f32(" + m.ptr(n.input(0), "float", true) + ", " + m.ptr(n.output(0), "float", false) + ", "
                + m.constant(n.input(1)) + ", " + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", "
                + x.shape().elementCount() / inN + ", " + inN + ", " + outN + ", " + CText.floatLiteral(r[0]) + ", "
                + CText.floatLiteral(r[1]) + ");\n    return 0;\n";
    }

    private String convFloat(Node n) throws UnsupportedOperatorException {
        boolean dw = n.op().kind() == OpKind.DEPTHWISE_CONV_2D;
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        if (x.shape().rank() != 4 || y.shape().rank() != 4 || w.shape().rank() != 4) {
            throw unsupported(n, "input, filter and output must be rank 4 (NHWC)");
        }
        int bias = constantWeightsAndBias(n, DataType.FLOAT32, DataType.FLOAT32);
        if (n.op().activation() == io.tinyml.core.ir.Activation.TANH) {
            throw unsupported(n, "fused TANH");
        }
        ConvGeometry geo = ConvGeometry.of(g, n);
        int fIn = dw ? 1 : w.shape().dim(3);
        if (dw ? geo.outC() % geo.inC() != 0
                : fIn <= 0 || geo.inC() % fIn != 0 || geo.outC() % (geo.inC() / fIn) != 0) {
            throw unsupported(n, "channels " + geo.inC() + " -> " + geo.outC() + " with filter " + w.shape());
        }
        float[] r = Quant.floatRange(n.op().activation());
        m.useKernel(dw ? "dw_f32" : "conv_f32");
        return "    static const int G[16] = {" + geo.batches() + ", " + geo.inH() + ", " + geo.inW() + ", " + geo.inC()
                + ", " + geo.kH() + ", " + geo.kW() + ", " + fIn + ", " + geo.outH() + ", " + geo.outW() + ", "
                + geo.outC() + ", " + geo.strideH() + ", " + geo.strideW() + ", " + geo.dilationH() + ", "
                + geo.dilationW() + ", " + geo.padH() + ", " + geo.padW() + "};\n"
                + "    " + (dw ? "tm_dw_f32" : "tm_conv_f32") + "(" + m.ptr(n.input(0), "float", true) + ", "
                + m.ptr(n.output(0), "float", false) + ", " + m.constant(n.input(1)) + ", "
                + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", G, " + CText.floatLiteral(r[0]) + ", "
                + CText.floatLiteral(r[1]) + ");\n    return 0;\n";
    }

    private String padFloat(Node n) throws UnsupportedOperatorException {
        return pad(n, false);
    }

    private String padInt8(Node n) throws UnsupportedOperatorException {
        return pad(n, true);
    }

    private String pad(Node n, boolean int8) throws UnsupportedOperatorException {
        Op.Pad op = (Op.Pad) n.op();
        if (op.mode() != io.tinyml.core.ir.PadMode.CONSTANT) {
            throw unsupported(n, op.mode() + " padding has no C kernel yet (constant padding has)");
        }
        int[] id = g.tensor(n.input(0)).shape().toArray();
        int[] od = g.tensor(n.output(0)).shape().toArray();
        int r = od.length;
        if (r > 4 || id.length != r || op.before().size() != r) {
            throw unsupported(n, "padding of rank " + op.before().size() + " for input rank " + id.length);
        }
        int[] i4 = {1, 1, 1, 1};
        int[] o4 = {1, 1, 1, 1};
        int[] b4 = {0, 0, 0, 0};
        for (int d = 0; d < r; d++) {
            i4[4 - r + d] = id[d];
            o4[4 - r + d] = od[d];
            b4[4 - r + d] = op.before().get(d);
            if (op.before().get(d) < 0 || id[d] + op.before().get(d) > od[d]) {
                throw unsupported(n, "negative padding (cropping)");
            }
        }
        String dims = "    static const int IN[4] = " + ints(i4) + ";\n    static const int BEFORE[4] = " + ints(b4)
                + ";\n    static const int OUT[4] = " + ints(o4) + ";\n";
        if (int8) {
            Tensor y = g.tensor(n.output(0));
            perTensorOrThrow(n, y);
            int fill = Quant.padValue(op.value(), y); // the interpreter's fill
            m.useKernel("pad_s8");
            return dims + "    tm_pad_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                    + ", IN, BEFORE, OUT, " + fill + ");\n    return 0;\n";
        }
        m.useKernel("pad_f32");
        return dims + "    tm_pad_f32(" + m.ptr(n.input(0), "float", true) + ", " + m.ptr(n.output(0), "float", false)
                + ", IN, BEFORE, OUT, " + CText.floatLiteral(op.value()) + ");\n    return 0;\n";
    }

    private static String ints(int[] v) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : ", ").append(v[i]);
        }
        return s.append('}').toString();
    }

    private String meanFloat(Node n) throws UnsupportedOperatorException {
        Op.Mean op = (Op.Mean) n.op();
        Tensor x = g.tensor(n.input(0));
        java.util.Set<Integer> axes = new java.util.TreeSet<>();
        for (int a : op.axes()) {
            axes.add(a < 0 ? a + x.shape().rank() : a);
        }
        if (x.shape().rank() != 4 || !axes.equals(java.util.Set.of(1, 2))) {
            throw unsupported(n, "mean over axes " + op.axes() + " of rank " + x.shape().rank()
                    + " (only H and W of NHWC)");
        }
        int hw = x.shape().dim(1) * x.shape().dim(2);
        if (hw == 0) {
            throw unsupported(n, "empty input");
        }
        m.useKernel("mean_f32");
        return "    tm_mean_hw_f32(" + m.ptr(n.input(0), "float", true) + ", " + m.ptr(n.output(0), "float", false)
                + ", " + x.shape().dim(0) + ", " + hw + ", " + x.shape().dim(3) + ");\n    return 0;\n";
    }

    /** int8 MEAN over one contiguous block of axes, with the interpreter's arithmetic (see QuantActivationMean). */
    private String meanInt8(int index, Node n) throws UnsupportedOperatorException {
        Op.Mean op = (Op.Mean) n.op();
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        perTensorOrThrow(n, x);
        perTensorOrThrow(n, y);
        int rank = x.shape().rank();
        java.util.TreeSet<Integer> axes = new java.util.TreeSet<>();
        for (int a : op.axes()) {
            axes.add(a < 0 ? a + rank : a);
        }
        if (axes.isEmpty() || axes.last() - axes.first() + 1 != axes.size()) {
            throw unsupported(n, "mean over axes " + op.axes() + " (only one contiguous block of axes)");
        }
        int outer = 1;
        int count = 1;
        int inner = 1;
        for (int d = 0; d < rank; d++) {
            int dim = x.shape().dim(d);
            if (d < axes.first()) {
                outer *= dim;
            } else if (d <= axes.last()) {
                count *= dim;
            } else {
                inner *= dim;
            }
        }
        MeanParams p = MeanParams.of(g, n);
        m.useKernel("mean_s8");
        return "    /* [" + outer + ", " + count + ", " + inner + "]: mean over the middle axis */\n    tm_mean_s8("
                + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false) + ", " + outer + ", "
                + count + ", " + inner + ", " + (p.sameQuantization() ? 1 : 0) + ", " + p.inputZeroPoint() + ", "
                + p.outputZeroPoint() + ", "
                + (p.multiplier() == Integer.MIN_VALUE ? "INT32_MIN" : Integer.toString(p.multiplier())) + ", " + p.shift()
                + ");\n    return 0;\n";
    }

    private String clampFloat(Node n) {
        float lo;
        float hi;
        float[] range = switch (n.op().kind()) {
            case RELU -> new float[] {0f, Float.POSITIVE_INFINITY};
            case RELU6 -> new float[] {0f, 6f};
            case CLIP -> new float[] {((Op.Clip) n.op()).min(), ((Op.Clip) n.op()).max()};
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN,
                    RESHAPE, CONCATENATION, PAD, SOFTMAX, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE,
                    DEQUANTIZE, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL ->
                    throw new IllegalStateException("expected a clamp, found " + n.op().kind());
        };
        lo = range[0];
        hi = range[1];
        m.useKernel("clamp_f32");
        return "    tm_clamp_f32(" + m.ptr(n.input(0), "float", true) + ", " + m.ptr(n.output(0), "float", false) + ", "
                + g.tensor(n.output(0)).shape().elementCount() + ", " + CText.floatLiteral(lo) + ", "
                + CText.floatLiteral(hi) + ");\n    return 0;\n";
    }

    private String pool(Node n) throws UnsupportedOperatorException {
        boolean avg = n.op().kind() == OpKind.AVERAGE_POOL_2D;
        PoolParams p = PoolParams.of(g, n);
        m.useKernel("pool_s8");
        return "    static const tm_win_params P = " + win(p.geometry(), 1, 0, 0, p.activationMin(), p.activationMax())
                + ";\n"
                + "    tm_pool_s8(&P, " + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                + ", " + (avg ? 1 : 0) + ");\n    return 0;\n";
    }

    /** QUANTIZE (float32 or int8 to int8) and DEQUANTIZE (int8 to float32) of activations. */
    private String convert(Node n, Tensor in, Tensor out) throws UnsupportedOperatorException {
        if (n.op() instanceof Op.Quantize q && q.narrowed()) {
            throw unsupported(n, "quantization to the narrowed range [" + q.min() + ", " + q.max() + "] (4- or 2-bit "
                    + "integers) has no C kernel yet");
        }
        int count = out.shape().elementCount();
        boolean inQ = in.type() == DataType.INT8 && Quant.perTensor(in);
        boolean outQ = out.type() == DataType.INT8 && Quant.perTensor(out);
        m.useKernel("quant_s8");
        if (in.type() == DataType.FLOAT32 && outQ) {
            QuantParams q = out.requireQuant();
            return "    tm_quantize_f32_s8(" + m.ptr(n.input(0), "float", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                    + ", " + count + ", " + CText.floatLiteral(q.scale()) + ", " + q.zeroPoint() + ");\n    return 0;\n";
        }
        if (inQ && out.type() == DataType.FLOAT32) {
            QuantParams q = in.requireQuant();
            return "    tm_dequantize_s8_f32(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "float", false)
                    + ", " + count + ", (double)" + CText.floatLiteral(q.scale()) + ", " + q.zeroPoint()
                    + ");\n    return 0;\n";
        }
        if (inQ && outQ) {
            RequantizeParams p = RequantizeParams.of(g, n);
            return "    tm_requantize_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                    + ", " + count + ", " + p.inputZeroPoint() + ", " + p.outputZeroPoint() + ", " + p.multiplier() + ", "
                    + p.shift() + ");\n    return 0;\n";
        }
        throw unsupported(n, in.type() + " input and " + out.type() + " output: " + SCHEMES);
    }

    private String reshape(Node n) {
        long from = m.offset(n.input(0));
        long to = m.offset(n.output(0));
        if (from == to) {
            return "    /* shares its input's arena bytes: nothing to do */\n    return 0;\n";
        }
        return "    memmove(" + m.ptr(n.output(0), "int8_t", false) + ", " + m.ptr(n.input(0), "int8_t", true) + ", "
                + g.tensor(n.output(0)).byteSize() + "u);\n    return 0;\n";
    }

    private String softmax(int index, Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        QuantParams qo = y.requireQuant();
        if (qo.zeroPoint() != -128 || qo.scale() != 1.0f / 256) {
            throw unsupported(n, "output parameters " + qo + " (needs zero point -128, scale 1/256)");
        }
        float beta = ((Op.Softmax) n.op()).beta();
        SoftmaxParams p;
        try {
            p = SoftmaxParams.of(x.requireQuant().scale(), beta);
        } catch (IllegalArgumentException e) {
            throw unsupported(n, "beta * input scale * 2^26 <= 1");
        }
        int diffMin = p.diffMin();
        int[] table = p.expOfDiff();
        String name = m.prefix() + "_n" + index + "_exp";
        m.array("int32_t", name, table, "node " + index + " '" + n.name() + "': exp of input differences, Q0.31");
        int depth = x.shape().rank() == 0 ? 1 : x.shape().dim(-1);
        int outer = x.shape().elementCount() / Math.max(depth, 1);
        m.useKernel("softmax_s8");
        return "    return tm_softmax_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                + ", " + outer + ", " + depth + ", " + diffMin + ", " + name + ");\n";
    }

    private String addSub(Node n) throws UnsupportedOperatorException {
        Tensor a = g.tensor(n.input(0));
        Tensor b = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        if (!a.shape().equals(y.shape()) || !b.shape().equals(y.shape())) {
            throw unsupported(n, "broadcasting " + a.shape() + " and " + b.shape());
        }
        if (b.type() != DataType.INT8 || !Quant.perTensor(a) || !Quant.perTensor(b) || !Quant.perTensor(y)) {
            throw unsupported(n, "inputs must be per-tensor int8");
        }
        ElementwiseParams p = ElementwiseParams.of(g, n);
        m.useKernel("add_s8");
        return "    tm_addsub_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.input(1), "int8_t", true) + ", "
                + m.ptr(n.output(0), "int8_t", false) + ", " + y.shape().elementCount() + ", "
                + p.input1Offset() + ", " + p.input2Offset() + ", " + p.outputOffset() + ", " + p.leftShift() + ", "
                + p.input1Multiplier() + ", " + p.input1Shift() + ", " + p.input2Multiplier() + ", " + p.input2Shift()
                + ", " + p.outputMultiplier() + ", " + p.outputShift() + ", " + p.activationMin() + ", "
                + p.activationMax() + ", " + (p.kind() == OpKind.SUB ? 1 : 0) + ");\n    return 0;\n";
    }
}
