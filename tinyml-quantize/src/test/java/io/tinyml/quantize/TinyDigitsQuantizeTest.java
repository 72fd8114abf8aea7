package io.tinyml.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.eval.QuantEval;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tiny_digits.onnx (float top-1 0.972 on mnist10k[8000:10000], input pixel/255): every scheme and
 * calibration method, calibrated on 200 images of mnist10k[0:8000], evaluated on [8000:10000].
 */
class TinyDigitsQuantizeTest {
    private static Model model;
    private static Dataset calibration;
    private static Dataset eval;
    private static final float SCALE = 1f / 255;

    @BeforeAll
    static void load() throws Exception {
        model = ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
        String mnist = Assets.require("datasets/mnist10k").toString();
        calibration = Datasets.open(mnist + "[0:8000]");
        eval = Datasets.open(mnist + "[8000:10000]");
    }

    private static long weightBytes(Model m) {
        long n = 0;
        for (Tensor t : m.graph().tensors()) {
            if (t.isConstant()) {
                n += t.byteSize();
            }
        }
        return n;
    }

    @Test
    void int8PerChannelKeepsTop1AndEveryMethodAndSchemeIsTabled() throws Exception {
        Model prepared = Quantizer.prepare(model);
        double floatTop1 = QuantEval.top1(prepared, eval, SCALE, 0);
        assertEquals(0.972, floatTop1, 0.0015);
        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-10s %-11s %-8s %10s %10s", "scheme", "method", "weights", "top-1", "bytes"));
        rows.add(String.format("%-10s %-11s %-8s %10.4f %10d", "float", "-", "-", floatTop1,
                TfliteWriter.write(prepared).length));
        double minmax = 0;
        java.util.Map<CalibrationMethod, Double> tops = new java.util.EnumMap<>(CalibrationMethod.class);
        for (CalibrationMethod m : CalibrationMethod.values()) {
            Model q = Quantizer.of(model).int8().perChannel().calibrate(calibration, 200).method(m).inputScale(SCALE)
                    .apply();
            double t = QuantEval.top1(q, eval, SCALE, 0);
            rows.add(String.format("%-10s %-11s %-8s %10.4f %10d", "int8", m.name().toLowerCase(), "channel", t,
                    TfliteWriter.write(q).length));
            if (m == CalibrationMethod.MINMAX) {
                minmax = t;
            }
            tops.put(m, t);
        }
        System.out.println("int8 per-channel, by method (before the assertions):\n" + String.join("\n", rows));
        assertTrue(minmax >= 0.968, "int8 per-channel minmax top-1 " + minmax);
        assertTrue(tops.get(CalibrationMethod.EMA) >= 0.968, "ema " + tops);
        assertTrue(tops.get(CalibrationMethod.PERCENTILE) >= 0.96, "percentile " + tops);
        assertTrue(tops.get(CalibrationMethod.MSE) >= 0.96, "mse " + tops);
        assertTrue(tops.get(CalibrationMethod.ENTROPY) >= 0.96, "entropy " + tops);
        Model bc = Quantizer.of(model).int8().calibrate(calibration, 200).inputScale(SCALE).biasCorrection(true).apply();
        double tbc = QuantEval.top1(bc, eval, SCALE, 0);
        rows.add(String.format("%-10s %-11s %-8s %10.4f %10d", "int8", "minmax+bc", "channel", tbc,
                TfliteWriter.write(bc).length));
        assertTrue(tbc >= 0.968, "bias-corrected top-1 " + tbc);
        Model pt = Quantizer.of(model).int8().perTensor().calibrate(calibration, 200).inputScale(SCALE).apply();
        double tpt = QuantEval.top1(pt, eval, SCALE, 0);
        rows.add(String.format("%-10s %-11s %-8s %10.4f %10d", "int8", "minmax", "tensor", tpt,
                TfliteWriter.write(pt).length));
        Model i16 = Quantizer.of(model).int16x8().calibrate(calibration, 200).inputScale(SCALE).apply();
        double t16 = QuantEval.top1(i16, eval, SCALE, 0);
        rows.add(String.format("%-10s %-11s %-8s %10.4f %10d", "int16x8", "minmax", "channel", t16,
                TfliteWriter.write(i16).length));
        assertEquals(DataType.INT16, i16.graph().inputTensor(0).type());
        assertTrue(t16 >= floatTop1 - 0.002, "int16x8 top-1 " + t16);
        Model half = Quantizer.of(model).fp16().apply();
        double th = QuantEval.top1(half, eval, SCALE, 0);
        rows.add(String.format("%-10s %-11s %-8s %10.4f %10d", "fp16", "-", "-", th, TfliteWriter.write(half).length));
        assertTrue(Math.abs(th - floatTop1) <= 0.001, "fp16 top-1 " + th);
        double ratio = (double) weightBytes(half) / weightBytes(prepared);
        assertEquals(0.5, ratio, 0.001, "fp16 weight bytes ratio");
        Model dyn = Quantizer.of(model).dynamicRange().apply();
        double td = QuantEval.top1(dyn, eval, SCALE, 0);
        rows.add(String.format("%-10s %-11s %-8s %10.4f %10d", "dynamic", "-", "channel", td,
                TfliteWriter.write(dyn).length));
        assertTrue(td >= 0.968, "dynamic-range top-1 " + td);
        System.out.println("tiny_digits, calibration mnist10k[0:8000] (200), eval mnist10k[8000:10000]\n"
                + String.join("\n", rows) + String.format("%nfp16 weight bytes %d / float %d = %.3f", weightBytes(half),
                weightBytes(prepared), ratio));
        for (Model m : List.of(bc, pt, i16, half, dyn)) {
            byte[] flat = TfliteWriter.write(m);
            Model back = TfliteReader.read(flat, "x.tflite");
            assertArrayEquals(flat, TfliteWriter.write(back), "re-written flatbuffer differs");
            Interpreter a = Interpreter.create(m);
            Interpreter b = Interpreter.create(back);
            InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(SCALE).build();
            for (int i = 0; i < 100; i++) {
                byte[] x = map.toInputBytes(eval.get(i));
                assertArrayEquals(a.invoke(x)[0], b.invoke(x)[0], "outputs of the re-read model differ");
            }
        }
    }
}
