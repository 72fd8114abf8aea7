package io.tinyml.codegen.report;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.core.ModelException;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.ir.Model;
import io.tinyml.core.target.TargetCatalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds a model's generated firmware for the QEMU Cortex-M4 board, measures it ({@code make
 * size-m4}, {@code make count-m4}) and puts the estimator's {@code generated} prediction next to it.
 *
 * @param model a label
 * @param text firmware .text bytes (code, weights, constants)
 * @param data firmware .data bytes
 * @param bss firmware .bss bytes (arena, scratch, harness buffers, stack)
 * @param instructions executed instructions of one inference
 * @param estFlash the estimator's flash bytes
 * @param estRam the estimator's RAM bytes
 * @param estInstructions the estimator's instructions (cycles on the QEMU board)
 */
public record FirmwareMeasurement(String model, long text, long data, long bss, long instructions, long estFlash,
                                  long estRam, long estInstructions) {

    /**
     * Generates, builds and measures a model.
     *
     * @param label a label
     * @param model the model
     * @param input the input bytes of the counted inference
     * @param dir an empty working directory
     * @return the measurement
     * @throws IOException if a build step fails
     * @throws InterruptedException if interrupted
     * @throws ModelException if the model cannot be generated or estimated
     */
    public static FirmwareMeasurement measure(String label, Model model, byte[] input, Path dir)
            throws IOException, InterruptedException, ModelException {
        return measure(label, model, input, dir, CodegenOptions.defaults());
    }

    /**
     * Generates with the given options, builds and measures a model.
     *
     * @param label a label
     * @param model the model
     * @param input the input bytes of the counted inference
     * @param dir an empty working directory
     * @param options the code generation options
     * @return the measurement
     * @throws IOException if a build step fails
     * @throws InterruptedException if interrupted
     * @throws ModelException if the model cannot be generated or estimated
     */
    public static FirmwareMeasurement measure(String label, Model model, byte[] input, Path dir,
                                              CodegenOptions options)
            throws IOException, InterruptedException, ModelException {
        CodeGenerator.generate(model, options).writeTo(dir, false);
        Files.write(dir.resolve("in.bin"), input);
        String size = run(dir, List.of("make", "-s", "size-m4"));
        String[] lines = size.trim().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        String count = run(dir, List.of("make", "-s", "count-m4", "IN=in.bin"));
        String[] words = count.trim().split("\\s+");
        Estimate e = Estimator.builder().setTarget(TargetCatalog.get("qemu-mps2-an386"))
                .optKernels(KernelLibrary.GENERATED).build().estimate(model.graph(), label);
        return new FirmwareMeasurement(label, Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(words[words.length - 1]), e.flashBytes(), e.ramBytes(), e.cycles());
    }

    /** @return measured flash: text + data */
    public long flash() {
        return text + data;
    }

    /** @return measured RAM: data + bss */
    public long ram() {
        return data + bss;
    }

    private static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("command failed: " + cmd + "\n" + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
