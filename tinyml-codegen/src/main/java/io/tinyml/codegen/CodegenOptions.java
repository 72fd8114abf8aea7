package io.tinyml.codegen;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Options of a code generation run.
 *
 * @param prefix the C identifier prefix of the generated API and file names
 * @param project the project layout to emit
 * @param harness the test harness generated besides the model ({@link Harness#NONE} for none)
 * @param sparseWeights whether sparse int8 fully-connected weights may be stored in the bitmask format
 *     where it is smaller and faster than dense ({@link io.tinyml.core.estimate.SparseWeights}; default
 *     true); false keeps every weight array dense
 * @param optimize what the firmware build of a {@code make} project optimises for (default
 *     {@link Optimization#SPEED}); other project kinds leave flags to their build system
 */
public record CodegenOptions(String prefix, ProjectKind project, Harness harness, boolean sparseWeights,
                             Optimization optimize) {
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,30}");

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if the prefix is not a C identifier of at most 31 characters, or a
     *     harness is asked of a project other than {@code make}
     */
    public CodegenOptions {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(harness, "harness");
        Objects.requireNonNull(optimize, "optimize");
        if (harness != Harness.NONE && project != ProjectKind.MAKE) {
            throw new IllegalArgumentException("expected project make for harness " + harness.cliName()
                    + ", found " + project.cliName());
        }
        if (!IDENT.matcher(prefix).matches()) {
            throw new IllegalArgumentException("expected a C identifier of at most 31 characters as prefix, found '"
                    + prefix + "'");
        }
    }

    /**
     * Options of a speed-optimised build.
     *
     * @param prefix the C identifier prefix
     * @param project the project layout
     * @param harness the test harness
     * @param sparseWeights whether sparse weights may be generated
     * @throws IllegalArgumentException as the canonical constructor
     */
    public CodegenOptions(String prefix, ProjectKind project, Harness harness, boolean sparseWeights) {
        this(prefix, project, harness, sparseWeights, Optimization.SPEED);
    }

    /**
     * Options with sparse weights allowed.
     *
     * @param prefix the C identifier prefix
     * @param project the project layout
     * @param harness the test harness
     * @throws IllegalArgumentException as the canonical constructor
     */
    public CodegenOptions(String prefix, ProjectKind project, Harness harness) {
        this(prefix, project, harness, true);
    }

    /**
     * Options without a harness.
     *
     * @param prefix the C identifier prefix
     * @param project the project layout
     * @throws IllegalArgumentException if the prefix is not a C identifier of at most 31 characters
     */
    public CodegenOptions(String prefix, ProjectKind project) {
        this(prefix, project, Harness.NONE);
    }

    /**
     * Returns a copy with another harness.
     *
     * @param h the harness
     * @return the new options
     * @throws IllegalArgumentException if the harness needs a make project and this is another kind
     */
    public CodegenOptions withHarness(Harness h) {
        return new CodegenOptions(prefix, project, h, sparseWeights, optimize);
    }

    /**
     * Returns a copy that allows (true) or forbids (false) the sparse weight format.
     *
     * @param on whether sparse weights may be generated
     * @return the new options
     */
    public CodegenOptions withSparseWeights(boolean on) {
        return new CodegenOptions(prefix, project, harness, on, optimize);
    }

    /**
     * Returns a copy whose firmware build optimises for speed or size.
     *
     * @param o the optimisation
     * @return the new options
     */
    public CodegenOptions withOptimization(Optimization o) {
        return new CodegenOptions(prefix, project, harness, sparseWeights, o);
    }

    /**
     * Returns the default options: prefix {@code tinyml}, a {@code make} project.
     *
     * @return the options
     */
    public static CodegenOptions defaults() {
        return new CodegenOptions("tinyml", ProjectKind.MAKE);
    }
}
