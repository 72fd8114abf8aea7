package io.tinyml.core.estimate;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;

/**
 * The bitmask-sparse weight format of tinyml-codegen's int8 fully-connected kernel, and the rule that
 * picks it: a layer is generated sparse only when that is both smaller in flash and fewer instructions
 * than dense. The generator and the estimator ask this class, so they always agree. Stateless.
 *
 * <h2>Format</h2>
 * Per output row, {@code ceil(in / 32)} 32-bit masks (bit {@code i} of word {@code j}: input
 * {@code 32 j + i} has a non-zero weight), then all rows' non-zero int8 weights in order (one byte each).
 * The input offset is folded into the bias ({@code bias + inOffset * rowSum}, int32), so the sum is the
 * dense kernel's in 32-bit wrapping arithmetic. Only for int8 weights with zero point 0.
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
 */
public final class SparseWeights {
    /** Instructions per non-zero weight and batch. */
    static final double PER_NON_ZERO = 9.0;
    /** Instructions per 32-bit mask word and batch. */
    static final double PER_WORD = 5.0;
    /** Instructions per output element. */
    static final double PER_OUTPUT = 41.3;

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
        if (n.op().kind() != OpKind.FULLY_CONNECTED || n.inputs().size() < 2) {
            return null;
        }
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        if (x.type() != DataType.INT8 || y.type() != DataType.INT8 || w.type() != DataType.INT8 || !w.isConstant()
                || w.quant().isEmpty() || w.shape().rank() != 2) {
            return null;
        }
        for (long zp : w.requireQuant().zeroPoints()) {
            if (zp != 0) {
                return null;
            }
        }
        int rows = w.shape().dim(0);
        int in = w.shape().dim(1);
        if (rows == 0 || in == 0) {
            return null;
        }
        long nnz = 0;
        for (byte b : w.bytes()) {
            nnz += b != 0 ? 1 : 0;
        }
        long batches = x.shape().elementCount() / in;
        long words = (in + 31L) / 32;
        long denseBytes = (long) rows * in;
        long sparseBytes = 4 * words * rows + nnz;
        long outputs = y.shape().elementCount();
        double dense = CostModel.GEN_FC_PER_MAC * denseBytes * batches + CostModel.GEN_FC_PER_OUTPUT * outputs;
        double sparse = batches * (PER_NON_ZERO * nnz + PER_WORD * words * rows) + PER_OUTPUT * outputs;
        return new Choice(sparseBytes < denseBytes && sparse < dense, nnz, denseBytes, sparseBytes, dense, sparse);
    }

    /**
     * Flash bytes the sparse format saves over the dense weight arrays of a graph (0 when no layer is
     * generated sparse).
     *
     * @param g the graph
     * @return bytes saved, non-negative
     */
    public static long savedBytes(Graph g) {
        long saved = 0;
        for (Node n : g.nodes()) {
            Choice c = choose(g, n);
            if (c != null && c.sparse()) {
                saved += c.denseBytes() - c.sparseBytes();
            }
        }
        return saved;
    }
}
