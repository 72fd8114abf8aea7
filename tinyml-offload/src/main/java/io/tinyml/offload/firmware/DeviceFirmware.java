package io.tinyml.offload.firmware;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.GeneratedProject;
import io.tinyml.codegen.ProjectKind;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.offload.profile.ModelSplit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Generates, builds and runs the device half of a split: the prefix model's C (tinyml-codegen's
 * {@code make} project) whose firmware driver ({@code fw/fw_main.c}) is replaced by this module's
 * {@code split_main.c}, which prints each cut tensor as hex on the semihosting console. Thread-safe
 * (stateless); every external process has a bounded wait.
 *
 * <pre>{@code
 * GeneratedProject p = DeviceFirmware.generate(split, "split");
 * p.writeTo(dir, false);
 * DeviceFirmware.build(dir, Duration.ofMinutes(5));
 * byte[][] cut = DeviceFirmware.runQemuM4(dir, inputFile, split.sentTensors().size(), Duration.ofMinutes(2));
 * }</pre>
 */
public final class DeviceFirmware {
    private static final Logger log = LoggerFactory.getLogger(DeviceFirmware.class);

    private DeviceFirmware() {
    }

    /**
     * Generates the prefix's project with the split driver.
     *
     * @param split the split (must have a prefix and something sent)
     * @param prefix the C identifier prefix
     * @return the project files
     * @throws UnsupportedOperatorException if a prefix node has no C kernel
     * @throws IllegalArgumentException if the split has no prefix or sends nothing
     */
    public static GeneratedProject generate(ModelSplit split, String prefix) throws UnsupportedOperatorException {
        Model pm = split.prefix();
        if (pm == null || split.sentTensors().isEmpty()) {
            throw new IllegalArgumentException("expected a split with a device prefix that sends tensors, found "
                    + split.id());
        }
        GeneratedProject p = CodeGenerator.generate(pm, new CodegenOptions(prefix, ProjectKind.MAKE));
        Graph g = pm.graph();
        List<String> in = new ArrayList<>();
        for (int i = 0; i < g.inputs().size(); i++) {
            in.add(String.valueOf(g.inputTensor(i).byteSize()));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < g.outputs().size(); i++) {
            out.add(String.valueOf(g.outputTensor(i).byteSize()));
        }
        String driver = resource("split_main.c").replace("@P@", prefix).replace("@IN_BYTES@", String.join(", ", in))
                .replace("@OUT_BYTES@", String.join(", ", out)).replace("@NI@", String.valueOf(in.size()))
                .replace("@NO@", String.valueOf(out.size()))
                .replace("@NS@", String.valueOf(split.sentTensors().size()));
        Map<String, String> files = new HashMap<>(p.files());
        files.put("fw/fw_main.c", driver);
        return new GeneratedProject(files, p.arenaBytes(), p.weightBytes());
    }

    private static String resource(String name) {
        try (InputStream s = DeviceFirmware.class.getResourceAsStream(name)) {
            if (s == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds the Cortex-M4 firmware ({@code make qemu-m4}).
     *
     * @param dir the project directory
     * @param timeout the longest wait
     * @throws IOException if make fails or times out (the message holds its output)
     * @throws InterruptedException if interrupted
     */
    public static void build(Path dir, java.time.Duration timeout) throws IOException, InterruptedException {
        run(dir, List.of("make", "-s", "qemu-m4"), timeout);
    }

    /**
     * Runs the firmware on QEMU mps2-an386 and reads the cut tensors it prints.
     *
     * @param dir the built project directory
     * @param input the input file (the prefix's inputs concatenated)
     * @param count the number of cut tensors
     * @param timeout the longest wait
     * @return the cut tensors' bytes
     * @throws IOException if QEMU fails, times out, or prints something malformed
     * @throws InterruptedException if interrupted
     */
    public static byte[][] runQemuM4(Path dir, Path input, int count, java.time.Duration timeout)
            throws IOException, InterruptedException {
        String out = run(dir, List.of("qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none",
                "-serial", "none", "-semihosting-config", "enable=on,target=native,arg=firmware,arg="
                        + input.toAbsolutePath(), "-kernel", "build/m4/firmware.elf"), timeout);
        return parse(out, count);
    }

    /**
     * Parses the driver's console output.
     *
     * @param text the console text
     * @param count the number of tensors expected
     * @return the tensors' bytes
     * @throws IOException if the text breaks the format (the message says where)
     */
    public static byte[][] parse(String text, int count) throws IOException {
        String[] lines = text.split("\n");
        byte[][] r = new byte[count][];
        int i = 0;
        int seen = 0;
        while (i < lines.length && !lines[i].startsWith("CUT ")) {
            if (lines[i].startsWith("ERROR")) {
                throw new IOException("firmware: " + lines[i]);
            }
            i++;
        }
        while (i < lines.length && lines[i].startsWith("CUT ")) {
            String[] w = lines[i].trim().split(" ");
            int idx = Integer.parseInt(w[1]);
            int len = Integer.parseInt(w[2]);
            if (idx != seen || idx >= count) {
                throw new IOException("firmware output: expected CUT " + seen + ", found '" + lines[i] + "'");
            }
            byte[] b = new byte[len];
            int pos = 0;
            i++;
            while (pos < len) {
                if (i >= lines.length) {
                    throw new IOException("firmware output ends inside tensor " + idx + " (" + pos + " of " + len + " B)");
                }
                String h = lines[i++].trim();
                if (h.length() % 2 != 0 || pos + h.length() / 2 > len) {
                    throw new IOException("firmware output: bad hex line in tensor " + idx);
                }
                for (int k = 0; k < h.length(); k += 2) {
                    b[pos++] = (byte) Integer.parseInt(h.substring(k, k + 2), 16);
                }
            }
            r[seen++] = b;
        }
        if (seen != count || i >= lines.length || !lines[i].trim().equals("END")) {
            throw new IOException("firmware output: expected " + count + " tensors then END, found " + seen);
        }
        return r;
    }

    /**
     * Measures each node's executed instructions on QEMU Cortex-M4: generates the whole model's
     * project, builds its profiling firmware ({@code make profile-m4}) and reads the per-node counts
     * that codegen's TCG plugin prints.
     *
     * @param model the model
     * @param dir an empty working directory
     * @param input the model's input bytes (concatenated inputs)
     * @param timeout the longest wait for the build and the run together
     * @return instructions per node, in graph order
     * @throws UnsupportedOperatorException if a node has no C kernel
     * @throws IOException if a tool fails, or the counts do not cover every node
     * @throws InterruptedException if interrupted
     */
    public static long[] instructionsPerNodeM4(Model model, Path dir, byte[] input, java.time.Duration timeout)
            throws UnsupportedOperatorException, IOException, InterruptedException {
        CodeGenerator.generate(model, new CodegenOptions("prof", ProjectKind.MAKE)).writeTo(dir, false);
        Files.write(dir.resolve("in.bin"), input);
        String out = run(dir, List.of("make", "-s", "profile-m4", "IN=in.bin"), timeout);
        int n = model.graph().nodes().size();
        long[] counts = new long[n];
        int seen = 0;
        for (String line : out.split("\n")) {
            String[] w = line.trim().split(" ");
            if (w.length == 4 && w[0].equals("node") && w[2].equals("instructions")) {
                int i = Integer.parseInt(w[1]);
                if (i < 0 || i >= n) {
                    throw new IOException("profile names node " + i + ", the model has " + n);
                }
                counts[i] = Long.parseLong(w[3]);
                seen++;
            }
        }
        if (seen != n) {
            throw new IOException("expected instruction counts for " + n + " nodes, found " + seen);
        }
        return counts;
    }

    private static String run(Path dir, List<String> cmd, java.time.Duration timeout)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("split-fw-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IOException("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", cmd));
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + text);
            }
            DeviceFirmware.log.debug("{}: {} chars of output", cmd.get(0), text.length());
            return text;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
