package io.tinyml.codegen;

import io.tinyml.codegen.internal.MakeProject;
import io.tinyml.codegen.internal.ModelEmitter;
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
        ModelEmitter emitter = new ModelEmitter(model, options.prefix());
        Map<String, String> files = new HashMap<>(emitter.emit());
        files.putAll(MakeProject.files(options.prefix(), emitter));
        LOG.debug("generated {} files for {} in {} ms", files.size(), model, (System.nanoTime() - t0) / 1_000_000);
        return new GeneratedProject(files, emitter.arenaBytes(), emitter.weightBytes());
    }
}
