package io.tinyml.train;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.Toolchain;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.eval.QuantEval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DS-CNN described in code, trained from scratch on MNIST digits, quantized to int8 by tinyml-quantize,
 * generated as C by tinyml-codegen and run on an emulated Cortex-M4 (QEMU mps2-an386): top-1 is measured
 * by our interpreter on the exported models, on held-out digits, and the firmware must print the
 * interpreter's bytes. {@code -Dtinyml.train.epochs=N} overrides the epochs.
 */
class TrainFromSpecTest {
    static final float SCALE = 1f / 255;
    /** Epochs of the CI run: the full-length run (about 80 s of training on an idle core). */
    static final int EPOCHS = 12;

    static NetworkSpec dscnn() {
        return NetworkSpec.builder(28, 28, 1)
                .conv(32, 3, 1)
                .maxPool(2)
                .depthwiseSeparable(64, 1)
                .maxPool(2)
                .depthwiseSeparable(64, 1)
                .flatten()
                .dense(10)
                .build();
    }

    @Test
    void dscnnFromScratchThenInt8ThenGeneratedCOnQemuCortexM4(@TempDir Path dir) throws Exception {
        Dataset train = Digits.mnist(0, 8000);
        Dataset test = Digits.mnist(8000, 10000);
        int epochs = Integer.getInteger("tinyml.train.epochs", EPOCHS);
        Model init = dscnn().toModel(3);
        assertEquals(OpKind.BATCH_NORMALIZATION, init.graph().node(1).op().kind());
        TrainingResult r = Training.builder()
                .optOptimizer(OptimizerSpec.adam(2e-3f))
                .optSchedule(LearningRateSchedule.cosine())
                .optEpochs(epochs).optBatchSize(64).optSeed(1).optRandomShift(2)
                .optInputScale(SCALE)
                .build()
                .fit(init, train);
        Model trained = r.model();
        double floatTop1 = QuantEval.top1(trained, test, SCALE, 0f);
        Model folded = PassPipeline.standard().run(trained);
        Model q = Quantizer.of(folded).int8().perChannel().calibrate(train, 200).inputScale(SCALE).apply();
        double int8Top1 = QuantEval.top1(q, test, SCALE, 0f);
        System.out.printf("DS-CNN from scratch, %d epochs on mnist10k[0:8000]: float top-1 %.4f, int8 top-1 %.4f "
                + "on [8000:10000]; %s%n", epochs, floatTop1, int8Top1, r.history());
        assertTrue(floatTop1 >= 0.985, "float top-1 " + floatTop1);
        assertTrue(int8Top1 >= 0.98, "int8 top-1 " + int8Top1);

        Toolchain.require("make");
        Toolchain.require("arm-none-eabi-gcc");
        Toolchain.require("qemu-system-arm");
        CodeGenerator.generate(q, CodegenOptions.defaults()).writeTo(dir, false);
        Toolchain.run(dir, List.of("make", "-s", "qemu-m4"));
        InputMapping map = InputMapping.builder().setInput(q.graph().inputTensor(0)).optScale(SCALE).build();
        Interpreter interpreter = Interpreter.create(q);
        for (int i : new int[] {0, 1, 2}) {
            byte[] in = map.toInputBytes(test.get(i));
            Files.write(dir.resolve("in.bin"), in);
            Toolchain.run(dir, List.of("make", "-s", "run-qemu-m4", "IN=in.bin", "OUT=m4.bin"));
            byte[] expected = interpreter.invoke(in)[0];
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("m4.bin")), "digit " + i + " on QEMU Cortex-M4");
        }
    }
}
