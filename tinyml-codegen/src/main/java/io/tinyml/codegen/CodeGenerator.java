package io.tinyml.codegen;

import io.tinyml.codegen.internal.MakeProject;
import io.tinyml.codegen.internal.MlperfHarness;
import io.tinyml.codegen.internal.ModelEmitter;
import io.tinyml.codegen.internal.OtherProjects;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Model;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Generates C99 sources and a project for a model. Stateless and thread-safe.
 */
public final class CodeGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(CodeGenerator.class);

    private CodeGenerator() {
    }

    /**
     * Generates the sources of a model.
     *
     * @param model the model (int8 quantized)
     * @param options the options
     * @return the generated files
     * @throws UnsupportedOperatorException if an operator, or its tensor types, has no C kernel;
     *     the message names the operator and the node
     */
    public static GeneratedProject generate(Model model, CodegenOptions options) throws UnsupportedOperatorException {
        long t0 = System.nanoTime();
        Map<String, String> files;
        ModelEmitter emitter = new ModelEmitter(model, options.prefix(), options.sparseWeights());
        if (options.project() == ProjectKind.TFLM) {
            files = OtherProjects.tflm(model, options.prefix());
        } else {
            Map<String, String> sources = emitter.emit();
            files = switch (options.project()) {
                case MAKE -> {
                    Map<String, String> f = new HashMap<>(sources);
                    f.putAll(MakeProject.files(options.prefix(), emitter, options.optimize().cliName()));
                    if (options.harness() == Harness.MLPERF_TINY) {
                        f.putAll(MlperfHarness.files(options.prefix(), emitter));
                    }
                    yield f;
                }
                case ARDUINO -> OtherProjects.arduino(options.prefix(), sources, emitter);
                case ESPIDF -> OtherProjects.espidf(options.prefix(), sources);
                case PLATFORMIO -> OtherProjects.platformio(options.prefix(), sources, emitter);
                case TFLM -> throw new AssertionError();
            };
        }
        LOG.debug("generated {} files for {} in {} ms", files.size(), model, (System.nanoTime() - t0) / 1_000_000);
        return new GeneratedProject(files, emitter.arenaBytes(), emitter.weightBytes());
    }
}
