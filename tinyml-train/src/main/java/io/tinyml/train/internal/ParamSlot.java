package io.tinyml.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One IR constant held as a DJL {@link Parameter}: its role decides the PyTorch layout, whether it is
 * trained and how the value is seen by the operators. Not thread-safe.
 */
public final class ParamSlot {
    /** What a constant is to the operator that reads it. */
    public enum Role {
        /** A convolution filter, OHWI in the IR, OIHW in PyTorch; trained. */
        CONV_WEIGHT,
        /** A depthwise filter, 1HWO in the IR, O1HW in PyTorch; trained. */
        DEPTHWISE_WEIGHT,
        /** A fully-connected weight {@code [out, in]}; trained. */
        FC_WEIGHT,
        /** A bias of a convolution or fully-connected layer; trained. */
        BIAS,
        /** Batch-norm scale; trained. */
        BN_GAMMA,
        /** Batch-norm offset; trained. */
        BN_BETA,
        /** Batch-norm running mean; updated by training-mode forward passes, not by gradients. */
        BN_MEAN,
        /** Batch-norm running variance; as {@link #BN_MEAN}. */
        BN_VAR,
        /** Any other constant, in the IR layout; fixed. */
        FIXED
    }

    private final Role role;
    private final Shape irShape;
    private final Parameter parameter;

    private ParamSlot(Role role, Tensor t, int index) {
        this.role = role;
        this.irShape = t.shape();
        float[] values = toTorch(role, t.floats(), t.shape());
        ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(torchShape(role, t.shape()));
        Parameter.Type type = switch (role) {
            case CONV_WEIGHT, DEPTHWISE_WEIGHT, FC_WEIGHT -> Parameter.Type.WEIGHT;
            case BIAS -> Parameter.Type.BIAS;
            case BN_GAMMA -> Parameter.Type.GAMMA;
            case BN_BETA -> Parameter.Type.BETA;
            case BN_MEAN -> Parameter.Type.RUNNING_MEAN;
            case BN_VAR -> Parameter.Type.RUNNING_VAR;
            case FIXED -> Parameter.Type.OTHER;
        };
        this.parameter = Parameter.builder()
                .setName("t" + index)
                .setType(type)
                .optShape(shape)
                .optInitializer((manager, s, dataType) -> manager.create(values, s))
                .optRequiresGrad(trained(role))
                .build();
    }

    /**
     * Finds every float constant the graph's operators read and gives each a role.
     *
     * @param g the graph
     * @return tensor index to slot, in order of first use
     * @throws UnsupportedOperatorException if a constant read by an operator is not FLOAT32
     */
    static Map<Integer, ParamSlot> collect(Graph g) throws UnsupportedOperatorException {
        Map<Integer, ParamSlot> out = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            for (int k = 0; k < n.inputs().size(); k++) {
                int idx = n.input(k);
                if (idx == Node.ABSENT || out.containsKey(idx) || !g.tensor(idx).isConstant()) {
                    continue;
                }
                Tensor t = g.tensor(idx);
                if (t.type() != DataType.FLOAT32 || t.quant().isPresent()) {
                    throw new UnsupportedOperatorException(n.op().kind().name(), "expected FLOAT32 constants in a "
                            + "float model to train, found " + t.type() + (t.quant().isPresent() ? " (quantized)" : "")
                            + " tensor '" + t.name() + "' read by node '" + n.name() + "' (" + n.op().kind() + ")");
                }
                out.put(idx, new ParamSlot(role(n.op().kind(), k), t, idx));
            }
        }
        return out;
    }

    private static Role role(OpKind kind, int input) {
        return switch (kind) {
            case CONV_2D -> input == 1 ? Role.CONV_WEIGHT : input == 2 ? Role.BIAS : Role.FIXED;
            case DEPTHWISE_CONV_2D -> input == 1 ? Role.DEPTHWISE_WEIGHT : input == 2 ? Role.BIAS : Role.FIXED;
            case FULLY_CONNECTED -> input == 1 ? Role.FC_WEIGHT : input == 2 ? Role.BIAS : Role.FIXED;
            case BATCH_NORMALIZATION -> switch (input) {
                case 1 -> Role.BN_GAMMA;
                case 2 -> Role.BN_BETA;
                case 3 -> Role.BN_MEAN;
                case 4 -> Role.BN_VAR;
                default -> Role.FIXED;
            };
            case ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, RESHAPE, CONCATENATION, PAD, SOFTMAX, RELU,
                    RELU6, CLIP, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE, DEQUANTIZE, TRANSPOSE,
                    LOG_SOFTMAX, POOL -> Role.FIXED;
        };
    }

    private static boolean trained(Role r) {
        return r != Role.BN_MEAN && r != Role.BN_VAR && r != Role.FIXED;
    }

    private static long[] torchShape(Role role, Shape s) {
        return switch (role) {
            case CONV_WEIGHT -> new long[] {s.dim(0), s.dim(3), s.dim(1), s.dim(2)};
            case DEPTHWISE_WEIGHT -> new long[] {s.dim(3), 1, s.dim(1), s.dim(2)};
            default -> IrBlock.toLongs(s);
        };
    }

    private static float[] toTorch(Role role, float[] v, Shape s) {
        return switch (role) {
            case CONV_WEIGHT -> WeightLayouts.ohwiToOihw(v, s);
            case DEPTHWISE_WEIGHT -> WeightLayouts.hwoToOhw(v, s);
            default -> v;
        };
    }

    /**
     * Returns the role.
     *
     * @return the role
     */
    public Role role() {
        return role;
    }

    /**
     * Returns the DJL parameter.
     *
     * @return the parameter
     */
    public Parameter parameter() {
        return parameter;
    }

    /**
     * Wraps the parameter's current array as an operator value: weights in PyTorch layout, other
     * constants in the IR layout.
     *
     * @param a the array from the parameter store
     * @return the value
     */
    IrOps.Value value(NDArray a) {
        return IrOps.Value.ir(a);
    }

    /**
     * Converts values of the parameter back into the IR constant.
     *
     * @param original the IR tensor this slot was made from
     * @param v the values in PyTorch layout
     * @return a tensor with the same name, type and shape and the given values
     */
    Tensor toIr(Tensor original, float[] v) {
        float[] ir = switch (role) {
            case CONV_WEIGHT -> WeightLayouts.oihwToOhwi(v, irShape);
            case DEPTHWISE_WEIGHT -> WeightLayouts.ohwToHwo(v, irShape);
            default -> v;
        };
        ByteBuffer b = ByteBuffer.allocate(ir.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(ir);
        return original.withData(b.array());
    }
}
