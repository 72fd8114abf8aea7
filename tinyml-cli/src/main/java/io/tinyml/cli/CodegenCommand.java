package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.codegen.CodeGenerator;
import io.tinyml.codegen.CodegenOptions;
import io.tinyml.codegen.GeneratedProject;
import io.tinyml.codegen.Harness;
import io.tinyml.codegen.Optimization;
import io.tinyml.codegen.ProjectKind;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tinyml codegen MODEL --target NAME --output DIR [--project make|arduino|espidf|platformio|tflm]
 * [--prefix NAME] [--harness none|mlperf-tiny] [--optimize speed|size] [--force]}:
 * generates C99 sources and a project for a microcontroller. Refuses a model with an operator that
 * has no C kernel (naming operator and node) and never writes into a non-empty directory without
 * {@code --force}.
 */
@Command(name = "codegen", mixinStandardHelpOptions = true,
        description = "Generates C99 code (and a project) that runs the model without an interpreter.")
public final class CodegenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file")
    Path model;

    @Option(names = "--target", paramLabel = "NAME", required = true, description = "target name (see 'tinyml targets')")
    String target;

    @Option(names = "--output", paramLabel = "DIR", required = true, description = "output directory")
    Path output;

    @Option(names = "--project", paramLabel = "KIND", defaultValue = "make",
            description = "project layout: make, arduino, espidf, platformio or tflm (default: ${DEFAULT-VALUE})")
    String project;

    @Option(names = "--prefix", paramLabel = "NAME", defaultValue = "tinyml",
            description = "C identifier prefix of the API and files (default: ${DEFAULT-VALUE})")
    String prefix;

    @Option(names = "--harness", paramLabel = "NAME", defaultValue = "none",
            description = "test harness in the firmware: none or mlperf-tiny (UART protocol of the MLPerf Tiny"
                    + " runner; build with 'make -f harness.mk harness-m4') (default: ${DEFAULT-VALUE})")
    String harness;

    @Option(names = "--optimize", paramLabel = "GOAL", defaultValue = "speed",
            description = "what the make project's firmware build optimises for: speed (-O3) or size (-Os)"
                    + " (default: ${DEFAULT-VALUE})")
    String optimize;

    @Option(names = "--force", description = "write into a non-empty output directory (replacing the generated "
            + "files, keeping the others) or replace a file of that name")
    boolean force;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Creates the command. */
    public CodegenCommand() {
    }

    @Override
    public Integer call() throws Exception {
        Target t = TargetCatalog.get(target);
        CodegenOptions options = new CodegenOptions(prefix, ProjectKind.parse(project), Harness.parse(harness))
                .withOptimization(Optimization.parse(optimize));
        Outputs.check(output, true, force, model);
        Model m = ModelIO.read(model);
        GeneratedProject p = CodeGenerator.generate(m, options);
        Map<String, byte[]> files = new LinkedHashMap<>();
        p.files().forEach((name, text) -> files.put(name, text.getBytes(StandardCharsets.UTF_8)));
        Outputs.writeDirectory(output, files, force, model);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("generated %d files in %s for %s: arena %d bytes, constant data %d bytes%n", p.files().size(),
                output, t.name(), p.arenaBytes(), p.weightBytes());
        out.flush();
        return 0;
    }
}
