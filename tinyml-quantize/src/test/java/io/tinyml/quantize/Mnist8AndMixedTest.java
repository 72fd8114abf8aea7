package io.tinyml.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.eval.QuantEval;
import org.junit.jupiter.api.Test;

/** mnist8 (raw pixels) int8 accuracy drop, and mixed precision on tiny_digits. */
class Mnist8AndMixedTest {
    private static String mnist() {
        return Assets.require("datasets/mnist10k").toString();
    }

    @Test
    void mnist8Int8DropsAtMostPointThreePercentagePoints() throws Exception {
        Model f = ModelIO.read(Assets.require("models/onnx/mnist8/model.onnx"));
        Dataset cal = Datasets.open(mnist() + "[0:8000]");
        Dataset eval = Datasets.open(mnist() + "[8000:10000]");
        Model q = Quantizer.of(f).int8().perChannel().calibrate(cal, 200).apply();
        double ft = QuantEval.top1(Quantizer.prepare(f), eval, 1f, 0f);
        double qt = QuantEval.top1(q, eval, 1f, 0f);
        System.out.printf("mnist8 on mnist10k[8000:10000]: float %.4f, int8 %.4f, drop %.2f pp%n", ft, qt, 100 * (ft - qt));
        assertTrue(ft - qt <= 0.003, "drop " + (ft - qt));
        assertTrue(ft > 0.95, "float top-1 " + ft);
    }

    private static String table(String title, MixedPrecisionResult r, Dataset eval) throws Exception {
        StringBuilder sb = new StringBuilder(String.format("%s: validation float %.4f, mixed %.4f, output noise %.2e,"
                + " met %s%n", title, r.floatTop1(), r.quantTop1(), r.outputNoise(), r.targetMet()));
        long total = 0;
        for (LayerChoice c : r.layers()) {
            sb.append(String.format("  %-28s %-6s sensitivity %.2e  %6d bytes%n", c.name(), c.precision(),
                    c.sensitivity(), c.weightBytes()));
            total += c.weightBytes();
        }
        sb.append(String.format("  weight bytes %d; eval mnist10k[8000:10000] top-1 %.4f%n", total,
                QuantEval.top1(r.model(), eval, 1f / 255, 0f)));
        return sb.toString();
    }

    @Test
    void mixedPrecisionMeetsTheTargetWithTheSmallestChoice() throws Exception {
        Model f = ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
        Dataset cal = Datasets.open(mnist() + "[0:8000]");
        Dataset eval = Datasets.open(mnist() + "[8000:10000]");
        MixedPrecisionResult r = Quantizer.of(f).mixed().calibrate(cal, 200).inputScale(1f / 255)
                .maxAccuracyDrop(0.001).validation(cal.slice(200, 8000), 2000).apply();
        System.out.print(table("mixed, max top-1 drop 0.001 (validation mnist10k[200:2200])", r, eval));
        assertTrue(r.targetMet());
        assertTrue(r.floatTop1() - r.quantTop1() <= 0.001);
        assertEquals(8, r.layers().size());
        // all int8 already meets 0.001 here, so nothing stays wider: the smallest model is all int8
        assertTrue(r.layers().stream().allMatch(c -> c.precision() == Precision.INT8));

        MixedPrecisionResult e = Quantizer.of(f).mixed().calibrate(cal, 200).inputScale(1f / 255)
                .maxAccuracyDrop(0.001).maxOutputNoise(2e-3).validation(cal.slice(200, 8000), 2000).apply();
        System.out.print(table("mixed, max top-1 drop 0.001 and output noise 2e-3", e, eval));
        assertTrue(e.targetMet());
        assertTrue(e.outputNoise() <= 2e-3);
        assertTrue(e.layers().stream().anyMatch(c -> c.precision() != Precision.INT8), "some layer stays wider");
        assertTrue(e.layers().stream().anyMatch(c -> c.precision() == Precision.INT8), "some layer is int8");
    }
}
