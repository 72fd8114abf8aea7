package io.tinyml.quantize.archfixture;

import io.tinyml.codegen.CodeGenerator;
import io.tinyml.train.internal.DjlEngine;

/**
 * A test fixture that breaks two rules on purpose: quantize code using codegen (no such arrow) and another
 * module's internal package. {@code ArchitectureTest} checks that its rules report both.
 */
public final class ForbiddenImports {
    private ForbiddenImports() {
    }

    /**
     * Names the classes it must not use.
     *
     * @return their names
     */
    public static String names() {
        return CodeGenerator.class.getName() + " " + DjlEngine.class.getName();
    }
}
