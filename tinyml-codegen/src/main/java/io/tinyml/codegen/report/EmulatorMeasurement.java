package io.tinyml.codegen.report;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.core.ModelException;
import io.tinyml.core.ir.Model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The generated firmware of a model measured on one of the QEMU boards of the {@code make} project:
 * its size ({@code make size-CORE}), the instructions one inference executes ({@code make mix-CORE},
 * whose total is {@code count-CORE}'s) and their classes. Immutable and thread-safe.
 *
 * <pre>{@code
 * EmulatorMeasurement m = EmulatorMeasurement.measure(model, input, Files.createTempDirectory("fw"),
 *         "qemu-riscv32-virt");
 * System.out.println(m.instructions() + " instructions, " + m.flash() + " B flash");
 * }</pre>
 *
 * @param target the emulated target, e.g. "qemu-mps2-an386"
 * @param text .text bytes (code, weights, constants)
 * @param data .data bytes
 * @param bss .bss bytes (arena, scratch, stack reserve)
 * @param instructions executed instructions of one inference
 * @param classes executed instructions by class (alu, mul, load, store, branch) and data accesses
 *                (flash-read, ram-read, write) of that inference
 */
public record EmulatorMeasurement(String target, long text, long data, long bss, long instructions,
                                  Map<String, Long> classes) {
    private static final Map<String, String> CORES = Map.of("qemu-mps2-an386", "m4", "qemu-mps2-an500", "m7",
            "qemu-riscv32-virt", "rv32");

    /** Copies. */
    public EmulatorMeasurement {
        classes = Map.copyOf(classes);
    }

    /** @return the emulated targets the generated project builds for */
    public static List<String> targets() {
        return List.of("qemu-mps2-an386", "qemu-mps2-an500", "qemu-riscv32-virt");
    }

    /** @return measured flash: text + data */
    public long flash() {
        return text + data;
    }

    /** @return measured RAM: data + bss */
    public long ram() {
        return data + bss;
    }

    /**
     * Generates, builds and runs a model's firmware for an emulated target.
     *
     * @param model the model
     * @param input the bytes of the inference's inputs, concatenated
     * @param dir an empty working directory
     * @param target one of {@link #targets()}
     * @return the measurement
     * @throws IllegalArgumentException if the target is not one of {@link #targets()}
     * @throws IOException if a build or run step fails or takes more than 10 minutes
     * @throws InterruptedException if interrupted
     * @throws ModelException if the model cannot be generated
     */
    public static EmulatorMeasurement measure(Model model, byte[] input, Path dir, String target)
            throws IOException, InterruptedException, ModelException {
        String core = CORES.get(target);
        if (core == null) {
            throw new IllegalArgumentException("expected an emulated target of the generated project, one of "
                    + targets() + ", found '" + target + "'");
        }
        for (String tool : core.equals("rv32")
                ? List.of("make", "riscv64-unknown-elf-gcc", "qemu-system-riscv32", "gcc")
                : List.of("make", "arm-none-eabi-gcc", "qemu-system-arm", "gcc")) {
            if (!onPath(tool)) {
                throw new IOException("expected " + tool + " on the PATH to measure on " + target + ", found none"
                        + " (Debian packages: " + (core.equals("rv32")
                        ? "gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc"
                        : "gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm") + ", gcc, make)");
            }
        }
        CodeGenerator.generate(model, CodegenOptions.defaults()).writeTo(dir, false);
        Files.write(dir.resolve("in.bin"), input);
        String[] lines = make(dir, "size-" + core).trim().split("\n");
        String[] f = lines[lines.length - 1].trim().split("\\s+");
        Map<String, Long> classes = new LinkedHashMap<>();
        long total = -1;
        for (String line : make(dir, "mix-" + core, "IN=in.bin").split("\n")) {
            int sp = line.lastIndexOf(' ');
            if (sp < 0 || !line.substring(sp + 1).trim().matches("\\d+")) {
                continue;
            }
            long v = Long.parseLong(line.substring(sp + 1).trim());
            String key = line.substring(0, sp).trim();
            if (key.equals("inference instructions")) {
                total = v;
            } else {
                classes.put(key, v);
            }
        }
        if (total < 0) {
            throw new IOException("expected an instruction count from make mix-" + core + " in " + dir + ", found none");
        }
        return new EmulatorMeasurement(target, Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                total, classes);
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String make(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("make", "-s"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "make", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (!done || p.exitValue() != 0) {
            String tail = out.length() > 2000 ? out.substring(out.length() - 2000) : out;
            throw new IOException((done ? "failed" : "timed out after 10 minutes") + ": " + String.join(" ", cmd)
                    + " in " + dir + "\n" + tail);
        }
        return out;
    }
}
