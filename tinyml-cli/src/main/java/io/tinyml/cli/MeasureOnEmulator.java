package io.tinyml.cli;

import io.tinyml.codegen.report.EmulatorMeasurement;
import io.tinyml.core.ModelException;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.FigureBasis;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.ir.Model;
import io.tinyml.core.target.Target;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** {@code estimate --measure}: the generated firmware measured under QEMU, rendered next to the estimate. */
final class MeasureOnEmulator {
    private MeasureOnEmulator() {
    }

    /**
     * Builds and runs the generated firmware in a temporary directory (removed afterwards). The input is
     * the reference pattern of the project's tests: byte i is (i*97 + 13) mod 256.
     */
    static EmulatorMeasurement run(Model m, Target t, KernelLibrary k, PrintWriter err)
            throws IOException, InterruptedException, ModelException {
        if (!EmulatorMeasurement.targets().contains(t.name())) {
            throw new BadInputException("expected --measure with an emulated target of the generated project, one of "
                    + EmulatorMeasurement.targets() + ", found '" + t.name() + "'");
        }
        if (k != KernelLibrary.GENERATED) {
            throw new BadInputException("expected --kernels generated with --measure (the measured firmware is the"
                    + " generated C), found " + k.cliName());
        }
        long bytes = 0;
        for (int i = 0; i < m.graph().inputs().size(); i++) {
            bytes += m.graph().inputTensor(i).byteSize();
        }
        byte[] input = new byte[Math.toIntExact(bytes)];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ((i * 97 + 13) % 256);
        }
        err.println("tinyml estimate: measuring on " + t.name() + " (generate, build, one inference under QEMU)...");
        err.flush();
        Path dir = Files.createTempDirectory("tinyml-measure");
        try {
            return EmulatorMeasurement.measure(m, input, dir, t.name());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static Map<String, Object> toMap(EmulatorMeasurement r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("basis", FigureBasis.MEASURED.label());
        m.put("target", r.target());
        m.put("flashBytes", r.flash());
        m.put("ramBytes", r.ram());
        m.put("text", r.text());
        m.put("data", r.data());
        m.put("bss", r.bss());
        m.put("instructions", r.instructions());
        m.put("classes", new LinkedHashMap<>(r.classes()));
        return m;
    }

    private static String delta(double estimated, double measured) {
        return String.format(Locale.ROOT, "%+.1f %%", 100 * (estimated / measured - 1));
    }

    static String text(Estimate e, EmulatorMeasurement r) {
        return String.format(Locale.ROOT, "measured:   flash %,d B, RAM %,d B, %,d instructions = %.3f ms [%s on %s]%n"
                        + "            estimate vs measured: flash %s, RAM %s, cycles %s%n", r.flash(), r.ram(),
                r.instructions(), r.instructions() / (e.target().clockMhz() * 1000), FigureBasis.MEASURED.label(),
                r.target(), delta(e.flashBytes(), r.flash()), delta(e.ramBytes(), r.ram()),
                delta(e.cycles(), r.instructions()));
    }

    static String markdown(Estimate e, EmulatorMeasurement r) {
        return String.format(Locale.ROOT, "%n| measured on %s | value | estimate vs measured |%n|---|---:|---:|%n"
                        + "| flash | %,d B | %s |%n| RAM | %,d B | %s |%n| instructions | %,d | %s |%n", r.target(),
                r.flash(), delta(e.flashBytes(), r.flash()), r.ram(), delta(e.ramBytes(), r.ram()), r.instructions(),
                delta(e.cycles(), r.instructions()));
    }
}
