package io.tinyml.codegen.internal;

import io.tinyml.core.ir.Graph;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The files of the {@code make} project around the generated model sources. */
public final class MakeProject {
    private MakeProject() {
    }

    /**
     * Returns the project files.
     *
     * @param prefix the C prefix
     * @param e the emitter of the model sources
     * @return file contents by relative path
     */
    public static Map<String, String> files(String prefix, ModelEmitter e) {
        return files(prefix, e, "speed");
    }

    /**
     * Returns the project files of a build optimised for {@code optimize}.
     *
     * @param prefix the C prefix
     * @param e the emitter of the model sources
     * @param optimize the Makefile's {@code OPTIMIZE} default, {@code speed} or {@code size}
     * @return file contents by relative path
     */
    public static Map<String, String> files(String prefix, ModelEmitter e, String optimize) {
        Graph g = e.graph();
        String in = IntStream.range(0, g.inputs().size()).mapToObj(i -> g.inputTensor(i).byteSize() + "u")
                .collect(Collectors.joining(", "));
        String out = IntStream.range(0, g.outputs().size()).mapToObj(i -> g.outputTensor(i).byteSize() + "u")
                .collect(Collectors.joining(", "));
        long inTotal = IntStream.range(0, g.inputs().size()).mapToLong(i -> g.inputTensor(i).byteSize()).sum();
        long outTotal = IntStream.range(0, g.outputs().size()).mapToLong(i -> g.outputTensor(i).byteSize()).sum();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("Makefile", fill("Makefile", prefix, in, out, inTotal, outTotal, g).replace("@OPTIMIZE@", optimize));
        f.put("README.md", fill("README.md", prefix, in, out, inTotal, outTotal, g)
                .replace("@PU@", prefix.toUpperCase(java.util.Locale.ROOT)).replace("@OPTIMIZE@", optimize));
        f.put("demo/host_main.c", fill("host_main.c", prefix, in, out, inTotal, outTotal, g));
        f.put("fw/fw_main.c", fill("fw_main.c", prefix, in, out, inTotal, outTotal, g));
        f.put("fw/startup.c", KernelSources.project("startup.c"));
        f.put("fw/semihost.c", KernelSources.project("semihost.c"));
        f.put("fw/semihost.h", KernelSources.project("semihost.h"));
        f.put("fw/mps2.ld", KernelSources.project("mps2.ld"));
        f.put("fw/insncount.c", KernelSources.project("insncount.c"));
        f.put("fw/insnmix.c", KernelSources.project("insnmix.c"));
        f.put("fw/startup_rv.c", KernelSources.project("startup_rv.c"));
        f.put("fw/rv32.ld", KernelSources.project("rv32.ld"));
        return f;
    }

    private static String fill(String template, String prefix, String in, String out, long inTotal, long outTotal,
                               Graph g) {
        return KernelSources.project(template).replace("@P@", prefix).replace("@IN_BYTES@", in)
                .replace("@OUT_BYTES@", out).replace("@IN_TOTAL@", Long.toString(Math.max(1, inTotal)))
                .replace("@OUT_TOTAL@", Long.toString(Math.max(1, outTotal)))
                .replace("@NI@", Integer.toString(g.inputs().size()))
                .replace("@NO@", Integer.toString(g.outputs().size()));
    }
}
