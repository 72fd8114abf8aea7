package io.tinyml.core.estimate;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EstimatorTest {
    @Test
    void personOnHifive1NamesTheRamOverrun() throws Exception {
        Model person = ModelIO.read(Assets.require("models/tflite/person_detect/person_detect.tflite"));
        FitCheck fit = Estimator.builder().setTarget(TargetCatalog.get("hifive1-revb"))
                .optKernels(KernelLibrary.REFERENCE).build().check(person);
        assertFalse(fit.fits());
        Violation ram = fit.violations().get(0);
        assertEquals("RAM", ram.budget());
        assertEquals(16_384, ram.available());
        assertEquals(fit.estimate().ramBytes() - 16_384, ram.overrun());
        // arena 81,716 + stack 4,096 + static 1,024
        assertEquals(86_836 - 16_384, ram.overrun());
        assertTrue(fit.describe().contains("RAM: needs 86,836 B, target has 16,384 B (70,452 B over)"), fit.describe());
        assertTrue(Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).optKernels(KernelLibrary.OPTIMIZED).build()
                .check(person).fits());
    }

    @Test
    void cortexM7ScalesByCoremark() throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        Estimate m4 = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).build().estimate(kws);
        Estimate m7 = Estimator.builder().setTarget(TargetCatalog.get("cortex-m7")).build().estimate(kws);
        assertEquals(m4.cycles() * 3.40 / 5.01, m7.cycles(), m4.cycles() * 1e-5);
        assertEquals(m4.cycles() / 84_000.0, m4.latencyMs(), 1e-6);
        // 34.9 mW: STM32F411 datasheet run-mode figure at 84 MHz
        assertEquals(m4.latencyMs() * 34.9, m4.energyUj(), 1e-6);
        // no verified figure for the generic Cortex-M7: no energy estimate rather than a guess
        assertEquals(0.0, m7.energyUj());
        assertTrue(m7.notes().stream().anyMatch(n -> n.startsWith("energy: not estimated")), m7.notes().toString());
        long layerSum = m4.layers().stream().mapToLong(LayerEstimate::cycles).sum();
        assertEquals(m4.cycles(), layerSum);
    }

    @Test
    void flashTermsOfKws() throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        Estimate ref = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).build().estimate(kws);
        assertEquals(24_368, ref.flash().weights());
        assertEquals(32_277 + 4_484, ref.flash().kernelCode());
        assertEquals(16_579, ref.flash().runtime());
        Estimate opt = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).optKernels(KernelLibrary.OPTIMIZED)
                .build().estimate(kws);
        assertEquals(48_973, opt.flash().kernelCode());
    }

    @Test
    void optimizedFallsBackToReferenceWithoutSimd() throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        Estimate e = Estimator.builder().setTarget(TargetCatalog.get("rpi-pico")).optKernels(KernelLibrary.OPTIMIZED)
                .build().estimate(kws);
        Estimate r = Estimator.builder().setTarget(TargetCatalog.get("rpi-pico")).build().estimate(kws);
        assertEquals(r.cycles(), e.cycles());
        assertTrue(e.notes().get(0).startsWith("no optimized kernels for Cortex-M0+"), e.notes().toString());
    }

    @Test
    void generatedPlansActivationsAsTheGeneratedCDoes() {
        // an inverted bottleneck: 1x1 expand to 32 channels, 3x3 depthwise, 1x1 project (float, 8x8)
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 8, 8, 4)));
        int w0 = b.addTensor(Tensor.ofFloats("w0", Shape.of(32, 1, 1, 4), new float[128]));
        int e = b.addTensor(Tensor.activation("e", DataType.FLOAT32, Shape.of(1, 8, 8, 32)));
        b.addNode("expand", new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.NONE), List.of(x, w0), List.of(e));
        int w1 = b.addTensor(Tensor.ofFloats("w1", Shape.of(1, 3, 3, 32), new float[288]));
        int d = b.addTensor(Tensor.activation("d", DataType.FLOAT32, Shape.of(1, 8, 8, 32)));
        b.addNode("dw", new Op.DepthwiseConv2D(1, 1, 1, 1, Padding.SAME, 1, Activation.NONE), List.of(e, w1),
                List.of(d));
        int w2 = b.addTensor(Tensor.ofFloats("w2", Shape.of(4, 1, 1, 32), new float[128]));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 8, 8, 4)));
        b.addNode("project", new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.NONE), List.of(d, w2), List.of(y));
        b.addOutput(y);
        Model m = Model.of(b.build(), Provenance.builtInCode("bottleneck"));
        Estimate ref = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).build().estimate(m);
        Estimate gen = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4"))
                .optKernels(KernelLibrary.GENERATED).build().estimate(m);
        // reference: e and d live together at the depthwise step
        assertEquals(2 * 8192, ref.ram().activations());
        // generated: tinyml-codegen plans its arena with PlanProblem.reshapeOnly() (no in-place depthwise), so
        // e and d also live together at the depthwise step
        assertEquals(2 * 8192, gen.ram().activations());
        assertEquals(2 * 8192, gen.layers().get(1).liveBytes());
        assertTrue(gen.notes().stream().noneMatch(n -> n.startsWith("generated kernels: PROVISIONAL")),
                "generated coefficients are calibrated on the codegen firmware");
        assertEquals(0, gen.ram().requantization());
    }

    @Test
    void reportsCarryTheContractKeys() throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        Estimate e = Estimator.builder().setTarget(TargetCatalog.get("nucleo-l4r5zi")).build().estimate(kws);
        String json = EstimateReports.json(e);
        for (String k : List.of("target", "kernels", "flashBytes", "ramBytes", "arenaBytes", "cycles", "latencyMs",
                "energyUj", "fits", "violations", "unsupportedOps", "layers", "node", "op", "macs", "liveBytes")) {
            assertTrue(json.contains("\"" + k + "\":"), k);
        }
        String svg = EstimateReports.svg(e);
        assertTrue(svg.contains("arena peak 16,000 B"));
        assertEquals(2 * 13, svg.split("<title>").length - 1, "13 live-memory and 13 latency bars");
        assertTrue(EstimateReports.markdown(e).contains("| RAM | 27,500 B | 655,360 B |"));
        assertTrue(EstimateReports.text(e).contains("arena 22,380"));
    }
}
