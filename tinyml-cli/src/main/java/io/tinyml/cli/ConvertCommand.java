package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.pass.PassPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tinyml convert MODEL --output OUT.tflite}: reads any supported format, writes another. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Converts a model to another format, chosen by the output's extension (.tflite or .onnx).")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file")
    Path model;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "the file to write")
    Path output;

    @Option(names = "--force", description = "replace OUT if it exists")
    boolean force;

    @Option(names = "--no-optimize", description = "write the graph as read, without the standard passes "
            + "(remove identities, fold constants, fold batch normalization, fuse activations)")
    boolean noOptimize;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Outputs.check(output, false, force, model);
        Model m = ModelIO.read(model);
        if (!noOptimize) {
            m = PassPipeline.standard().run(m);
        }
        Outputs.writeModel(m, output, force, model);
        spec.commandLine().getOut().printf("wrote %s (%,d bytes, %d nodes)%n", output, Files.size(output),
                m.graph().nodes().size());
        return 0;
    }
}
