package io.tinyml.core.estimate;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;

/**
 * Flash and instructions of tinyml-codegen's int16x8 kernels ({@code conv_s16.c}, {@code dw_s16.c},
 * {@code fc_s16.c}, {@code add_s16.c}, {@code softmax_s16.c}, {@code pool_s16.c}, {@code mean_s16.c},
 * {@code pad_s16.c}) for {@link GeneratedFlash} and {@link CostModel}. Package-private: the numbers
 * are documented here, next to their source.
 *
 * <h2>Calibration</h2>
 * Firmware of tiny_digits, mnist8 and kws quantized float → int16x8 by tinyml-quantize and of the
 * add/sub/softmax chain of tinyml-codegen's Int16CodegenTest (arm-none-eabi-gcc 12.2 -O3, QEMU
 * mps2-an386; instructions per node from {@code make profile-m4}, sizes from {@code arm-none-eabi-nm
 * -S}); least squares on relative error over all those nodes:
 * <ul>
 * <li>convolution: {@code CONV_PER_MAC} 4.766 per multiply-accumulate of a tap inside the input,
 * {@code CONV_PER_ROW} 20.05 per window row inside the input (one dot-product call),
 * {@code CONV_PER_OUTPUT} 1.225 per output (8 layers: -29 % .. +29 % each, clone code differs with
 * the constants gcc propagates; kws's 1x1 layers +0.2 %, its 10x4 first layer -17.5 %);</li>
 * <li>depthwise: {@code DW_PER_OUTPUT} 96 per output (3x3 kernels only: tiny_digits 84 .. 103,
 * kws 100.6 per output; the taps loop over the valid ones, so the per-output term dominates);</li>
 * <li>fully connected: {@code FC_PER_MAC} 4.478 per MAC + {@code FC_PER_OUTPUT} 18.71 per output
 * (fit on tiny_digits, mnist8 and the chain; kws's 64 x 12 layer -5.8 %);</li>
 * <li>add/sub 44 per element (the chain: 2,832 and 2,959 for 64); softmax 114 + 62.9 per element
 * (kws 12 classes 869, the chain 64 classes 4,141); average pooling 2.75 per window element (kws
 * 2.71), max pooling 3.9 (mnist8: 3.64 and 4.17); mean 5.5 per input element (tiny_digits);
 * pad 1.351 per output element + 259 per copied row (tiny_digits' two pads, solved exactly).</li>
 * <li>flash per clone (gcc clones each kernel per call site, as the int8 ones, see GeneratedFlash):
 * convolution 340 .. 684 (mean 469), depthwise 436 .. 652 (618), fully connected 292 .. 644 (388),
 * pooling 136 .. 360 (220), softmax 516 (64 classes) .. 1,316 (12 classes: 900), add/sub 192 .. 200
 * (196), mean 112, pad 216; shared copies are not measured (no model had more than 7 calls of one
 * kernel): the clone size is used. Tables: an 8-byte multiplier and shift per output channel of
 * convolution, depthwise and fully connected; softmax's two 513-entry int16 tables (2,052 bytes).</li>
 * </ul>
 */
final class GeneratedInt16 {
    static final double CONV_PER_MAC = 4.766;
    static final double CONV_PER_ROW = 20.05;
    static final double CONV_PER_OUTPUT = 1.225;
    static final double DW_PER_OUTPUT = 96;
    static final double FC_PER_MAC = 4.478;
    static final double FC_PER_OUTPUT = 18.71;
    static final double ADD_PER_ELEMENT = 44;
    static final double SOFTMAX_PER_NODE = 114;
    static final double SOFTMAX_PER_ELEMENT = 62.9;
    static final double AVG_POOL_PER_WINDOW_ELEMENT = 2.75;
    static final double MAX_POOL_PER_WINDOW_ELEMENT = 3.9;
    static final double MEAN_PER_ELEMENT = 5.5;
    static final double PAD_PER_OUTPUT = 1.351;
    static final double PAD_PER_ROW = 259;
    static final long SOFTMAX_TABLES = 2L * 2 * 513;

    private GeneratedInt16() {
    }

    /** Whether a node runs on the int16 kernels (it reads or writes int16 activations). */
    static boolean applies(Graph g, Node n) {
        return g.tensor(n.input(0)).type() == DataType.INT16 || g.tensor(n.output(0)).type() == DataType.INT16;
    }

    /** The kernel variant of an int16 node, or null for a reshape. */
    static String variant(Node n) {
        return switch (n.op().kind()) {
            case CONV_2D -> "s16-conv";
            case DEPTHWISE_CONV_2D -> "s16-dw";
            case FULLY_CONNECTED -> "s16-fc";
            case ADD, SUB -> "s16-add";
            case SOFTMAX -> "s16-softmax";
            case AVERAGE_POOL_2D, MAX_POOL_2D -> "s16-pool";
            case MEAN -> "s16-mean";
            case PAD -> "s16-pad";
            case RESHAPE -> null;
            default -> "s16-other";
        };
    }

    /** Bytes of one clone of an int16 kernel variant. */
    static long copyBytes(String variant) {
        return switch (variant) {
            case "s16-conv" -> 469;
            case "s16-dw" -> 618;
            case "s16-fc" -> 388;
            case "s16-add" -> 196;
            case "s16-softmax" -> 900;
            case "s16-pool" -> 220;
            case "s16-mean" -> 112;
            case "s16-pad" -> 216;
            default -> 600;
        };
    }

    /** Constant bytes besides the tensors: multipliers and shifts, softmax tables. */
    static long tables(Graph g, Node n, String variant) {
        Shape out = g.tensor(n.output(0)).shape();
        return switch (variant) {
            case "s16-conv", "s16-dw" -> 8L * out.dim(out.rank() - 1);
            case "s16-fc" -> 8L * g.tensor(n.input(1)).shape().dim(0);
            case "s16-softmax" -> SOFTMAX_TABLES;
            default -> 0;
        };
    }

    /** Instructions of an int16 node (without the per-node call). */
    static double instructions(Graph g, Node n, long macs, long outElems) {
        Tensor x = g.tensor(n.input(0));
        return switch (n.op().kind()) {
            case CONV_2D -> {
                ConvGeometry geo = ConvGeometry.of(g, n);
                long rowsY = validTaps(geo.inH(), geo.kH(), geo.strideH(), geo.dilationH(), geo.padH(), geo.outH());
                long colsX = validTaps(geo.inW(), geo.kW(), geo.strideW(), geo.dilationW(), geo.padW(), geo.outW());
                int fIn = g.tensor(n.input(1)).shape().dim(3);
                long perBatch = (long) geo.outC() * geo.batches();
                yield CONV_PER_MAC * rowsY * colsX * fIn * perBatch + CONV_PER_ROW * rowsY * geo.outW() * perBatch
                        + CONV_PER_OUTPUT * outElems;
            }
            case DEPTHWISE_CONV_2D -> DW_PER_OUTPUT * outElems;
            case FULLY_CONNECTED -> FC_PER_MAC * macs + FC_PER_OUTPUT * outElems;
            case ADD, SUB -> ADD_PER_ELEMENT * outElems;
            case SOFTMAX -> SOFTMAX_PER_NODE + SOFTMAX_PER_ELEMENT * outElems;
            case AVERAGE_POOL_2D -> AVG_POOL_PER_WINDOW_ELEMENT * macs;
            case MAX_POOL_2D -> MAX_POOL_PER_WINDOW_ELEMENT * macs;
            case MEAN -> MEAN_PER_ELEMENT * x.shape().elementCount();
            case PAD -> {
                int[] id = x.shape().toArray();
                int[] od = g.tensor(n.output(0)).shape().toArray();
                long rows = 1;
                for (int d = 0; d < id.length - 2; d++) {
                    rows *= id[d];
                }
                if (id.length >= 2 && id[id.length - 1] != od[od.length - 1]) {
                    rows *= id[id.length - 2];
                }
                yield PAD_PER_OUTPUT * outElems + PAD_PER_ROW * rows;
            }
            case RESHAPE -> CostModel.PER_BYTE_COPY * g.tensor(n.output(0)).byteSize();
            default -> CostModel.PER_ELEMENT_SIMPLE * outElems;
        };
    }

    /** The sum over output positions of the taps inside the input along one axis. */
    private static long validTaps(int in, int k, int stride, int dilation, int pad, int out) {
        long sum = 0;
        for (int o = 0; o < out; o++) {
            for (int t = 0; t < k; t++) {
                int i = o * stride - pad + t * dilation;
                if (i >= 0 && i < in) {
                    sum++;
                }
            }
        }
        return sum;
    }
}
