package io.tinyml.core.estimate;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;

/**
 * The bitmask-sparse weight format of tinyml-codegen's int8 fully-connected kernel, and the rule that
 * picks it: a layer is generated sparse only when that is both smaller in flash and fewer instructions
 * than dense. The generator and the estimator ask this class, so they always agree. Stateless.
 *
 * <h2>Formats</h2>
 * Fully connected: per output row, {@code ceil(in / 32)} 32-bit masks (bit {@code i} of word {@code j}:
 * input {@code 32 j + i} has a non-zero weight), then all rows' non-zero int8 weights in order (one byte
 * each). Convolution as a matrix product (groups of 1): per filter row a 16-bit count, then per non-zero
 * weight its 16-bit offset in the im2col columns and its value (3 bytes), against dense rows padded to a
 * multiple of 4. The input offset is folded into the bias ({@code bias + inOffset * rowSum}, int32), so
 * the sum is the dense kernel's in 32-bit wrapping arithmetic. Only for int8 weights with zero point 0.
 *
 * <h2>Instructions</h2>
 * Measured on the QEMU Cortex-M4 board ({@code make profile-m4}, arm-none-eabi-gcc 12.2 -O3) with the
 * fully-connected layer of mnist8 (10 x 256, 80 mask words) at 50 %, 80 % and 93.75 % sparsity: 12,333,
 * 5,421 and 2,253 instructions for 1,280, 512 and 160 non-zero weights, so a non-zero weight costs
 * {@code PER_NON_ZERO} = 9.0 (both differences), and the rest, 813, is split as {@code PER_WORD} per
 * mask word (load, zero test, loop) and {@code PER_OUTPUT} per output (bias, requantization, clamp,
 * store); that split is an assumption, only their sum for this shape is measured. The dense kernel
 * measured 15,793 on the same layer; its figures are {@code CostModel}'s {@code GEN_FC_PER_MAC} and
 * {@code GEN_FC_PER_OUTPUT}.
 *
 * <p>Convolution, same board, mnist8's two convolutions (5x5, 1 -> 8 channels on 28x28 with padding;
 * 5x5, 8 -> 16 on 14x14) at 70 %, 80 % and 93.75 % sparsity: the sparse dot products cost
 * {@code CONV_PER_NON_ZERO} = 4.5 instructions per non-zero weight and output pixel (4.44 to 4.57 over
 * the four differences); the rest (im2col, requantization: 499,620 and 224,321) is the dense kernel's,
 * whose dot products then cost 1.22 and 1.31 instructions per MAC ({@code CONV_DOT_PER_MAC} = 1.26).
 * So a convolution goes sparse below about 28 % density, whatever its shape.
 */
public final class SparseWeights {
    /** Instructions per non-zero weight and batch. */
    static final double PER_NON_ZERO = 9.0;
    /** Instructions per 32-bit mask word and batch. */
    static final double PER_WORD = 5.0;
    /** Instructions per output element. */
    static final double PER_OUTPUT = 41.3;
    /** Convolution: instructions per non-zero weight and output pixel (sparse dot products). */
    static final double CONV_PER_NON_ZERO = 4.5;
    /** Convolution: instructions per multiply-accumulate of the dense (SIMD) dot products. */
    static final double CONV_DOT_PER_MAC = 1.26;

    private SparseWeights() {
    }

    /**
     * How one fully-connected layer's weights are stored in generated C.
     *
     * @param sparse whether the bitmask format is chosen
     * @param nonZeros non-zero weights
     * @param denseBytes bytes of the dense weight array
     * @param sparseBytes bytes of masks and non-zero values
     * @param denseInstructions instructions of the dense kernel (all batches)
     * @param sparseInstructions instructions of the sparse kernel (all batches)
     */
    public record Choice(boolean sparse, long nonZeros, long denseBytes, long sparseBytes, double denseInstructions,
                         double sparseInstructions) {
    }

    /**
     * Decides the format of a node's weights.
     *
     * @param g the graph
     * @param n the node
     * @return the choice, or null when the node is not an int8 fully-connected layer with constant
     *     int8 weights of zero point 0 (dense, as always)
     */
    public static Choice choose(Graph g, Node n) {
        OpKind k = n.op().kind();
        if ((k != OpKind.FULLY_CONNECTED && k != OpKind.CONV_2D) || n.inputs().size() < 2) {
            return null;
        }
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        if (x.type() != DataType.INT8 || y.type() != DataType.INT8 || w.type() != DataType.INT8 || !w.isConstant()
                || w.quant().isEmpty() || w.shape().elementCount() == 0) {
            return null;
        }
        for (long zp : w.requireQuant().zeroPoints()) {
            if (zp != 0) {
                return null;
            }
        }
        long nnz = 0;
        for (byte b : w.bytes()) {
            nnz += b != 0 ? 1 : 0;
        }
        long outputs = y.shape().elementCount();
        if (k == OpKind.FULLY_CONNECTED) {
            if (w.shape().rank() != 2) {
                return null;
            }
            int rows = w.shape().dim(0);
            int in = w.shape().dim(1);
            long batches = x.shape().elementCount() / in;
            long words = (in + 31L) / 32;
            long denseBytes = (long) rows * in;
            long sparseBytes = 4 * words * rows + nnz;
            double dense = CostModel.GEN_FC_PER_MAC * denseBytes * batches + CostModel.GEN_FC_PER_OUTPUT * outputs;
            double sparse = batches * (PER_NON_ZERO * nnz + PER_WORD * words * rows) + PER_OUTPUT * outputs;
            return choice(nnz, denseBytes, sparseBytes, dense, sparse);
        }
        if (w.shape().rank() != 4 || x.shape().rank() != 4) {
            return null;
        }
        ConvGeometry geo = ConvGeometry.of(g, n);
        if (w.shape().dim(3) != geo.inC()) {
            return null; // grouped: the generic kernel, always dense
        }
        long patch = (long) geo.kH() * geo.kW() * geo.inC();
        long pixels = (long) geo.batches() * geo.outH() * geo.outW();
        long denseBytes = geo.outC() * ((patch + 3) / 4 * 4);
        long sparseBytes = 2L * geo.outC() + 3 * nnz;
        double dense = CostModel.GEN_CONV_PER_MAC * pixels * geo.outC() * patch + CostModel.GEN_CONV_PER_OUTPUT * outputs;
        // same im2col and requantization as dense: only the dot products differ
        double sparse = dense - pixels * (CONV_DOT_PER_MAC * geo.outC() * patch - CONV_PER_NON_ZERO * nnz);
        return choice(nnz, denseBytes, sparseBytes, dense, sparse);
    }

    private static Choice choice(long nnz, long denseBytes, long sparseBytes, double dense, double sparse) {
        return new Choice(sparseBytes < denseBytes && sparse < dense, nnz, denseBytes, sparseBytes, dense, sparse);
    }

    /**
     * Flash bytes the sparse format saves over the weight tensors of a graph (0 when no layer is
     * generated sparse); the dense row padding of convolutions is counted elsewhere.
     *
     * @param g the graph
     * @return bytes saved (negative only if a sparse array outgrew its unpadded tensor)
     */
    public static long savedBytes(Graph g) {
        long saved = 0;
        for (Node n : g.nodes()) {
            Choice c = choose(g, n);
            if (c != null && c.sparse()) {
                saved += g.tensor(n.input(1)).byteSize() - c.sparseBytes();
            }
        }
        return saved;
    }
}
