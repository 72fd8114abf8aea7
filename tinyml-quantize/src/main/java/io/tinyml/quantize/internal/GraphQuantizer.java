package io.tinyml.quantize.internal;

import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.quantize.CalibrationMethod;
import io.tinyml.quantize.Precision;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a float model into a quantized one, layer by layer in the precision asked for each node.
 *
 * <p>Every activation tensor keeps its name in the precision of the node that produces it; where a
 * consumer runs in another precision a QUANTIZE (float or integer to integer) or DEQUANTIZE node is
 * inserted, its output named {@code <tensor>/int8}, {@code /int16} or {@code /float}. Integer nodes get:
 * symmetric int8 weights (per channel on the output-channel axis, or per tensor), int32 (int8) or
 * int64 (int16) biases with scale {@code input_scale × weight_scale}, outputs with parameters from the
 * calibrated range, fixed parameters for SOFTMAX/LOGISTIC/TANH, and the input's parameters for the
 * operators TFLite requires to keep them (pooling, reshape, pad, transpose). Not thread-safe.
 */
public final class GraphQuantizer {

    /**
     * Options of a rewrite.
     *
     * @param method how ranges are chosen
     * @param perChannel per-channel (true) or per-tensor weights
     * @param biasCorrection whether to correct biases for the mean shift weight rounding causes
     * @param integerIO whether graph inputs and outputs stay integer (else float, with conversions)
     */
    public record Options(CalibrationMethod method, boolean perChannel, boolean biasCorrection, boolean integerIO) {
    }

    private final Graph g;
    private final Map<String, TensorStats> stats;
    private final Options opt;
    private final Map<String, Precision> precision;
    private final GraphBuilder b = new GraphBuilder();
    private final Map<Integer, EnumMap<Precision, Integer>> rep = new HashMap<>();
    private final Map<Integer, Precision> primary = new HashMap<>();

    private GraphQuantizer(Graph g, Map<String, TensorStats> stats, Options opt, Map<String, Precision> precision) {
        this.g = g;
        this.stats = stats;
        this.opt = opt;
        this.precision = precision;
    }

    /**
     * Tells whether a node can run in integer arithmetic here (its operator has integer kernels and
     * its weights, if any, are constants).
     *
     * @param g the graph
     * @param n the node
     * @return true if the node may be quantized
     */
    public static boolean canQuantize(Graph g, Node n) {
        if (!role(n.op().kind()).integer()) {
            return false;
        }
        if (hasWeights(n) && !g.tensor(n.input(1)).isConstant()) {
            return false;
        }
        return n.op().activation() != io.tinyml.core.ir.Activation.TANH;
    }

    /**
     * Tells whether the node's operator carries weights (input 1) and an optional bias (input 2).
     *
     * @param n the node
     * @return true for convolutions and fully-connected layers
     */
    public static boolean hasWeights(Node n) {
        return role(n.op().kind()).weighted();
    }

    /**
     * How quantization treats an operator kind, decided in one exhaustive switch.
     *
     * @param integer it has an integer kernel: quantized; otherwise it stays float between QUANTIZE and DEQUANTIZE
     * @param keepParams its output takes its input's quantization parameters (data movement, pooling)
     * @param weighted input 1 is a weight and input 2 a bias
     */
    private record Role(boolean integer, boolean keepParams, boolean weighted) {
    }

    private static Role role(OpKind k) {
        return switch (k) {
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED -> new Role(true, false, true);
            case AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE, PAD, TRANSPOSE -> new Role(true, true, false);
            // TFLM's RELU6 clamps in the input's parameters and does not rescale (relu6.cc): the output keeps them
            case RELU6 -> new Role(true, true, false);
            case ADD, SUB, MUL, MEAN, CONCATENATION, SOFTMAX, RELU, LEAKY_RELU, LOGISTIC, TANH ->
                    new Role(true, false, false);
            case CLIP, HARD_SWISH, QUANTIZE, DEQUANTIZE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL ->
                    new Role(false, false, false);
        };
    }

    /**
     * Quantizes a model.
     *
     * @param model the float model (BatchNorm folded, activations fused)
     * @param stats calibration statistics by tensor name
     * @param opt options
     * @param precision the precision of each node by node name (absent: INT8); nodes that cannot be
     *                  quantized run in float whatever is asked
     * @return the quantized model
     */
    public static Model quantize(Model model, Map<String, TensorStats> stats, Options opt,
                                 Map<String, Precision> precision) {
        GraphQuantizer q = new GraphQuantizer(model.graph(), stats, opt, precision);
        Graph out = q.run();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("method", opt.method().name().toLowerCase());
        params.put("perChannel", String.valueOf(opt.perChannel()));
        params.put("biasCorrection", String.valueOf(opt.biasCorrection()));
        params.put("integerIO", String.valueOf(opt.integerIO()));
        return model.withGraph(out, new AppliedPass("quantize", params));
    }

    private Precision precisionOf(Node n) {
        if (!canQuantize(g, n)) {
            return Precision.FLOAT;
        }
        Precision p = precision.getOrDefault(n.name(), Precision.INT8);
        if (p == Precision.INT16 && n.op().kind() == OpKind.LEAKY_RELU) {
            return Precision.INT8;
        }
        return p;
    }

    private Graph run() {
        for (int ii : g.inputs()) {
            Tensor t = g.tensor(ii);
            Precision d = Precision.FLOAT;
            if (opt.integerIO() && !g.consumers(ii).isEmpty()) {
                d = precisionOf(g.node(g.consumers(ii).get(0)));
            }
            int idx = b.addInput(d == Precision.FLOAT ? t : retype(t, d));
            put(ii, d, idx);
        }
        for (Node n : g.nodes()) {
            Precision p = precisionOf(n);
            if (p == Precision.FLOAT) {
                floatNode(n);
            } else {
                integerNode(n, p);
            }
        }
        for (int o : g.outputs()) {
            Precision d = primary.get(o);
            if (d != Precision.FLOAT && !opt.integerIO()) {
                b.addOutput(in(o, Precision.FLOAT));
            } else {
                b.addOutput(rep.get(o).get(d));
            }
        }
        return b.build();
    }

    private Tensor retype(Tensor t, Precision p) {
        DataType type = p == Precision.INT8 ? DataType.INT8 : DataType.INT16;
        return Tensor.activation(t.name(), type, t.shape()).withQuant(paramsFor(t.name(), p));
    }

    private QuantParams paramsFor(String name, Precision p) {
        TensorStats s = stats.get(name);
        if (s == null || s.isEmpty()) {
            throw new IllegalStateException("expected calibration statistics for tensor '" + name + "', found none");
        }
        DataType type = p == Precision.INT8 ? DataType.INT8 : DataType.INT16;
        float[] r = Ranges.choose(s, opt.method(), p == Precision.INT8 ? 8 : 16);
        return QuantMath.activation(r[0], r[1], type);
    }

    private void put(int orig, Precision p, int idx) {
        rep.computeIfAbsent(orig, k -> new EnumMap<>(Precision.class)).put(p, idx);
        primary.putIfAbsent(orig, p);
    }

    /** The index of an activation in precision p, converting if needed. */
    private int in(int orig, Precision p) {
        EnumMap<Precision, Integer> r = rep.get(orig);
        if (r.containsKey(p)) {
            return r.get(p);
        }
        Precision from = primary.get(orig);
        int src = r.get(from);
        Tensor t = g.tensor(orig);
        String suffix = p == Precision.FLOAT ? "/float" : p == Precision.INT8 ? "/int8" : "/int16";
        Tensor conv = p == Precision.FLOAT ? Tensor.activation(t.name() + suffix, DataType.FLOAT32, t.shape())
                : retype(t, p).withName(t.name() + suffix);
        int idx = b.addTensor(conv);
        Op op = p == Precision.FLOAT ? new Op.Dequantize() : new Op.Quantize();
        b.addNode(conv.name(), op, List.of(src), List.of(idx));
        r.put(p, idx);
        return idx;
    }

    private final Map<String, Integer> constants = new HashMap<>();

    private int constant(Tensor t) {
        String key = t.name() + "|" + t.type();
        Integer idx = constants.get(key);
        if (idx == null) {
            idx = b.addTensor(t);
            constants.put(key, idx);
        }
        return idx;
    }

    private void floatNode(Node n) {
        List<Integer> ins = new ArrayList<>();
        for (int i : n.inputs()) {
            if (i == Node.ABSENT) {
                ins.add(Node.ABSENT);
            } else if (g.tensor(i).isConstant()) {
                ins.add(constant(g.tensor(i)));
            } else {
                ins.add(in(i, Precision.FLOAT));
            }
        }
        List<Integer> outs = new ArrayList<>();
        for (int o : n.outputs()) {
            int idx = b.addTensor(g.tensor(o));
            put(o, Precision.FLOAT, idx);
            outs.add(idx);
        }
        b.addNode(nodeName(n, outs), n.op(), ins, outs);
    }

    private void integerNode(Node n, Precision p) {
        DataType act = p == Precision.INT8 ? DataType.INT8 : DataType.INT16;
        List<Integer> ins = new ArrayList<>();
        boolean weighted = hasWeights(n);
        Tensor qWeights = null;
        for (int pos = 0; pos < n.inputs().size(); pos++) {
            int i = n.input(pos);
            if (i == Node.ABSENT) {
                ins.add(Node.ABSENT);
                continue;
            }
            Tensor t = g.tensor(i);
            if (!t.isConstant()) {
                ins.add(in(i, p));
            } else if (weighted && pos == 1) {
                qWeights = QuantMath.symmetricWeights(t, opt.perChannel() ? weightAxis(n) : -1);
                ins.add(b.addTensor(qWeights));
            } else if (weighted && pos == 2) {
                float inputScale = b.tensor(ins.get(0)).requireQuant().scale();
                float[] bias = t.floats();
                if (opt.biasCorrection()) {
                    correct(n, g.tensor(n.input(1)), qWeights, bias);
                }
                ins.add(b.addTensor(QuantMath.bias(t, bias, inputScale, qWeights.requireQuant(),
                        p == Precision.INT8 ? DataType.INT32 : DataType.INT64)));
            } else if (t.type().isFloat()) {
                ins.add(b.addTensor(QuantMath.constant(t, act).withName(t.name() + (p == Precision.INT8 ? "/int8" : "/int16"))));
            } else {
                ins.add(constant(t));
            }
        }
        List<Integer> outs = new ArrayList<>();
        for (int o : n.outputs()) {
            Tensor t = g.tensor(o);
            QuantParams q = fixedParams(n, p);
            if (q == null && role(n.op().kind()).keepParams()) {
                q = b.tensor(ins.get(0)).requireQuant();
            }
            if (q == null) {
                q = paramsFor(t.name(), p);
            }
            int idx = b.addTensor(Tensor.activation(t.name(), act, t.shape()).withQuant(q));
            put(o, p, idx);
            outs.add(idx);
        }
        b.addNode(nodeName(n, outs), n.op(), ins, outs);
    }

    /** Nodes are named after their first output, as TFLite names them, so a written model reads back equal. */
    private String nodeName(Node n, List<Integer> outs) {
        return outs.isEmpty() ? n.name() : b.tensor(outs.get(0)).name();
    }

    private static QuantParams fixedParams(Node n, Precision p) {
        boolean i8 = p == Precision.INT8;
        return switch (n.op().kind()) {
            case SOFTMAX, LOGISTIC -> i8 ? QuantParams.perTensor(1f / 256, -128) : QuantParams.perTensor(1f / 32768, 0);
            case TANH -> i8 ? QuantParams.perTensor(1f / 128, 0) : QuantParams.perTensor(1f / 32768, 0);
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN,
                    RESHAPE, CONCATENATION, PAD, RELU, RELU6, CLIP, LEAKY_RELU, HARD_SWISH, QUANTIZE, DEQUANTIZE,
                    TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL -> null;
        };
    }

    private static int weightAxis(Node n) {
        return n.op().kind() == OpKind.DEPTHWISE_CONV_2D ? 3 : 0;
    }

    /** Subtracts from the bias the mean output shift the weight rounding causes on calibration inputs. */
    private void correct(Node n, Tensor w, Tensor qw, float[] bias) {
        TensorStats s = stats.get(g.tensor(n.input(0)).name());
        if (s == null) {
            return;
        }
        double[] mean = s.channelMeans();
        float[] wf = w.floats();
        float[] wq = QuantMath.dequantize(qw);
        int[] dims = w.shape().toArray();
        int outC = bias.length;
        double[] delta = new double[outC];
        if (n.op().kind() == OpKind.DEPTHWISE_CONV_2D) {
            int mult = Math.max(1, outC / mean.length);
            for (int i = 0; i < wf.length; i++) {
                int c = i % outC;
                delta[c] += (wq[i] - wf[i]) * mean[Math.min(mean.length - 1, c / mult)];
            }
        } else {
            int per = wf.length / dims[0];
            int inC = dims[dims.length - 1];
            if (mean.length != inC) {
                return;
            }
            for (int i = 0; i < wf.length; i++) {
                delta[i / per] += (wq[i] - wf[i]) * mean[i % inC];
            }
        }
        for (int c = 0; c < outC; c++) {
            bias[c] -= (float) delta[c];
        }
    }
}
