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
import io.tinyml.core.runtime.internal.ConvGeometry;
import io.tinyml.core.runtime.internal.FixedPoint;
import io.tinyml.core.runtime.internal.GemmlowpFixedPoint;
import io.tinyml.core.runtime.internal.Quant;

/**
 * Emits the body of one node's C function, resolving every quantization parameter at generation
 * time exactly as the reference interpreter does (same {@link Quant} and {@link FixedPoint} code).
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
                default -> throw unsupported(n, "float32 " + k + " has no C kernel yet");
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
            default -> throw unsupported(n, "int8 " + k + " has no C kernel yet");
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

    private String conv(int index, Node n) throws UnsupportedOperatorException {
        boolean dw = n.op().kind() == OpKind.DEPTHWISE_CONV_2D;
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        perTensorOrThrow(n, x);
        perTensorOrThrow(n, y);
        ConvGeometry geo = ConvGeometry.of(g, n);
        if (w.type() != DataType.INT8 || w.quant().isEmpty() || !w.isConstant()) {
            throw unsupported(n, "weights must be constant int8");
        }
        QuantParams wq = w.requireQuant();
        for (long zp : wq.zeroPoints()) {
            if (zp != 0) {
                throw unsupported(n, "weights with non-zero zero point " + zp);
            }
        }
        int bias = n.inputs().size() > 2 ? n.input(2) : Node.ABSENT;
        if (bias != Node.ABSENT && (g.tensor(bias).type() != DataType.INT32 || !g.tensor(bias).isConstant())) {
            throw unsupported(n, "bias must be constant int32");
        }
        int[] range = Quant.activationRange(n.op().activation(), y, n);
        GeneratedKernels.Kind kind = GeneratedKernels.choose(g, n);
        int fIn = dw ? 1 : w.shape().dim(3);
        int inOff = -x.requireQuant().zeroPoint();
        if (!dw && fIn == geo.inC()) {
            io.tinyml.core.estimate.SparseWeights.Choice sparse = io.tinyml.core.estimate.SparseWeights.choose(g, n);
            if (m.sparseWeights() && sparse != null && sparse.sparse()) {
                return convSparse(index, n, geo, inOff, y, range, bias, multipliers(index, n, x, wq, y, geo.outC()));
            }
            boolean pointwise = kind == GeneratedKernels.Kind.POINTWISE;
            return pointwise ? convMatmul(index, n, geo, inOff, y, range, bias, null, requantParams(x, wq, y, geo.outC()))
                    : convMatmul(index, n, geo, inOff, y, range, bias, multipliers(index, n, x, wq, y, geo.outC()), null);
        }
        boolean dwFast = dw && geo.outC() == geo.inC() && geo.inC() % 4 == 0;
        if (kind == GeneratedKernels.Kind.DEPTHWISE_3X3) {
            return depthwise3x3(index, n, geo, inOff, y, range, bias, requantParams(x, wq, y, geo.outC()));
        }
        if (kind == GeneratedKernels.Kind.DEPTHWISE_1X3X3) {
            return depthwise1x3x3(index, n, geo, inOff, y, range, bias,
                    multipliers(index, n, x, wq, y, geo.outC(), true));
        }
        String ms = multipliers(index, n, x, wq, y, geo.outC());
        if (dwFast) {
            m.useKernel("simd");
            m.useKernel("dw_s8_fast");
            return "    static const tm_win_params P = " + win(geo, fIn, inOff, y.requireQuant().zeroPoint(), range)
                    + ";\n    tm_dw_s8_c4(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                    + m.ptr(n.output(0), "int8_t", false) + ", " + m.constant(n.input(1)) + ", "
                    + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", " + ms + ");\n    return 0;\n";
        }
        if (dw && geo.inC() == 1 && geo.outC() <= 32) {
            m.useKernel("dw_s8_c1");
            return "    static const tm_win_params P = " + win(geo, fIn, inOff, y.requireQuant().zeroPoint(), range)
                    + ";\n    tm_dw_s8_c1(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                    + m.ptr(n.output(0), "int8_t", false) + ", " + m.constant(n.input(1)) + ", "
                    + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", " + ms + ");\n    return 0;\n";
        }
        m.useKernel(dw ? "dw_s8" : "conv_s8");
        return "    static const tm_win_params P = " + win(geo, fIn, -x.requireQuant().zeroPoint(),
                y.requireQuant().zeroPoint(), range) + ";\n"
                + "    " + (dw ? "tm_dw_s8" : "tm_conv_s8") + "(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                + m.ptr(n.output(0), "int8_t", false) + ", " + m.constant(n.input(1)) + ", "
                + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", " + ms + ");\n    return 0;\n";
    }

    /** 3x3 depthwise (see dw3_s8.c): the input offset folded into the bias over all 9 taps. */
    private String depthwise3x3(int index, Node n, ConvGeometry geo, int inOff, Tensor y, int[] range, int bias,
                                int[][] rq) {
        byte[] w = g.tensor(n.input(1)).bytes();
        int c = geo.outC();
        int[] b = bias == Node.ABSENT ? new int[c] : g.tensor(bias).ints();
        int[] biasF = new int[c];
        for (int oc = 0; oc < c; oc++) {
            int sum = 0;
            for (int t = 0; t < 9; t++) {
                sum += w[t * c + oc];
            }
            biasF[oc] = b[oc] + inOff * sum;
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
        return "    static const tm_win_params P = " + win(geo, 1, inOff, y.requireQuant().zeroPoint(), range)
                + ";\n    tm_dw3_s8(&P, " + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                + ", " + base + "_w, " + base + "_q);\n    return 0;\n";
    }

    /** 3x3 depthwise of a one-channel input (see dw1_3x3_s8.c): weights as int16 pairs, offset in the bias. */
    private String depthwise1x3x3(int index, Node n, ConvGeometry geo, int inOff, Tensor y, int[] range, int bias,
                                  String ms) {
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
            biasF[oc] = b[oc] + inOff * sum;
        }
        String base = m.prefix() + "_n" + index;
        m.array("int16_t", base + "_w", pairs, "node " + index + " '" + n.name()
                + "': per output channel its 9 weights and a 0, as int16 pairs");
        m.array("int32_t", base + "_bias", biasF, "node " + index + " '" + n.name()
                + "': bias + input offset * sum of the channel's 9 weights");
        m.useKernel("simd");
        m.useKernel("dw1_3x3_s8");
        return "    static const tm_win_params P = " + win(geo, 1, inOff, y.requireQuant().zeroPoint(), range)
                + ";\n    tm_dw1_3x3_s8(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                + m.ptr(n.output(0), "int8_t", false) + ", " + base + "_w, " + base + "_bias, " + ms
                + ");\n    return 0;\n";
    }

    /** Convolution as a matrix product: rows padded to a multiple of 4, input offset folded into the bias. */
    private String convMatmul(int index, Node n, ConvGeometry geo, int inOff, Tensor y, int[] range, int bias,
                              String ms, int[][] pointwise) {
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
            biasF[oc] = b[oc] + inOff * sum;
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
            return "    static const tm_win_params P = " + win(geo, geo.inC(), inOff, y.requireQuant().zeroPoint(), range)
                    + ";\n    tm_pw_s8(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                    + m.ptr(n.output(0), "int8_t", false) + ", " + base + "_w, " + base + "_q, "
                    + m.prefix() + "_col);\n    return 0;\n";
        }
        m.array("int32_t", base + "_bias", biasF, "node " + index + " '" + n.name()
                + "': bias + input offset * filter row sum");
        return matmulCall("conv_s8_mm", n, geo, inOff, y, range, k4, base + "_w, " + base + "_bias, " + ms);
    }

    /** The call of a matrix-product convolution kernel (im2col into the shared int16 columns). */
    private String matmulCall(String kernel, Node n, ConvGeometry geo, int inOff, Tensor y, int[] range, int k4,
                              String weightArgs) {
        m.useKernel("simd");
        m.useKernel("im2col_s8");
        m.useKernel(kernel);
        m.scratchInt16(2 * k4);
        return "    static const tm_win_params P = " + win(geo, geo.inC(), inOff, y.requireQuant().zeroPoint(), range)
                + ";\n    tm_" + kernel + "(&P, " + m.ptr(n.input(0), "int8_t", true) + ", "
                + m.ptr(n.output(0), "int8_t", false) + ", " + weightArgs + ", " + m.prefix() + "_col);\n    return 0;\n";
    }

    /** Sparse filters: per row the non-zero weights with their im2col column offsets (see conv_s8_sparse.c). */
    private String convSparse(int index, Node n, ConvGeometry geo, int inOff, Tensor y, int[] range, int bias,
                              String ms) {
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
            biasF[oc] = b[oc] + inOff * sum;
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
        return matmulCall("conv_s8_sparse", n, geo, inOff, y, range, k4, base + "_count, " + base + "_off, " + base
                + "_nz, " + base + "_bias, " + ms);
    }

    private static String win(ConvGeometry geo, int fIn, int inOff, int outOff, int[] range) {
        return "{" + geo.inH() + ", " + geo.inW() + ", " + geo.inC() + ", " + geo.kH() + ", " + geo.kW() + ", " + fIn
                + ", " + geo.outH() + ", " + geo.outW() + ", " + geo.outC() + ", " + geo.strideH() + ", "
                + geo.strideW() + ", " + geo.dilationH() + ", " + geo.dilationW() + ", " + geo.padH() + ", "
                + geo.padW() + ", " + geo.batches() + ", " + inOff + ", " + outOff + ", " + range[0] + ", " + range[1]
                + "}";
    }

    /** Emits per-channel multiplier and shift arrays; returns "mult, shift" C names. */
    private String multipliers(int index, Node n, Tensor x, QuantParams wq, Tensor y, int channels) {
        return multipliers(index, n, x, wq, y, channels, false);
    }

    /**
     * Emits per-channel multiplier and shift arrays; {@code e1}: instead of the shifts, the right shifts
     * minus 1 that tm_rq_bounded takes (the caller has checked GeneratedKernels.boundedRequant). Returns the C names.
     */
    private String multipliers(int index, Node n, Tensor x, QuantParams wq, Tensor y, int channels, boolean e1) {
        int[][] q = requantParams(x, wq, y, channels);
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

    /** Per-channel requantization multipliers and shifts (one per channel even when per tensor). */
    private static int[][] requantParams(Tensor x, QuantParams wq, Tensor y, int channels) {
        int count = wq.isPerTensor() ? 1 : channels;
        long[] packed = Quant.channelMultipliers(x.requireQuant().scale(), wq, y.requireQuant().scale(), count);
        if (wq.isPerTensor() && channels > 1) {
            long one = packed[0];
            packed = new long[channels];
            java.util.Arrays.fill(packed, one);
        }
        int[] mu = new int[packed.length];
        int[] sh = new int[packed.length];
        for (int c = 0; c < packed.length; c++) {
            mu[c] = FixedPoint.multiplier(packed[c]);
            sh[c] = FixedPoint.shift(packed[c]);
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
        if (w.type() != DataType.INT8 || w.quant().isEmpty() || !w.isConstant()) {
            throw unsupported(n, "weights must be constant int8");
        }
        QuantParams wq = w.requireQuant();
        int outN = w.shape().dim(0);
        int inN = w.shape().dim(1);
        if (!wq.isPerTensor() && (wq.axis() != 0 || wq.size() != outN)) {
            throw unsupported(n, "weights quantized on axis " + wq.axis());
        }
        int bias = n.inputs().size() > 2 ? n.input(2) : Node.ABSENT;
        if (bias != Node.ABSENT && (g.tensor(bias).type() != DataType.INT32 || !g.tensor(bias).isConstant())) {
            throw unsupported(n, "bias must be constant int32");
        }
        int filterOffset = wq.isPerTensor() ? -wq.zeroPoint() : 0;
        String ms = multipliers(index, n, x, wq, y, wq.isPerTensor() ? 1 : outN);
        int[] range = Quant.activationRange(n.op().activation(), y, n);
        int batches = x.shape().elementCount() / inN;
        io.tinyml.core.estimate.SparseWeights.Choice sparse = io.tinyml.core.estimate.SparseWeights.choose(g, n);
        if (m.sparseWeights() && sparse != null && sparse.sparse()) {
            return fullyConnectedSparse(index, n, ms, bias, batches, inN, outN, -x.requireQuant().zeroPoint(),
                    y.requireQuant().zeroPoint(), range, wq.isPerTensor());
        }
        if (GeneratedKernels.fourRowFullyConnected(g, n)) {
            return fullyConnected4(index, n, x, wq, y, bias, batches, inN, outN, range);
        }
        m.useKernel("fc_s8");
        return "    tm_fc_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false) + ", "
                + m.constant(n.input(1)) + ", " + (bias == Node.ABSENT ? "0" : m.constant(bias)) + ", " + ms + ", "
                + batches + ", " + inN + ", " + outN + ", " + (-x.requireQuant().zeroPoint()) + ", " + filterOffset
                + ", " + y.requireQuant().zeroPoint() + ", " + range[0] + ", " + range[1] + ", "
                + (wq.isPerTensor() ? 0 : 1) + ");\n    return 0;\n";
    }

    /**
     * Weights of zero point 0, inputs and outputs multiples of 4 (see fc_s8_4x.c): rows in groups of 4
     * interleaved per 4 inputs, the input offset folded into the bias.
     */
    private String fullyConnected4(int index, Node n, Tensor x, QuantParams wq, Tensor y, int bias, int batches,
                                   int inN, int outN, int[] range) {
        byte[] w = g.tensor(n.input(1)).bytes();
        int inOff = -x.requireQuant().zeroPoint();
        int k4 = (inN + 3) & ~3;
        int groups = outN / 4;
        int[] rows = new int[outN * k4];
        int[][] rq = requantParams(x, wq, y, outN);
        boolean perTensor = wq.isPerTensor() && rq[0][0] != 0; // the kernel reads a 0 multiplier as "per row"
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
                + (perTensor ? rq[0][0] + ", " + rq[1][0] : "0, 0") + ", " + y.requireQuant().zeroPoint() + ", " + range[0] + ", " + range[1] + ");\n    return 0;\n";
    }

    /** Bitmask-sparse weights (see SparseWeights): masks per row, non-zero values, input offset folded into the bias. */
    private String fullyConnectedSparse(int index, Node n, String ms, int bias, int batches, int inN, int outN,
                                        int inOff, int outOff, int[] range, boolean perTensor) {
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
            biasF[o] = b[o] + inOff * sum;
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
                + outN + ", " + outOff + ", " + range[0] + ", " + range[1] + ", " + (perTensor ? 0 : 1)
                + ");\n    return 0;\n";
    }

    private String fullyConnectedFloat(Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        if (w.type() != DataType.FLOAT32 || !w.isConstant()) {
            throw unsupported(n, "weights must be constant float32");
        }
        int bias = n.inputs().size() > 2 ? n.input(2) : Node.ABSENT;
        if (bias != Node.ABSENT && (g.tensor(bias).type() != DataType.FLOAT32 || !g.tensor(bias).isConstant())) {
            throw unsupported(n, "bias must be constant float32");
        }
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
        if (w.type() != DataType.FLOAT32 || !w.isConstant()) {
            throw unsupported(n, "weights must be constant float32");
        }
        int bias = n.inputs().size() > 2 ? n.input(2) : Node.ABSENT;
        if (bias != Node.ABSENT && (g.tensor(bias).type() != DataType.FLOAT32 || !g.tensor(bias).isConstant())) {
            throw unsupported(n, "bias must be constant float32");
        }
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
            QuantParams q = y.requireQuant();
            // the interpreter's fill: the zero point for 0, otherwise the value quantized with the output's parameters
            int fill = op.value() == 0f ? q.zeroPoint()
                    : Quant.quantize(op.value(), q.scale(), q.zeroPoint(), Quant.qmin(DataType.INT8),
                    Quant.qmax(DataType.INT8));
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
        float si = x.requireQuant().scale();
        float so = y.requireQuant().scale();
        int zi = x.requireQuant().zeroPoint();
        int zo = y.requireQuant().zeroPoint();
        boolean same = zi == zo && si == so;
        long packed = FixedPoint.quantizeMultiplier((double) si / (double) so);
        int mult = FixedPoint.multiplier(packed);
        int shift = FixedPoint.shift(packed);
        if (count > 0) {
            int fold = Math.min(Math.min(63 - Long.numberOfLeadingZeros(count), 32), 31 + shift);
            mult = (int) (((long) mult << fold) / count);
            shift -= fold;
        }
        m.useKernel("mean_s8");
        return "    /* [" + outer + ", " + count + ", " + inner + "]: mean over the middle axis */\n    tm_mean_s8("
                + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false) + ", " + outer + ", "
                + count + ", " + inner + ", " + (same ? 1 : 0) + ", " + zi + ", " + zo + ", "
                + (mult == Integer.MIN_VALUE ? "INT32_MIN" : Integer.toString(mult)) + ", " + shift
                + ");\n    return 0;\n";
    }

    private String clampFloat(Node n) {
        float lo;
        float hi;
        switch (n.op().kind()) {
            case RELU -> {
                lo = 0f;
                hi = Float.POSITIVE_INFINITY;
            }
            case RELU6 -> {
                lo = 0f;
                hi = 6f;
            }
            default -> {
                Op.Clip c = (Op.Clip) n.op();
                lo = c.min();
                hi = c.max();
            }
        }
        m.useKernel("clamp_f32");
        return "    tm_clamp_f32(" + m.ptr(n.input(0), "float", true) + ", " + m.ptr(n.output(0), "float", false) + ", "
                + g.tensor(n.output(0)).shape().elementCount() + ", " + CText.floatLiteral(lo) + ", "
                + CText.floatLiteral(hi) + ");\n    return 0;\n";
    }

    private String pool(Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        boolean avg = n.op().kind() == OpKind.AVERAGE_POOL_2D;
        if (!Quant.perTensor(x) || !x.quant().equals(y.quant())) {
            throw unsupported(n, "input and output with different quantization");
        }
        ConvGeometry geo;
        if (avg) {
            Op.AveragePool2D op = (Op.AveragePool2D) n.op();
            geo = ConvGeometry.of(x.shape(), y.shape(), op.filterH(), op.filterW(), op.strideH(), op.strideW(), 1, 1,
                    op.padding());
        } else {
            Op.MaxPool2D op = (Op.MaxPool2D) n.op();
            geo = ConvGeometry.of(x.shape(), y.shape(), op.filterH(), op.filterW(), op.strideH(), op.strideW(), 1, 1,
                    op.padding());
        }
        int[] range = Quant.activationRange(n.op().activation(), y, n);
        m.useKernel("pool_s8");
        return "    static const tm_win_params P = " + win(geo, 1, 0, 0, range) + ";\n"
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
            long packed = FixedPoint.quantizeMultiplier((double) in.requireQuant().scale()
                    / (double) out.requireQuant().scale());
            return "    tm_requantize_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.output(0), "int8_t", false)
                    + ", " + count + ", " + in.requireQuant().zeroPoint() + ", " + out.requireQuant().zeroPoint() + ", "
                    + FixedPoint.multiplier(packed) + ", " + FixedPoint.shift(packed) + ");\n    return 0;\n";
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
        long packed = GemmlowpFixedPoint.preprocessSoftmaxScaling(beta, x.requireQuant().scale(), 5);
        if (packed == 0L) {
            throw unsupported(n, "beta * input scale * 2^26 <= 1");
        }
        int mult = FixedPoint.multiplier(packed);
        int left = FixedPoint.shift(packed);
        int diffMin = -GemmlowpFixedPoint.calculateInputRadius(5, left, 31);
        int[] table = new int[256];
        for (int d = 0; d < 256; d++) {
            if (-d >= diffMin) {
                int rescaled = GemmlowpFixedPoint.multiplyByQuantizedMultiplierGreaterThanOne(-d, mult, left);
                table[d] = GemmlowpFixedPoint.expOnNegativeValues(rescaled, 5);
            }
        }
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
        boolean sub = n.op().kind() == OpKind.SUB;
        int leftShift = 20;
        float s1 = a.requireQuant().scale();
        float s2 = b.requireQuant().scale();
        float so = y.requireQuant().scale();
        long m1;
        long m2;
        long mo;
        if (sub) {
            float twiceMax = 2 * Math.max(s1, s2);
            m1 = FixedPoint.quantizeMultiplier((double) (s1 / twiceMax));
            m2 = FixedPoint.quantizeMultiplier((double) (s2 / twiceMax));
            mo = FixedPoint.quantizeMultiplier((double) (twiceMax / ((1 << leftShift) * so)));
        } else {
            double twiceMax = 2 * (double) Math.max(s1, s2);
            m1 = FixedPoint.quantizeMultiplier(s1 / twiceMax);
            m2 = FixedPoint.quantizeMultiplier(s2 / twiceMax);
            mo = FixedPoint.quantizeMultiplier(twiceMax / ((1 << leftShift) * (double) so));
        }
        int[] range = Quant.activationRange(n.op().activation(), y, n);
        m.useKernel("add_s8");
        return "    tm_addsub_s8(" + m.ptr(n.input(0), "int8_t", true) + ", " + m.ptr(n.input(1), "int8_t", true) + ", "
                + m.ptr(n.output(0), "int8_t", false) + ", " + y.shape().elementCount() + ", "
                + (-a.requireQuant().zeroPoint()) + ", " + (-b.requireQuant().zeroPoint()) + ", "
                + y.requireQuant().zeroPoint() + ", " + leftShift + ", " + FixedPoint.multiplier(m1) + ", "
                + FixedPoint.shift(m1) + ", " + FixedPoint.multiplier(m2) + ", " + FixedPoint.shift(m2) + ", "
                + FixedPoint.multiplier(mo) + ", " + FixedPoint.shift(mo) + ", " + range[0] + ", " + range[1] + ", "
                + (sub ? 1 : 0) + ");\n    return 0;\n";
    }
}
