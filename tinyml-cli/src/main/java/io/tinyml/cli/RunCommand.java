package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.runtime.NodeEvent;
import io.tinyml.core.runtime.NodeObserver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code tinyml run MODEL --input F... --output F... [--dump DIR]}: one inference on raw tensor
 * files (the tensor's bytes in its own type, little-endian, row-major NHWC).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs one inference with the reference interpreter on raw little-endian tensor files.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "raw bytes of graph input i (repeat in input order)")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FILE", description = "where to write graph output i (repeat in order)")
    List<Path> outputs = new ArrayList<>();

    @Option(names = "--dump", paramLabel = "DIR",
            description = "write every node's output tensors to DIR as NNN_<op>_<tensor>.bin, in execution order")
    Path dump;

    @Option(names = "--force", description = "replace existing output files / write into a non-empty dump directory")
    boolean force;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path[] readFrom = Stream.concat(Stream.of(model), inputs.stream()).toArray(Path[]::new);
        for (Path o : outputs) {
            Outputs.check(o, false, force, readFrom);
        }
        if (dump != null) {
            Outputs.check(dump, true, force, readFrom);
            for (Path o : outputs) {
                Outputs.check(o, false, true, dump);
            }
        }
        if (new HashSet<>(outputs.stream().map(p -> p.toAbsolutePath().normalize()).toList()).size() < outputs.size()) {
            throw new BadInputException("expected different --output files, found " + outputs);
        }
        Model m = ModelIO.read(model);
        Graph g = m.graph();
        if (inputs.size() != g.inputs().size()) {
            throw new BadInputException("expected " + g.inputs().size() + " --input file(s) for "
                    + g.inputs().stream().map(i -> TensorInfo.text(g.tensor(i))).toList() + ", found " + inputs.size());
        }
        if (outputs.size() > g.outputs().size()) {
            throw new BadInputException("expected at most " + g.outputs().size() + " --output file(s), found "
                    + outputs.size());
        }
        byte[][] in = new byte[inputs.size()][];
        for (int i = 0; i < in.length; i++) {
            in[i] = Files.readAllBytes(inputs.get(i));
            Tensor t = g.inputTensor(i);
            if (in[i].length != t.byteSize()) {
                throw new BadInputException("expected " + t.byteSize() + " bytes in " + inputs.get(i) + " for input " + i
                        + " " + TensorInfo.text(t) + ", found " + in[i].length);
            }
        }
        byte[][] out;
        if (dump == null) {
            out = Interpreter.create(m).invoke(in);
        } else {
            try (Outputs.StagedDirectory staged = Outputs.stage(dump, force, readFrom)) {
                out = Interpreter.create(m, new DumpObserver(staged.path(), g.nodes().size())).invoke(in);
                staged.commit();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        PrintWriter pw = spec.commandLine().getOut();
        for (int i = 0; i < out.length; i++) {
            Tensor t = g.outputTensor(i);
            if (i < outputs.size()) {
                Outputs.write(outputs.get(i), out[i], force, readFrom);
                pw.println("output " + i + " " + TensorInfo.text(t) + " -> " + outputs.get(i));
            } else {
                pw.println("output " + i + " " + TensorInfo.text(t) + ": " + preview(t, out[i]));
            }
        }
        return 0;
    }

    private static String preview(Tensor t, byte[] bytes) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int n = Math.min(t.shape().elementCount(), 16);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            switch (t.type()) {
                case FLOAT32 -> sb.append(b.getFloat(4 * i));
                case INT8 -> sb.append(b.get(i));
                case UINT8, BOOL -> sb.append(b.get(i) & 0xff);
                case INT16, FLOAT16 -> sb.append(b.getShort(2 * i));
                case INT32 -> sb.append(b.getInt(4 * i));
                case INT64 -> sb.append(b.getLong(8 * i));
            }
        }
        return sb.append(t.shape().elementCount() > n ? ", ...]" : "]").toString();
    }

    /** Writes each node's outputs as it completes. */
    private static final class DumpObserver implements NodeObserver {
        private final Path dir;
        private final String format;

        DumpObserver(Path dir, int nodeCount) {
            this.dir = dir;
            int width = Math.max(3, Integer.toString(Math.max(0, nodeCount - 1)).length());
            this.format = "%0" + width + "d_%s_%s.bin";
        }

        @Override
        public void afterNode(NodeEvent e) {
            for (int i = 0; i < e.outputCount(); i++) {
                String name = String.format(format, e.index(), e.node().op().kind().name(),
                        sanitize(e.outputTensor(i).name()));
                try {
                    Files.write(dir.resolve(name), e.outputBytes(i));
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        }

        private static String sanitize(String s) {
            String r = s.replaceAll("[^A-Za-z0-9._-]", "_");
            return r.length() > 80 ? r.substring(r.length() - 80) : r;
        }
    }
}
