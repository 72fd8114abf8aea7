package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.quantize.CalibrationMethod;
import io.tinyml.train.internal.Observations;
import io.tinyml.train.internal.TrainingData;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.eval.QuantEval;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantization-aware fine-tuning of tiny_digits: the result goes through tinyml-quantize's int8
 * post-training quantization unchanged; int8 top-1 (our interpreter, held-out digits) is compared with
 * int8 quantization of the original model.
 */
class QuantizationAwareTest {
    static final float SCALE = 1f / 255;

    static double int8Top1(Model m, Dataset cal, Dataset test) throws Exception {
        Model q = Quantizer.of(PassPipeline.standard().run(m)).int8().perChannel().calibrate(cal, 200)
                .inputScale(SCALE).apply();
        return QuantEval.top1(q, test, SCALE, 0f);
    }

    @Test
    void fakeQuantizedForwardTracksTheInt8Interpreter() throws Exception {
        Model m = Digits.tinyDigits();
        Dataset cal = Digits.mnist(0, 300);
        Dataset test = Digits.mnist(8000, 8500);
        Model folded = PassPipeline.standard().run(m);
        Model q = Quantizer.of(folded).int8().perChannel().calibrate(cal, 300).method(CalibrationMethod.MINMAX)
                .inputScale(SCALE).floatIO(true).apply();
        InputMapping map = InputMapping.builder().setInput(folded.graph().inputTensor(0)).optScale(SCALE).build();
        Interpreter int8 = Interpreter.create(q);
        Interpreter fp32 = Interpreter.create(folded);
        int agreeQat = 0;
        int agreeFloat = 0;
        double qatErr = 0;
        double floatErr = 0;
        try (TrainableModel t = TrainableModel.of(folded)) {
            t.block().setFakeQuantization(Observations.ranges(folded, TrainingData.of(cal, map, 10, "cal"), 300));
            for (int i = 0; i < test.size(); i++) {
                float[] x = map.toRealValues(test.get(i));
                float[] ref = int8.invokeFloat(x)[0];
                float[] fq = t.forward(1, x)[0];
                float[] fl = fp32.invokeFloat(x)[0];
                agreeQat += argmax(ref) == argmax(fq) ? 1 : 0;
                agreeFloat += argmax(ref) == argmax(fl) ? 1 : 0;
                qatErr += TrainableModelTest.maxAbs(ref, fq);
                floatErr += TrainableModelTest.maxAbs(ref, fl);
            }
        }
        System.out.printf("int8 interpreter vs fake-quantized DJL forward: top-1 agreement %d/%d, mean max-abs logit "
                + "difference %.4f; vs the float model: %d/%d, %.4f%n", agreeQat, test.size(), qatErr / test.size(),
                agreeFloat, test.size(), floatErr / test.size());
        // fake quantization models the int8 arithmetic: closer to it than the float model is
        assertTrue(qatErr < floatErr / 2, qatErr + " vs " + floatErr);
        assertTrue(agreeQat >= agreeFloat && agreeQat >= test.size() - 3, agreeQat + " vs " + agreeFloat);
    }

    private static int argmax(float[] v) {
        int a = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[a]) {
                a = i;
            }
        }
        return a;
    }

    @Test
    void qatFineTuneQuantizesAtLeastAsWell() throws Exception {
        Model m = Digits.tinyDigits();
        Dataset train = Digits.mnist(0, 8000);
        Dataset test = Digits.mnist(8000, 10000);
        double ptq = int8Top1(m, train, test);
        TrainingResult r = Training.builder().optQuantizationAware(500)
                .optOptimizer(OptimizerSpec.adam(1e-4f)).optSchedule(LearningRateSchedule.cosine())
                .optEpochs(1).optBatchSize(32).optSeed(1).optInputScale(SCALE)
                .build().fit(m, train);
        double qat = int8Top1(r.model(), train, test);
        double qatFloat = QuantEval.top1(r.model(), test, SCALE, 0f);
        System.out.printf("tiny_digits int8 top-1 on mnist10k[8000:10000]: PTQ of the original %.4f, after 1 epoch of "
                + "quantization-aware fine-tuning %.4f (its float top-1 %.4f)%n", ptq, qat, qatFloat);
        assertTrue(qat >= ptq - 0.002, "QAT int8 " + qat + " vs PTQ int8 " + ptq);
    }
}
