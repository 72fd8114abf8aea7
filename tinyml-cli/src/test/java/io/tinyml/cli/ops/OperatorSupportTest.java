package io.tinyml.cli.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.LayerEstimate;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.keras.KerasOneLayer;
import io.tinyml.core.io.keras.KerasOneLayer.Weight;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.InvalidGraphException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.testing.OrtOptions;
import io.tinyml.quantize.Quantizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The operator support matrix, computed: for every {@link OpKind} a one-operator model is built and each part of
 * the SDK is tried on it. A part that accepts the operator is checked against an independent oracle, and a wrong
 * answer fails the test; a part that refuses it must say so with an {@link UnsupportedOperatorException}, whose
 * reason goes into the matrix. The matrix is written as Markdown and must equal the committed
 * {@code docs/operators.md} (run with {@code -Dtinyml.operators.write=true} to rewrite it), so the document cannot
 * drift from the code.
 *
 * <p>Oracles: shape rules — the valid model builds and the same model with a wrong output shape is refused;
 * TFLite and ONNX — the written file reads back to a graph holding the operator that runs to the same bytes; float
 * kernel — ONNX Runtime on the ONNX export (within 1e-4 relative); int8 and int16 — the quantized model's
 * dequantized output within a few output steps of the float output, and for QUANTIZE / DEQUANTIZE the defining
 * formula; cost model — the estimate's MAC count of the node equals the count derived from the model's shapes;
 * generated C — compiled with the host gcc and run: int8 byte-identical to the interpreter, float within 1e-5
 * relative; Keras — a one-layer Keras 2 file reads to a graph holding the operator, which runs.
 */
class OperatorSupportTest {
    private static final Path DOC = Path.of(System.getProperty("tinyml.repo", "..")).resolve("docs/operators.md");

    /** The columns of the matrix, in order. */
    enum Column {
        SHAPE("shape rules"), TFLITE("TFLite read/write"), ONNX("ONNX read/write"), KERAS("Keras read"),
        FLOAT("float kernel"), INT8("int8 (quantize + run)"), INT16("int16x8 (quantize + run)"), COST("cost model"),
        C_FLOAT("C float32"), C_INT8("C int8");

        final String title;

        Column(String title) {
            this.title = title;
        }
    }

    /** A Keras layer producing the operator, or the reason there is none. */
    record Keras(int[] input, String cls, String cfg, int calls, List<Weight> weights, String none) {
        static Keras of(int[] input, String cls, String cfg, Weight... weights) {
            return new Keras(input, cls, cfg, 1, List.of(weights), null);
        }

        static Keras none(String why) {
            return new Keras(null, null, null, 0, List.of(), why);
        }
    }

    /**
     * A one-operator model.
     *
     * @param build the model with {@code delta} added to the output's last dimension (0: the valid model)
     * @param macs the node's multiply-accumulates, derived from its shapes
     * @param keras the Keras layer that produces it
     */
    record Spec(IntFunction<Model> build, long macs, Keras keras) {
    }

    private static final Shape X = Shape.of(1, 6, 6, 4);
    private static final int[] XK = {6, 6, 4};

    /** One arm per operator: a new OpKind does not compile here until it has a one-operator model. */
    static Spec spec(OpKind k) {
        Random r = new Random(k.ordinal() + 1);
        return switch (k) {
            case CONV_2D -> new Spec(d -> one(k, new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.NONE), X,
                    Shape.of(1, 6, 6, 3 + d), List.of(floats("w", r, 3, 3, 3, 4), floats("b", r, 3))),
                    6L * 6 * 3 * 3 * 3 * 4, Keras.of(XK, "Conv2D", "\"filters\": 3, \"kernel_size\": [3, 3], "
                    + "\"strides\": [1, 1], \"padding\": \"same\", \"activation\": \"linear\", \"use_bias\": true",
                    new Weight("kernel", 3, 3, 4, 3), new Weight("bias", 3)));
            case DEPTHWISE_CONV_2D -> new Spec(d -> one(k, new Op.DepthwiseConv2D(1, 1, 1, 1, Padding.SAME, 1,
                    Activation.NONE), X, Shape.of(1, 6, 6, 4 + d), List.of(floats("w", r, 1, 3, 3, 4),
                    floats("b", r, 4))), 6L * 6 * 4 * 9, Keras.of(XK, "DepthwiseConv2D", "\"kernel_size\": [3, 3], "
                    + "\"strides\": [1, 1], \"padding\": \"same\", \"depth_multiplier\": 1, \"activation\": \"linear\", "
                    + "\"use_bias\": true", new Weight("depthwise_kernel", 3, 3, 4, 1), new Weight("bias", 4)));
            case FULLY_CONNECTED -> new Spec(d -> one(k, new Op.FullyConnected(Activation.NONE, false),
                    Shape.of(1, 16), Shape.of(1, 5 + d), List.of(floats("w", r, 5, 16), floats("b", r, 5))), 80,
                    Keras.of(new int[] {16}, "Dense", "\"units\": 5, \"activation\": \"linear\", \"use_bias\": true",
                            new Weight("kernel", 16, 5), new Weight("bias", 5)));
            case ADD -> binary(k, new Op.Add(Activation.NONE), r, "Add");
            case SUB -> binary(k, new Op.Sub(Activation.NONE), r, "Subtract");
            case MUL -> binary(k, new Op.Mul(Activation.NONE), r, "Multiply");
            case AVERAGE_POOL_2D -> new Spec(d -> one(k, new Op.AveragePool2D(2, 2, 2, 2, Padding.VALID,
                    Activation.NONE), X, Shape.of(1, 3, 3, 4 + d), List.of()), 3L * 3 * 4 * 4,
                    Keras.of(XK, "AveragePooling2D", "\"pool_size\": [2, 2], \"strides\": [2, 2], \"padding\": \"valid\""));
            case MAX_POOL_2D -> new Spec(d -> one(k, new Op.MaxPool2D(2, 2, 2, 2, Padding.VALID, Activation.NONE), X,
                    Shape.of(1, 3, 3, 4 + d), List.of()), 3L * 3 * 4 * 4,
                    Keras.of(XK, "MaxPooling2D", "\"pool_size\": [2, 2], \"strides\": [2, 2], \"padding\": \"valid\""));
            case MEAN -> new Spec(d -> one(k, new Op.Mean(List.of(1, 2), true), X, Shape.of(1, 1, 1, 4 + d),
                    List.of()), 6L * 6 * 4, Keras.of(XK, "GlobalAveragePooling2D", "\"keepdims\": true"));
            case RESHAPE -> new Spec(d -> one(k, new Op.Reshape(), X, Shape.of(1, 144 + d), List.of()), 0,
                    Keras.of(XK, "Reshape", "\"target_shape\": [12, 12]"));
            case CONCATENATION -> new Spec(d -> one(k, new Op.Concatenation(3, Activation.NONE), X,
                    Shape.of(1, 6, 6, 6 + d), List.of(floats("c", r, 1, 6, 6, 2))), 0,
                    new Keras(XK, "Concatenate", "\"axis\": -1", 2, List.of(), null));
            case PAD -> new Spec(d -> one(k, new Op.Pad(List.of(0, 1, 1, 0), List.of(0, 1, 1, 0), 0f), X,
                    Shape.of(1, 8, 8, 4 + d), List.of()), 0,
                    Keras.of(XK, "ZeroPadding2D", "\"padding\": [[1, 1], [1, 1]]"));
            case SOFTMAX -> new Spec(d -> one(k, new Op.Softmax(1f), Shape.of(1, 10), Shape.of(1, 10 + d),
                    List.of()), 10, Keras.of(new int[] {10}, "Softmax", "\"axis\": -1"));
            case LOG_SOFTMAX -> new Spec(d -> one(k, new Op.LogSoftmax(), Shape.of(1, 10), Shape.of(1, 10 + d),
                    List.of()), 10, Keras.of(new int[] {10}, "Activation", "\"activation\": \"log_softmax\""));
            case RELU -> unary(k, new Op.Relu(), 0, Keras.of(XK, "ReLU", ""));
            case RELU6 -> unary(k, new Op.Relu6(), 0, Keras.of(XK, "ReLU", "\"max_value\": 6.0"));
            case CLIP -> unary(k, new Op.Clip(0f, 2.5f), 0, Keras.of(XK, "ReLU", "\"max_value\": 2.5"));
            case LEAKY_RELU -> unary(k, new Op.LeakyRelu(0.1f), 144, Keras.of(XK, "LeakyReLU",
                    "\"negative_slope\": 0.1"));
            case LOGISTIC -> unary(k, new Op.Logistic(), 144, Keras.of(XK, "Activation", "\"activation\": \"sigmoid\""));
            case TANH -> unary(k, new Op.Tanh(), 144, Keras.of(XK, "Activation", "\"activation\": \"tanh\""));
            case HARD_SWISH -> unary(k, new Op.HardSwish(), 144, Keras.of(XK, "Activation",
                    "\"activation\": \"hard_swish\""));
            case QUANTIZE -> new Spec(d -> convert(k, DataType.INT8, d), 0,
                    Keras.none("Keras models are float; quantization is tinyml's (tinyml quantize)"));
            case DEQUANTIZE -> new Spec(d -> convert(k, DataType.INT8, d), 0,
                    Keras.none("Keras models are float; quantization is tinyml's (tinyml quantize)"));
            case TRANSPOSE -> new Spec(d -> one(k, new Op.Transpose(List.of(0, 2, 1, 3)), Shape.of(1, 4, 6, 3),
                    Shape.of(1, 6, 4, 3 + d), List.of()), 0, Keras.of(new int[] {4, 6, 3}, "Permute", "\"dims\": [2, 1, 3]"));
            case BATCH_NORMALIZATION -> new Spec(d -> one(k, new Op.BatchNormalization(1e-3f), X,
                    Shape.of(1, 6, 6, 4 + d), List.of(floats("scale", r, 4), floats("bias", r, 4),
                            floats("mean", r, 4), positive("variance", r, 4))), 144,
                    Keras.of(XK, "BatchNormalization", "\"axis\": -1, \"epsilon\": 0.001, \"center\": true, "
                            + "\"scale\": true", new Weight("gamma", 4), new Weight("beta", 4),
                            new Weight("moving_mean", 4), new Weight("moving_variance", 4)));
            case POOL -> new Spec(d -> one(k, new Op.Pool(true, List.of(2, 2, 2), List.of(2, 2, 2), List.of(1, 1, 1),
                    List.of(0, 0, 0), List.of(0, 0, 0), false, false), Shape.of(1, 4, 4, 4, 2),
                    Shape.of(1, 2, 2, 2, 2 + d), List.of()), 8L * 2 * 8, Keras.of(new int[] {4, 4, 4, 2},
                    "MaxPooling3D", "\"pool_size\": [2, 2, 2], \"strides\": [2, 2, 2], \"padding\": \"valid\""));
        };
    }

    private static Spec unary(OpKind k, Op op, long macs, Keras keras) {
        return new Spec(d -> one(k, op, X, Shape.of(1, 6, 6, 4 + d), List.of()), macs, keras);
    }

    private static Spec binary(OpKind k, Op op, Random r, String kerasClass) {
        Tensor c = floats("c", r, 1, 6, 6, 4);
        return new Spec(d -> one(k, op, X, Shape.of(1, 6, 6, 4 + d), List.of(c)), 144,
                new Keras(XK, kerasClass, "", 2, List.of(), null));
    }

    private static Tensor floats(String name, Random r, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[s.elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.5);
        }
        return Tensor.ofFloats(name, s, v);
    }

    private static Tensor positive(String name, Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + r.nextFloat();
        }
        return Tensor.ofFloats(name, Shape.of(n), v);
    }

    /** A float model of one node: input x, the given constants, output y. */
    private static Model one(OpKind k, Op op, Shape in, Shape out, List<Tensor> constants) {
        GraphBuilder b = new GraphBuilder();
        List<Integer> inputs = new ArrayList<>();
        inputs.add(b.addInput(Tensor.activation("x", DataType.FLOAT32, in)));
        for (Tensor c : constants) {
            inputs.add(b.addTensor(c));
        }
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, out));
        b.addNode(k.name().toLowerCase(java.util.Locale.ROOT), op, inputs, List.of(y));
        b.addOutput(y);
        return Model.of(b.build(), Provenance.builtInCode("OperatorSupportTest"));
    }

    /** QUANTIZE float to {@code type}, or DEQUANTIZE {@code type} to float. */
    private static Model convert(OpKind k, DataType type, int d) {
        QuantParams q = type == DataType.INT8 ? QuantParams.perTensor(0.05f, 3) : QuantParams.perTensor(0.0005f, 0);
        boolean quantize = k == OpKind.QUANTIZE;
        Shape out = Shape.of(1, 6, 6, 4 + d);
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(quantize ? Tensor.activation("x", DataType.FLOAT32, X)
                : Tensor.activation("x", type, X).withQuant(q));
        int y = b.addTensor(quantize ? Tensor.activation("y", type, out).withQuant(q)
                : Tensor.activation("y", DataType.FLOAT32, out));
        b.addNode(k.name().toLowerCase(java.util.Locale.ROOT), quantize ? new Op.Quantize() : new Op.Dequantize(),
                List.of(x), List.of(y));
        b.addOutput(y);
        return Model.of(b.build(), Provenance.builtInCode("OperatorSupportTest"));
    }

    private static boolean converts(OpKind k) {
        return k == OpKind.QUANTIZE || k == OpKind.DEQUANTIZE;
    }

    // ------------------------------------------------------------------ the test

    @Test
    void everyOperatorIsCheckedAndTheCommittedMatrixIsCurrent(@TempDir Path dir) throws Exception {
        require("gcc");
        require("make");
        Map<OpKind, Map<Column, String>> matrix = new EnumMap<>(OpKind.class);
        for (OpKind k : OpKind.values()) {
            Path d = Files.createDirectories(dir.resolve(k.name()));
            Map<Column, String> row = new EnumMap<>(Column.class);
            Checker c = new Checker(k, spec(k), d);
            for (Column col : Column.values()) {
                String cell;
                try {
                    cell = c.check(col);
                } catch (AssertionError e) {
                    throw new AssertionError(k + " / " + col.title + ": " + e.getMessage(), e);
                }
                row.put(col, cell);
            }
            matrix.put(k, row);
            System.out.println("operator support " + k + ": " + row);
        }
        String md = markdown(matrix);
        if (Boolean.getBoolean("tinyml.operators.write")) {
            Files.createDirectories(DOC.getParent());
            Files.writeString(DOC, md);
        }
        Path fresh = Path.of("target", "operators.md");
        Files.createDirectories(fresh.getParent());
        Files.writeString(fresh, md);
        String committed = Files.exists(DOC) ? Files.readString(DOC) : "";
        assertEquals(committed, md, DOC + " differs from the support computed now (written to "
                + fresh.toAbsolutePath() + "); rerun with -Dtinyml.operators.write=true and commit it");
    }

    /** Runs the checks of one operator; each returns the cell text ("yes" or "no: reason"). */
    private static final class Checker {
        private final OpKind k;
        private final Spec spec;
        private final Path dir;
        private final Model model;
        private final float[] input;
        private Model int8;

        Checker(OpKind k, Spec spec, Path dir) {
            this.k = k;
            this.spec = spec;
            this.dir = dir;
            this.model = spec.build().apply(0);
            Random r = new Random(100 + k.ordinal());
            input = new float[model.graph().inputTensor(0).shape().elementCount()];
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) (r.nextGaussian() * 2);
            }
        }

        String check(Column col) throws Exception {
            return switch (col) {
                case SHAPE -> shape();
                case TFLITE -> roundTrip("tflite");
                case ONNX -> roundTrip("onnx");
                case KERAS -> keras();
                case FLOAT -> floatKernel();
                case INT8 -> integer(DataType.INT8);
                case INT16 -> integer(DataType.INT16);
                case COST -> cost();
                case C_FLOAT -> converts(k) ? "n/a (mixed float/integer: see C int8)" : generatedC(model, false);
                case C_INT8 -> int8 == null ? "no: no int8 model (see int8)" : generatedC(int8, true);
            };
        }

        private String shape() {
            assertEquals(1, model.graph().nodes().size());
            assertThrows(InvalidGraphException.class, () -> spec.build().apply(1),
                    "a wrong output shape must be refused");
            return "yes";
        }

        private String roundTrip(String ext) throws Exception {
            Path f = dir.resolve(k.name().toLowerCase(java.util.Locale.ROOT) + "." + ext);
            try {
                ModelIO.write(model, f);
            } catch (UnsupportedOperatorException e) {
                return no(e);
            }
            Model back = ModelIO.read(f);
            assertTrue(kinds(back.graph()).contains(k), "read back " + kinds(back.graph()));
            byte[] in = inputBytes(model);
            Interpreter a = interpreterOrNull(model);
            if (a != null) {
                assertArrayEquals(a.invoke(in)[0], Interpreter.create(back).invoke(in)[0], "outputs after " + ext);
            }
            return "yes";
        }

        private String keras() throws Exception {
            Keras kr = spec.keras();
            if (kr.none() != null) {
                return "no: " + kr.none();
            }
            byte[] h5 = KerasOneLayer.h5(kr.input(), kr.cls(), kr.cfg(), kr.calls(), kr.weights());
            Model m;
            try {
                m = io.tinyml.core.io.keras.KerasReader.read(h5, "one.h5");
            } catch (UnsupportedOperatorException e) {
                return no(e);
            }
            assertTrue(kinds(m.graph()).contains(k), "Keras " + kr.cls() + " read to " + kinds(m.graph()));
            Interpreter i = interpreterOrNull(m);
            if (i != null) {
                i.invoke(inputBytes(m));
            }
            return "yes";
        }

        private String floatKernel() throws Exception {
            if (converts(k)) {
                return "n/a (converts between float and integers: see int8, int16)";
            }
            Interpreter i;
            try {
                i = Interpreter.create(model);
            } catch (UnsupportedOperatorException e) {
                return no(e);
            }
            float[] got = floatsOf(i.invoke(inputBytes(model))[0], model.graph().outputTensor(0));
            Path f = dir.resolve("oracle.onnx");
            try {
                ModelIO.write(model, f);
            } catch (UnsupportedOperatorException e) {
                return "yes (no ONNX Runtime oracle: " + e.getMessage() + ")";
            }
            float[] want = ort(Files.readAllBytes(f), model, input);
            assertEquals(want.length, got.length);
            for (int j = 0; j < got.length; j++) {
                assertTrue(Math.abs(got[j] - want[j]) <= 1e-4 * Math.max(1, Math.abs(want[j])),
                        "output " + j + ": interpreter " + got[j] + ", ONNX Runtime " + want[j]);
            }
            return "yes";
        }

        private String integer(DataType type) throws Exception {
            Model q;
            if (converts(k)) {
                q = convert(k, type, 0);
                Interpreter i;
                try {
                    i = Interpreter.create(q);
                } catch (UnsupportedOperatorException e) {
                    return no(e);
                }
                checkConversion(q, i);
            } else {
                Dataset.Builder db = Dataset.builder(withoutBatch(model.graph().inputTensor(0).shape()));
                Random r = new Random(7);
                for (int s = 0; s < 8; s++) {
                    float[] v = new float[input.length];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = (float) (r.nextGaussian() * 2);
                    }
                    db.add(v, 0);
                }
                db.add(input, 0);
                Dataset ds = db.build();
                Quantizer.IntegerStep step = type == DataType.INT8 ? Quantizer.of(model).int8()
                        : Quantizer.of(model).int16x8();
                try {
                    q = step.calibrate(ds, ds.size()).apply();
                } catch (UnsupportedOperatorException e) {
                    return no(e);
                }
                Node n = q.graph().nodes().stream().filter(x -> x.op().kind() == k).findFirst().orElse(null);
                if (n == null) {
                    return "no: quantization leaves no " + k + " node (" + kinds(q.graph()) + ")";
                }
                DataType t = q.graph().tensor(n.output(0)).type();
                if (t != type) {
                    return "no: the quantizer keeps " + k + " in " + t + " (between QUANTIZE and DEQUANTIZE)";
                }
                Interpreter i;
                try {
                    i = Interpreter.create(q);
                } catch (UnsupportedOperatorException e) {
                    return no(e);
                }
                float[] want = Interpreter.create(model).invokeFloat(input)[0];
                float[] got = i.invokeFloat(input)[0];
                QuantParams oq = q.graph().outputTensor(0).requireQuant();
                double range = 0;
                for (float w : want) {
                    range = Math.max(range, Math.abs(w));
                }
                double tol = 4 * oq.scale(0) + 0.03 * range;
                for (int j = 0; j < got.length; j++) {
                    assertTrue(Math.abs(got[j] - want[j]) <= tol, type + " output " + j + ": " + got[j]
                            + " vs float " + want[j] + " (tolerance " + tol + ", tensors "
                            + q.graph().tensors() + ")");
                }
            }
            if (type == DataType.INT8) {
                int8 = q;
            }
            return "yes";
        }

        /** QUANTIZE: round half away from zero, add the zero point, clamp; DEQUANTIZE: (q - zp) * scale. */
        private void checkConversion(Model q, Interpreter i) {
            Graph g = q.graph();
            byte[] in = inputBytes(q);
            byte[] out = i.invoke(in)[0];
            if (k == OpKind.QUANTIZE) {
                Tensor y = g.outputTensor(0);
                QuantParams p = y.requireQuant();
                float[] x = floatsOf(in, g.inputTensor(0));
                long[] got = integers(out, y.type());
                long lo = y.type() == DataType.INT8 ? -128 : -32768;
                long hi = -lo - 1;
                for (int j = 0; j < x.length; j++) {
                    double v = x[j] / p.scale(0);
                    long want = Math.max(lo, Math.min(hi, (long) Math.signum(v) * Math.round(Math.abs(v))
                            + p.zeroPoint(0)));
                    assertEquals(want, got[j], "QUANTIZE of " + x[j]);
                }
            } else {
                Tensor x = g.inputTensor(0);
                QuantParams p = x.requireQuant();
                long[] qs = integers(in, x.type());
                float[] got = floatsOf(out, g.outputTensor(0));
                for (int j = 0; j < qs.length; j++) {
                    assertEquals((float) ((qs[j] - p.zeroPoint(0)) * p.scale(0)), got[j], 1e-6f, "DEQUANTIZE");
                }
            }
        }

        private String cost() {
            Estimate e = Estimator.builder().setTarget(TargetCatalog.find("cortex-m4").orElseThrow()).build()
                    .estimate(model);
            if (!e.unsupportedOps().isEmpty()) {
                return "no: " + clean(e.unsupportedOps().get(0));
            }
            LayerEstimate l = e.layers().stream().filter(x -> x.op().equals(k.name())).findFirst().orElseThrow();
            assertEquals(spec.macs(), l.macs(), "MACs");
            assertTrue(l.cycles() > 0 && e.flashBytes() > 0 && e.ramBytes() > 0, e.toString());
            return "yes";
        }

        private String generatedC(Model m, boolean integer) throws Exception {
            Path d = dir.resolve(integer ? "c-int8" : "c-float");
            try {
                CodeGenerator.generate(m, CodegenOptions.defaults()).writeTo(d, false);
            } catch (UnsupportedOperatorException e) {
                return no(e);
            }
            run(d, "make", "-s", "host");
            byte[] in = inputBytes(m);
            Files.write(d.resolve("in.bin"), in);
            run(d, "build/host/demo", "in.bin", "out.bin");
            byte[] got = Files.readAllBytes(d.resolve("out.bin"));
            byte[] want = Interpreter.create(m).invoke(in)[0];
            if (integer || m.graph().outputTensor(0).type() != DataType.FLOAT32) {
                assertArrayEquals(want, got, "generated C vs interpreter");
            } else {
                float[] w = floatsOf(want, m.graph().outputTensor(0));
                float[] g = floatsOf(got, m.graph().outputTensor(0));
                assertEquals(w.length, g.length);
                for (int j = 0; j < w.length; j++) {
                    assertTrue(Math.abs(w[j] - g[j]) <= 1e-5 * Math.max(1, Math.abs(w[j])),
                            "output " + j + ": C " + g[j] + ", interpreter " + w[j]);
                }
            }
            return "yes";
        }

        /** The model's input as bytes: the float input, or seeded integers for an integer input. */
        private byte[] inputBytes(Model m) {
            Tensor t = m.graph().inputTensor(0);
            if (t.type() == DataType.FLOAT32) {
                ByteBuffer b = ByteBuffer.allocate(input.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : input) {
                    b.putFloat(v);
                }
                return b.array();
            }
            byte[] b = new byte[t.byteSize()];
            new Random(5).nextBytes(b);
            return b;
        }
    }

    private static Shape withoutBatch(Shape s) {
        int[] d = s.toArray();
        return Shape.of(java.util.Arrays.copyOfRange(d, 1, d.length));
    }

    private static java.util.Set<OpKind> kinds(Graph g) {
        java.util.Set<OpKind> s = java.util.EnumSet.noneOf(OpKind.class);
        g.nodes().forEach(n -> s.add(n.op().kind()));
        return s;
    }

    private static Interpreter interpreterOrNull(Model m) {
        try {
            return Interpreter.create(m);
        } catch (UnsupportedOperatorException e) {
            return null;
        }
    }

    private static String no(UnsupportedOperatorException e) {
        return "no: " + clean(e.getMessage());
    }

    private static String clean(String s) {
        return s.replace('|', '/').replace('\n', ' ');
    }

    private static float[] floatsOf(byte[] b, Tensor t) {
        assertEquals(DataType.FLOAT32, t.type());
        FloatBuffer f = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[f.remaining()];
        f.get(v);
        return v;
    }

    private static long[] integers(byte[] b, DataType t) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long[] v = new long[b.length / t.byteSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t == DataType.INT8 ? bb.get() : bb.getShort();
        }
        return v;
    }

    // ------------------------------------------------------------------ ONNX Runtime

    /** Runs an ONNX file on the model's float input (NHWC, transposed to NCHW when 4-D) and returns its NHWC output. */
    private static float[] ort(byte[] onnx, Model m, float[] x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Tensor in = m.graph().inputTensor(0);
        Tensor out = m.graph().outputTensor(0);
        int[] s = in.shape().toArray();
        float[] feed = s.length == 4 ? relayout(x, s, true) : x;
        long[] shape = s.length == 4 ? new long[] {s[0], s[3], s[1], s[2]}
                : java.util.Arrays.stream(s).asLongStream().toArray();
        try (OrtSession.SessionOptions o = OrtOptions.deterministic();
             OrtSession session = env.createSession(onnx, o);
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(feed), shape);
             OrtSession.Result res = session.run(Map.of(session.getInputNames().iterator().next(), t))) {
            OnnxValue v = res.get(0);
            FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
            float[] y = new float[fb.remaining()];
            fb.get(y);
            int[] os = out.shape().toArray();
            return os.length == 4 ? relayout(y, os, false) : y;
        }
    }

    /** Moves a 4-D tensor [N, H, W, C] between NHWC and NCHW order ({@code toNchw} picks the direction). */
    private static float[] relayout(float[] x, int[] nhwc, boolean toNchw) {
        float[] y = new float[x.length];
        int h = nhwc[1];
        int w = nhwc[2];
        int c = nhwc[3];
        for (int i = 0; i < x.length; i++) {
            int k = i % c;
            int j = i / c % w;
            int r = i / c / w % h;
            int n = i / c / w / h;
            int nchw = ((n * c + k) * h + r) * w + j;
            if (toNchw) {
                y[nchw] = x[i];
            } else {
                y[i] = x[nchw];
            }
        }
        return y;
    }

    // ------------------------------------------------------------------ matrix and tools

    private static String markdown(Map<OpKind, Map<Column, String>> matrix) {
        StringBuilder s = new StringBuilder();
        s.append("# Operator support\n\n")
                .append("Generated by `OperatorSupportTest` (tinyml-cli tests), which builds a one-operator model for\n")
                .append("every operator of the IR (`OpKind`) and tries each part of the SDK on it. \"yes\" means the\n")
                .append("part accepted the operator and its result matched an independent oracle; \"no\" gives the\n")
                .append("reason the part states when it refuses the operator. The test fails when this file differs\n")
                .append("from what it computes; rerun it with `-Dtinyml.operators.write=true` to rewrite it.\n\n")
                .append("Oracles: shape rules — a wrong output shape is refused; TFLite, ONNX — the written file reads\n")
                .append("back to the operator and runs to the same bytes; float kernel — ONNX Runtime on the ONNX\n")
                .append("export; int8, int16x8 — the model quantized by tinyml quantize (per-channel, min/max) runs in\n")
                .append("the interpreter within a few output steps of the float model (\"keeps ... in FLOAT32\": the\n")
                .append("quantizer leaves the operator float); QUANTIZE and DEQUANTIZE match their defining formula;\n")
                .append("cost model — the estimate's MAC count equals the count derived from the shapes; C — the\n")
                .append("generated project built with the host gcc: int8 byte-identical to the interpreter, float32\n")
                .append("within 1e-5 relative; Keras — a one-layer Keras 2 file reads to the operator.\n\n");
        s.append("| operator |");
        for (Column c : Column.values()) {
            s.append(' ').append(c.title).append(" |");
        }
        s.append("\n|---|");
        for (int i = 0; i < Column.values().length; i++) {
            s.append("---|");
        }
        s.append('\n');
        for (Map.Entry<OpKind, Map<Column, String>> e : matrix.entrySet()) {
            s.append("| ").append(e.getKey()).append(" |");
            for (Column c : Column.values()) {
                s.append(' ').append(e.getValue().get(c)).append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static void require(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return;
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("required tool missing in CI: " + tool);
        }
        Assumptions.abort("tool not installed: " + tool);
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + "\n" + new String(out, StandardCharsets.UTF_8));
    }
}
