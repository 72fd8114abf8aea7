package io.tinyml.cli;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.tinyml.cli.CliTest.assertOneLineFailure;
import static io.tinyml.cli.CliTest.tinyml;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every verb that writes refuses to replace what the user has without {@code --force}, never writes onto
 * its own input (not even with {@code --force}), and leaves no temporary file behind.
 */
class OutputSafetyTest {
    private static final byte[] MINE = "the user's own file\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    @Test
    void everyWritingVerbRefusesAnExistingOutput() throws Exception {
        Path hello = Assets.require("models/tflite/hello_world_int8.tflite");
        Path digits = Assets.require("models/pytorch/tiny_digits.onnx");
        String mnist = Assets.require("datasets/mnist10k") + "[0:20]";
        Path in = tmp.resolve("in.bin");
        Files.write(in, new byte[1]);
        Path dump = Files.createDirectories(tmp.resolve("dump"));
        Files.write(dump.resolve("notes.txt"), MINE);
        Path cdir = Files.createDirectories(tmp.resolve("c"));
        Files.write(cdir.resolve("main.c"), MINE);

        List<List<Object>> verbs = List.of(
                List.of("convert", hello, "--output", mine("copy.tflite")),
                List.of("convert", hello, "--output", mine("copy.onnx")),
                List.of("quantize", digits, "--calibration", mnist, "--samples", 5, "--output", mine("q.tflite")),
                List.of("codegen", hello, "--target", "cortex-m4", "--output", mine("c_as_file")),
                List.of("codegen", hello, "--target", "cortex-m4", "--output", cdir),
                List.of("estimate", hello, "--target", "cortex-m4", "--svg", mine("report.svg")),
                List.of("run", hello, "--input", in, "--output", mine("out.bin")),
                List.of("run", hello, "--input", in, "--dump", dump),
                // refused before it connects to the edge
                List.of("split", "run", hello, "--edge", "127.0.0.1:9", "--input", in, "--output", mine("split.bin")));
        for (List<Object> verb : verbs) {
            CliTest.Outcome o = run(verb);
            assertOneLineFailure(o, "--force");
        }
        assertUntouched();
        assertArrayEquals(MINE, Files.readAllBytes(dump.resolve("notes.txt")));
        assertArrayEquals(MINE, Files.readAllBytes(cdir.resolve("main.c")));
        try (Stream<Path> s = Files.list(dump)) {
            assertEquals(1, s.count(), "nothing written into the dump directory");
        }
        try (Stream<Path> s = Files.list(cdir)) {
            assertEquals(1, s.count(), "nothing written into the code directory");
        }

        // with --force, each writes; the unrelated file in a directory output stays
        for (List<Object> verb : verbs) {
            CliTest.Outcome o = run(verb, "--force");
            assertEquals(0, o.status(), verb + ": " + o.err());
        }
        assertFalse(java.util.Arrays.equals(MINE, Files.readAllBytes(tmp.resolve("copy.tflite"))));
        assertTrue(Files.readString(tmp.resolve("report.svg")).startsWith("<svg"));
        assertTrue(Files.isDirectory(tmp.resolve("c_as_file")), "a forced directory output replaces a file");
        assertArrayEquals(MINE, Files.readAllBytes(dump.resolve("notes.txt")));
        assertArrayEquals(MINE, Files.readAllBytes(cdir.resolve("main.c")));
        assertTrue(Files.exists(cdir.resolve("tinyml_model.c")));
        assertNoTemporaryFiles();
    }

    @Test
    void noVerbWritesOntoItsOwnInputEvenWithForce() throws Exception {
        Path hello = copy(Assets.require("models/tflite/hello_world_int8.tflite"), "hello.tflite");
        Path digits = copy(Assets.require("models/pytorch/tiny_digits.onnx"), "digits.onnx");
        String mnist = Assets.require("datasets/mnist10k") + "[0:20]";
        Path in = tmp.resolve("in.bin");
        Files.write(in, new byte[1]);
        byte[] helloBytes = Files.readAllBytes(hello);
        byte[] digitsBytes = Files.readAllBytes(digits);

        List<List<Object>> verbs = List.of(
                List.of("convert", hello, "--output", hello),
                List.of("convert", hello, "--output", tmp.resolve(".").resolve("hello.tflite")),
                List.of("quantize", digits, "--calibration", mnist, "--samples", 5, "--output", digits),
                List.of("codegen", hello, "--target", "cortex-m4", "--output", tmp),
                List.of("codegen", hello, "--target", "cortex-m4", "--output", hello),
                List.of("estimate", hello, "--target", "cortex-m4", "--svg", hello),
                List.of("run", hello, "--input", in, "--output", in),
                List.of("run", hello, "--input", in, "--output", hello),
                List.of("run", hello, "--input", in, "--dump", tmp));
        for (List<Object> verb : verbs) {
            assertOneLineFailure(run(verb, "--force"), "input");
        }
        assertArrayEquals(helloBytes, Files.readAllBytes(hello));
        assertArrayEquals(digitsBytes, Files.readAllBytes(digits));
        assertArrayEquals(new byte[1], Files.readAllBytes(in));
        assertNoTemporaryFiles();
    }

    @Test
    void anUnwritableDirectoryIsReportedWithTheReasonNotATemporaryName() {
        Path hello = Assets.require("models/tflite/hello_world_int8.tflite");
        CliTest.Outcome o = tinyml("convert", hello, "--output", "/proc/hello.tflite");
        assertOneLineFailure(o, "/proc/hello.tflite");
        assertFalse(o.err().contains(".tmp"), o.err());
        assertTrue(o.err().contains("cannot create"), o.err());
    }

    private Path mine(String name) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, MINE);
        return p;
    }

    private Path copy(Path from, String name) throws Exception {
        return Files.copy(from, tmp.resolve(name));
    }

    private void assertUntouched() throws Exception {
        for (String name : List.of("copy.tflite", "copy.onnx", "q.tflite", "c_as_file", "report.svg", "out.bin")) {
            assertArrayEquals(MINE, Files.readAllBytes(tmp.resolve(name)), name);
        }
    }

    private void assertNoTemporaryFiles() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            List<Path> left = s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertTrue(left.isEmpty(), "temporary files left behind: " + left);
        }
    }

    private static CliTest.Outcome run(List<Object> args, Object... more) {
        Object[] all = Stream.concat(args.stream(), Stream.of(more)).toArray();
        return tinyml(all);
    }
}
