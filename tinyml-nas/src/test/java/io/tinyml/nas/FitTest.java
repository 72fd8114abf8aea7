package io.tinyml.nas;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.eval.QuantEval;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java API of fit on mnist-8 with a flash budget below its int8 size: PTQ is rejected for flash,
 * pruning takes over; the accepted model is re-estimated and re-scored independently of the report.
 */
class FitTest {

    @Test
    void pruningTakesOverWhenPtqIsTooBig() throws Exception {
        Model f = ModelIO.read(Assets.require("models/onnx/mnist8/model.onnx"));
        Dataset train = TinySearch.mnist(0, 4000);
        Dataset eval = TinySearch.mnist(8000, 8500);
        List<String> events = new ArrayList<>();
        FitReport r = Fit.of(f)
                .setConstraints(Constraints.builder().setTarget("cortex-m4").optMaxFlash(10 * 1024).build())
                .setMinAccuracy(0.965).setData(train, eval).optSearch(false)
                .optListener((task, done, total) -> events.add(task + " " + done + "/" + total))
                .run();
        System.out.print(r.toText());
        System.out.println(r.toJson());
        FitStep ptq = r.steps().get(0);
        assertTrue(ptq.name().startsWith("int8 PTQ"));
        assertEquals("flash", ptq.shortfalls().get(0).constraint());
        assertTrue(ptq.flashBytes() > 10 * 1024);
        assertTrue(r.fits(), r.toText());
        assertTrue(r.accepted().name().startsWith("structured pruning"), r.accepted().name());
        long flash = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).optKernels(KernelLibrary.GENERATED)
                .build().estimate(r.model()).flashBytes();
        assertEquals(r.accepted().flashBytes(), flash);
        assertTrue(flash <= 10 * 1024);
        double top1 = QuantEval.top1(r.model(), eval, 1f, 0f);
        assertEquals(r.accepted().accuracy(), top1, 1e-12);
        assertTrue(top1 >= 0.965);
        assertTrue(events.contains("fit 1/5"), events.toString());
    }
}
