package io.tinyml.cli;

import io.tinyml.core.json.Json;
import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.target.TargetFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tinyml targets [--json] [--target-file F.json]}: the built-in (and user-defined) hardware targets. */
@Command(name = "targets", mixinStandardHelpOptions = true,
        description = "Lists hardware targets: core, clock, RAM, flash, features, active power.")
public final class TargetsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Option(names = "--target-file", paramLabel = "FILE", description = "also list the targets of a JSON file")
    Path targetFile;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Creates the command. */
    public TargetsCommand() {
    }

    @Override
    public Integer call() throws Exception {
        List<Target> all = new ArrayList<>(TargetCatalog.all());
        if (targetFile != null) {
            all.addAll(TargetFiles.read(targetFile));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(all.stream().map(TargetFiles::toMap).toList()));
            return 0;
        }
        out.printf("%-16s %-14s %8s %12s %12s  %-18s %9s  %s%n", "name", "core", "MHz", "RAM B", "flash B", "features",
                "power mW", "description");
        for (Target t : all) {
            out.printf("%-16s %-14s %8.0f %,12d %,12d  %-18s %9s  %s%n", t.name(), t.core().displayName(), t.clockMhz(),
                    t.ramBytes(), t.flashBytes(), t.features().stream().sorted().map(Enum::name).toList(),
                    t.emulated() ? "-" : String.format("%.1f%s", t.activePowerMw(),
                            t.powerSource().startsWith("provisional") ? "*" : ""), t.description());
        }
        out.println("* provisional power figure; QEMU boards count one cycle per executed instruction");
        return 0;
    }
}
