package io.tinyml.core.quant;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;

import java.util.List;

/**
 * Prepared integer parameters of MEAN over per-tensor quantized INT8 or INT16 tensors, as TFLite Micro's
 * reduce kernel ({@code EvalIntegerMean}) prepares them. When the input and output share scale and zero
 * point, each int32 sum is divided by {@code count} with C's truncating division; otherwise
 * {@code sum - inputZeroPoint * count} is scaled by {@code multiplier}/{@code shift}, the input-to-output
 * multiplier folded with {@code 1/count} (shifted up by {@code floor(log2(count))}, at most 32 and at most
 * {@code 31 + shift}), offset by the output zero point and clamped to the type.
 *
 * @param count the number of input elements averaged into each output element
 * @param sameQuantization whether the input and output share scale and zero point
 * @param inputZeroPoint the input zero point
 * @param outputZeroPoint the output zero point
 * @param multiplier the folded Q31 multiplier
 * @param shift the folded shift (positive = left)
 */
public record MeanParams(int count, boolean sameQuantization, int inputZeroPoint, int outputZeroPoint, int multiplier,
                         int shift) {

    /**
     * Prepares the parameters of a MEAN node (its axes may repeat; negative axes count from the end).
     *
     * @param g the graph
     * @param node a MEAN node
     * @return the parameters
     * @throws UnsupportedOperatorException if the input or output is not per-tensor quantized
     * @throws IllegalArgumentException if the node is not a MEAN
     */
    public static MeanParams of(Graph g, Node node) throws UnsupportedOperatorException {
        if (!(node.op() instanceof Op.Mean mean)) {
            throw new IllegalArgumentException("expected a MEAN node, found " + node);
        }
        Quant.requirePerTensorInOut(g, node);
        QuantParams qi = g.tensor(node.input(0)).requireQuant();
        QuantParams qo = g.tensor(node.output(0)).requireQuant();
        return of(qi.scale(), qi.zeroPoint(), qo.scale(), qo.zeroPoint(),
                reducedCount(g.tensor(node.input(0)).shape(), mean.axes()));
    }

    /** The number of elements of the reduced axes (each counted once; negative ones from the end). */
    private static int reducedCount(Shape shape, List<Integer> axes) {
        boolean[] reduced = new boolean[shape.rank()];
        long count = 1;
        for (int a : axes) {
            int axis = a < 0 ? a + shape.rank() : a;
            if (!reduced[axis]) {
                reduced[axis] = true;
                count *= shape.dim(axis);
            }
        }
        return (int) count;
    }

    /**
     * Prepares the parameters from the tensors' quantization and the element count.
     *
     * @param inputScale the input scale
     * @param inputZeroPoint the input zero point
     * @param outputScale the output scale
     * @param outputZeroPoint the output zero point
     * @param count the number of input elements averaged into each output element
     * @return the parameters
     */
    public static MeanParams of(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
                                int count) {
        long packed = FixedPoint.quantizeMultiplier((double) inputScale / (double) outputScale);
        int m = FixedPoint.multiplier(packed);
        int s = FixedPoint.shift(packed);
        if (count > 0) {
            int fold = Math.min(Math.min(63 - Long.numberOfLeadingZeros(count), 32), 31 + s);
            m = (int) (((long) m << fold) / count);
            s -= fold;
        }
        boolean same = inputZeroPoint == outputZeroPoint && inputScale == outputScale;
        return new MeanParams(count, same, inputZeroPoint, outputZeroPoint, m, s);
    }
}
