package io.tinyml.core.estimate;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.Map;
import java.util.TreeMap;

/**
 * Flash of tinyml-codegen's firmware (-O3, Cortex-M4, {@code arm-none-eabi-size} text + data), term
 * by term; every term is non-negative. Package-private: the numbers are documented here, next to
 * their source, and nowhere else.
 *
 * <h2>Calibration</h2>
 * Symbol sizes ({@code arm-none-eabi-nm -S}) of the generated firmware of kws_dscnn_int8,
 * person_detect, hello_world_int8, micro_speech, network_tester and of the int8 models quantize
 * makes from mnist8 and tiny_digits (arm-none-eabi-gcc 12.2):
 * <ul>
 * <li>runtime: startup, vectors, semihosting, the harness's main, memcpy, memset and strlen:
 * 1,314 to 1,318 bytes, plus about 200 bytes of alignment and literal pools: {@code RUNTIME} 1,520.
 * memmove (254 bytes) with an int8 PAD.</li>
 * <li>kernels: the kernels are {@code static noinline}; gcc clones a kernel per call site with the
 * constant geometry propagated ({@code .constprop.N}) when it has a few call sites (up to
 * {@code CLONE_LIMIT} = 7: the DS-CNN front of tinyml-nas's digit search has 7 convolution and 6
 * depthwise call sites, every one cloned; where between 7 and 13 gcc stops cloning is not measured)
 * and keeps one shared copy otherwise (person: 14 convolutions, 13 depthwise, one copy each), whose per-call parameter block (48 bytes of
 * rodata) stays in flash. Bytes per copy, measured: convolution as a matrix product with its im2col
 * 1,344 to 1,864 per clone (mean 1,500), 2,076 shared; 4-channel SIMD depthwise 1,354 to 1,500 per
 * clone (per geometry, see below), 1,478 shared; one-input-channel depthwise 572 to 720; fully
 * connected 220 to 448 (340); pooling 124 to 360 (250); softmax 896 (2 classes), 1,296 (4), 3,524
 * (12): 600 + 240 per class up to 16; mean 108; pad 170. Not measured, PROVISIONAL: generic
 * convolution and depthwise 1,200, add/sub 500, element-wise table 60, quantize/dequantize 200,
 * float kernels 600. Bitmask-sparse fully connected ({@link SparseWeights}): {@code FC_SPARSE}.</li>
 * <li>per node: its call in the inference function, 16 bytes.</li>
 * <li>data: the constant tensors (a fully-connected layer generated sparse: its masks and non-zero
 * values instead of its dense weights, see {@link SparseWeights#savedBytes}); a convolution as a matrix product pads each filter row to a
 * multiple of 4 bytes; a 4-byte multiplier and a 4-byte shift per output channel of convolutions,
 * depthwise and fully-connected layers (one pair when per-tensor); softmax's exp table (1,024 bytes)
 * and an element-wise operator's table (256 bytes) per node.</li>
 * <li>narrow pointwise convolutions (1×1 kernel, at most {@code PW_MAX_CHANNELS} = 48 input channels),
 * measured on the six int8 DS-CNN front models of tinyml-nas's digit search (arm-none-eabi-gcc 12.2,
 * {@code arm-none-eabi-nm -S}, the clone and its im2col clone): 1,046 to 1,468 bytes per clone, growing
 * with the input channels (gcc unrolls the constant channel loops): {@code PW_BASE} 890 +
 * {@code PW_PER_CHANNEL} 20 per input channel, capped at the general 1,500 (kws's 64-channel pointwise
 * clones). Before this term the estimate of those firmwares was up to 10.4 % high; with it the six
 * front models of a second search (not used to fit it) are within 0.5 to 4.1 %.</li>
 * <li>4-channel depthwise clones by geometry (square kernel k, stride s, top/left padding p, the
 * constants gcc propagates into the clone and unrolls around): fitted on the 20 depthwise clones
 * of the eight distinct front firmwares of two tinyml-nas digit searches ({@code samples/NasDigits},
 * arm-none-eabi-gcc 12.2, clone sizes from {@code arm-none-eabi-nm -S}, each clone matched to its
 * node through the {@code bl} sequence of the inference function), one class mean each:
 * k3 s1 p1 1,484; k3 s2 p0 1,350; k3 s2 p1 1,030; k5 s1 p2 1,291; k5 s2 p1 1,040; k5 s2 p2 1,304;
 * k2 s2 p0 1,086 (network_tester's only clone). Checked on clones not used to fit (48 clones of 12
 * front firmwares of two other searches, tiny_digits and kws): within 20 bytes, except the two
 * 4-channel ones (the channel loop runs once: 1,192 and 1,558 bytes). Any other geometry, or 4
 * channels: {@code DW_CLONE_OTHER} 1,450 (kws-like clones; an over-estimate for most measured
 * geometries, so a candidate is not accepted on an optimistic figure). Measured before the
 * specialised 3x3 depthwise kernel ({@link GeneratedKernels}); the k3 classes now size only the 3x3
 * layers that kernel does not take.</li>
 * </ul>
 * Whole-model flash is checked against {@code arm-none-eabi-size} by the firmware estimate tests
 * (within 5 % on all seven models).
 */
final class GeneratedFlash {
    static final long RUNTIME = 1_520;
    static final long MEMMOVE = 254;
    static final int CLONE_LIMIT = 7;
    static final long PER_NODE = 16;
    static final long SHARED_PARAMS = 48;
    /** Bitmask-sparse fully connected ({@link SparseWeights}): 252 bytes measured on mnist8 (dense: 232). */
    static final long FC_SPARSE = 252;
    /** Sparse convolution ({@link SparseWeights}) per clone: 596 bytes measured on mnist8 + its im2col (348 to 480). */
    static final long CONV_SPARSE = 1_000;
    /** Pointwise convolutions with at most this many input channels get the narrow clone size. */
    static final int PW_MAX_CHANNELS = 48;
    static final long PW_BASE = 890;
    static final long PW_PER_CHANNEL = 20;
    /** A 4-channel depthwise clone of a geometry without a measured class. */
    static final long DW_CLONE_OTHER = 1_450;
    /** Measured 4-channel depthwise clone sizes by "k&lt;kernel&gt;s&lt;stride&gt;p&lt;pad&gt;" (see the class comment). */
    private static final Map<String, Long> DW_CLONE = Map.of(
            "k3s1p1", 1_484L, "k3s2p0", 1_350L, "k3s2p1", 1_030L,
            "k5s1p2", 1_291L, "k5s2p1", 1_040L, "k5s2p2", 1_304L, "k2s2p0", 1_086L);
    /**
     * The specialised kernels of {@link GeneratedKernels} ({@code arm-none-eabi-nm -S}, gcc 12.2): the
     * pointwise and the one-channel 3x3 depthwise kernels are compiled at -O2 (no per-call-site clones:
     * one copy and a 48-byte parameter block per call) — pointwise 1,172 (tiny_digits) to 1,196 (kws),
     * plus its out-of-line asm block (158, once), but 552 and no asm block for a single call with fewer
     * than 32 input channels (a tinyml-nas tiny-search model: gcc specialises the one copy); one-channel 3x3 depthwise 420 (person). The 3x3 depthwise
     * kernel (-O3) is 1,904 per clone (kws), 2,602 shared (person), and a clone without padding 748
     * (tiny_digits: gcc drops the border path).
     */
    static final long PW_COPY = 1_186;
    /** Kernels compiled at -O2, so never cloned per call site. */
    static final java.util.Set<String> NEVER_CLONED = java.util.Set.of("pw", "dw13", "fc4");
    /** The 4-row fully-connected kernel (-O2, one copy): 224 (micro_speech) to 276 (kws) bytes. */
    static final long FC4 = 260;
    static final long PW_ASM = 158;
    /** The pointwise copy of a model with one pointwise call of fewer than 32 input channels (tiny search). */
    static final long PW_COPY_SMALL = 552;
    static final long DW3_CLONE = 1_904;
    static final long DW3_SHARED = 2_602;
    static final long DW3_UNPADDED_CLONE = 748;
    static final long DW13 = 420;

    private GeneratedFlash() {
    }

    /** The kernel variant a node calls (the generator's choice), or null when it calls none. */
    static String variant(Graph g, Node n) {
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        boolean isFloat = x.type() == DataType.FLOAT32 && y.type() == DataType.FLOAT32;
        OpKind k = n.op().kind();
        if (k == OpKind.RESHAPE) {
            return null;
        }
        if (GeneratedInt16.applies(g, n)) {
            return GeneratedInt16.variant(n);
        }
        if (isFloat) {
            return "float-" + k;
        }
        GeneratedKernels.Kind special = GeneratedKernels.choose(g, n);
        if (special != GeneratedKernels.Kind.GENERAL) {
            io.tinyml.core.quant.ConvGeometry geo = io.tinyml.core.quant.ConvGeometry.of(g, n);
            return switch (special) {
                case POINTWISE -> "pw";
                case DEPTHWISE_3X3 -> geo.padH() == 0 && geo.padW() == 0 ? "dw3-unpadded" : "dw3";
                default -> "dw13";
            };
        }
        return switch (k) {
            case CONV_2D -> {
                Shape w = g.tensor(n.input(1)).shape();
                int inC = x.shape().dim(x.shape().rank() - 1);
                if (w.dim(3) != inC) {
                    yield "conv";
                }
                SparseWeights.Choice c = SparseWeights.choose(g, n);
                if (c != null && c.sparse()) {
                    yield "conv-sparse";
                }
                yield w.dim(1) == 1 && w.dim(2) == 1 && inC <= PW_MAX_CHANNELS ? "conv-pw" + inC : "conv-mm";
            }
            case DEPTHWISE_CONV_2D -> {
                int inC = x.shape().dim(x.shape().rank() - 1);
                int outC = y.shape().dim(y.shape().rank() - 1);
                if (inC == outC && inC % 4 == 0) {
                    yield "dw-c4";
                }
                yield inC == 1 && outC <= 32 ? "dw-c1" : "dw";
            }
            case FULLY_CONNECTED -> {
                if (GeneratedKernels.fourRowFullyConnected(g, n)) {
                    yield "fc4";
                }
                SparseWeights.Choice c = SparseWeights.choose(g, n);
                yield c != null && c.sparse() ? "fc-sparse" : "fc";
            }
            case AVERAGE_POOL_2D, MAX_POOL_2D -> "pool";
            case SOFTMAX -> "softmax";
            case MEAN -> "mean";
            case PAD -> "pad";
            case ADD, SUB -> "add";
            case QUANTIZE, DEQUANTIZE -> "quant";
            case RELU, RELU6, CLIP, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU -> "lut";
            case MUL, RESHAPE, CONCATENATION, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL -> "other-" + k;
        };
    }

    private static String function(String variant) {
        if (variant.startsWith("conv-pw")) {
            return "conv-mm";
        }
        if (variant.equals("dw3-unpadded")) {
            return "dw3";
        }
        return variant;
    }

    /** Bytes of one copy of a kernel variant; {@code shared} for the one copy many call sites share. */
    static long copyBytes(String variant, boolean shared, int classes) {
        if (variant.startsWith("s16-")) {
            return GeneratedInt16.copyBytes(variant);
        }
        if (variant.startsWith("conv-pw")) {
            // a clone of a narrow pointwise convolution: gcc unrolls for the constant channel count
            int inC = Integer.parseInt(variant.substring("conv-pw".length()));
            return shared ? 2_076 : Math.min(1_500, PW_BASE + PW_PER_CHANNEL * inC);
        }
        return switch (variant) {
            case "dw3-unpadded" -> shared ? DW3_SHARED : DW3_UNPADDED_CLONE;
            case "conv-mm" -> shared ? 2_076 : 1_500;
            case "pw" -> PW_COPY;
            case "fc4" -> FC4;
            case "dw3" -> shared ? DW3_SHARED : DW3_CLONE;
            case "dw13" -> DW13;
            case "dw-c4" -> shared ? 1_478 : DW_CLONE_OTHER;
            case "dw-c1" -> 650;
            case "fc" -> 340;
            case "fc-sparse" -> FC_SPARSE;
            case "conv-sparse" -> CONV_SPARSE;
            case "pool" -> 250;
            case "softmax" -> 600 + 240L * Math.min(classes, 16);
            case "mean" -> 108;
            case "pad" -> 170;
            case "conv", "dw" -> 1_200;
            case "add" -> 500;
            case "lut" -> 60;
            case "quant" -> 200;
            default -> 600;
        };
    }

    /** Bytes of the clone gcc makes of the 4-channel depthwise kernel for one call site. */
    static long depthwiseClone(Graph g, Node n) {
        io.tinyml.core.quant.ConvGeometry geo = io.tinyml.core.quant.ConvGeometry.of(g, n);
        if (geo.inC() == 4 || geo.kH() != geo.kW() || geo.strideH() != geo.strideW() || geo.padH() != geo.padW()) {
            return DW_CLONE_OTHER;
        }
        return DW_CLONE.getOrDefault("k" + geo.kH() + "s" + geo.strideH() + "p" + geo.padH(), DW_CLONE_OTHER);
    }

    /**
     * Kernel code of a model: kernel copies and per-node calls (the runtime is separate).
     *
     * @param g the graph
     * @return bytes, non-negative
     */
    static long code(Graph g) {
        java.util.List<Node> nodes = g.nodes();
        String[] variants = new String[nodes.size()];   // each node's variant, decided once
        Map<String, Integer> calls = new TreeMap<>();
        Map<String, Integer> classes = new TreeMap<>();
        boolean copies = false;
        boolean pwNarrow = false;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String v = variants[i] = variant(g, n);
            copies |= "pad".equals(v) || "s16-pad".equals(v);
            if ("pw".equals(v)) {
                Shape in = g.tensor(n.input(0)).shape();
                pwNarrow |= in.dim(in.rank() - 1) < 32;
            }
            if (v != null) {
                calls.merge(function(v), 1, Integer::sum);
                Shape out = g.tensor(n.output(0)).shape();
                classes.merge(v, out.rank() == 0 ? 1 : out.dim(out.rank() - 1), Math::max);
            }
        }
        long code = PER_NODE * nodes.size() + (copies ? MEMMOVE : 0);
        // one pointwise call with rows under 32 inputs: gcc specialises the copy and drops its asm path
        if (calls.containsKey("pw")) {
            code += calls.get("pw") == 1 && pwNarrow ? PW_COPY_SMALL - PW_COPY : PW_ASM;
        }
        java.util.Set<String> sharedDone = new java.util.HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String v = variants[i];
            if (v == null) {
                continue;
            }
            int c = calls.get(function(v));
            if (c <= CLONE_LIMIT && !NEVER_CLONED.contains(function(v))) {
                code += v.equals("dw-c4") ? depthwiseClone(g, n) : copyBytes(v, false, classes.get(v));
            } else {
                // a shared copy keeps each call's 48-byte parameter block (the fully-connected kernels take arguments)
                code += (function(v).startsWith("fc") ? 0 : SHARED_PARAMS)
                        + (sharedDone.add(function(v)) ? copyBytes(function(v), true, classes.get(v)) : 0);
            }
        }
        return code;
    }

    /**
     * Constant data besides the tensors' own bytes: filter-row padding, multipliers and shifts, tables.
     *
     * @param g the graph
     * @return bytes, non-negative
     */
    static long tables(Graph g) {
        long bytes = 0;
        for (Node n : g.nodes()) {
            String v = variant(g, n);
            if (v == null) {
                continue;
            }
            Tensor y = g.tensor(n.output(0));
            if (v.startsWith("s16-")) {
                bytes += GeneratedInt16.tables(g, n, v);
                continue;
            }
            switch (v.startsWith("conv-pw") || v.equals("pw") ? "conv-mm" : v) {
                case "conv-mm" -> {
                    Shape w = g.tensor(n.input(1)).shape();
                    long k = (long) w.dim(1) * w.dim(2) * w.dim(3);
                    bytes += ((k + 3) / 4 * 4 - k) * w.dim(0) + 8L * w.dim(0);
                }
                case "conv", "dw", "dw-c4", "dw-c1", "dw3", "dw3-unpadded" ->
                        bytes += 8L * y.shape().dim(y.shape().rank() - 1);
                // int16 weight pairs: 20 bytes per channel instead of the tensor's 9
                case "dw13" -> bytes += (8L + 11L) * y.shape().dim(y.shape().rank() - 1);
                case "fc4" -> {
                    QuantParams wq = g.tensor(n.input(1)).quant().orElse(null);
                    // per tensor the multiplier and shift are call arguments
                    bytes += wq == null || wq.isPerTensor() ? 0 : 8L * wq.size();
                }
                case "fc" -> {
                    QuantParams wq = g.tensor(n.input(1)).quant().orElse(null);
                    bytes += wq == null ? 0 : 8L * (wq.isPerTensor() ? 1 : wq.size());
                }
                case "fc-sparse", "conv-sparse" -> {
                    // per-row multiplier and shift, and the folded bias even when the layer has none
                    int rows = g.tensor(n.input(1)).shape().dim(0); // output channels
                    bytes += 8L * rows + (n.inputs().size() > 2 && n.input(2) != Node.ABSENT ? 0 : 4L * rows);
                }
                case "softmax" -> bytes += 1_024;
                case "lut" -> bytes += 256;
                default -> { }
            }
        }
        return bytes;
    }
}
