package io.tinyml.samples;

import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.EstimateReports;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.FitCheck;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;

import java.nio.file.Path;

/**
 * Know before you flash: prints whether a model fits a board (every violated budget with its
 * numbers), then the full estimate — flash, RAM, arena, latency and energy per layer.
 *
 * <pre>
 * ./mvnw -B -pl samples -am -DskipTests package exec:java -Dexec.mainClass=io.tinyml.samples.FitReport \
 *     -Dexec.args="../shared/assets/models/tflite/person_detect/person_detect.tflite hifive1-revb optimized"
 * </pre>
 */
public final class FitReport {
    private FitReport() {
    }

    /**
     * Builds the report of a model on a board.
     *
     * @param model the model file
     * @param target the target name (see {@link TargetCatalog})
     * @param kernels the kernel library
     * @return the fit check followed by the text report
     * @throws Exception if the model cannot be read, or the target or library is unknown
     */
    public static String report(Path model, String target, KernelLibrary kernels) throws Exception {
        Model m = ModelIO.read(model);
        Target t = TargetCatalog.get(target);
        FitCheck fit = Estimator.builder().setTarget(t).optKernels(kernels).build().check(m);
        Estimate e = fit.estimate();
        return fit.describe() + "\n" + EstimateReports.text(e);
    }

    /**
     * Prints the report.
     *
     * @param args MODEL [TARGET [KERNELS]]; defaults: the target cortex-m4 and reference kernels
     * @throws Exception if anything fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: FitReport MODEL [TARGET [reference|optimized|generated]]");
            System.exit(2);
        }
        String target = args.length > 1 ? args[1] : "cortex-m4";
        KernelLibrary k = args.length > 2 ? KernelLibrary.parse(args[2]) : KernelLibrary.REFERENCE;
        System.out.print(report(Path.of(args[0]), target, k));
    }
}
