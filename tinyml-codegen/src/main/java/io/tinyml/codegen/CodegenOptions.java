package io.tinyml.codegen;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Options of a code generation run.
 *
 * @param prefix the C identifier prefix of the generated API and file names
 * @param project the project layout to emit
 */
public record CodegenOptions(String prefix, ProjectKind project) {
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,30}");

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if the prefix is not a C identifier of at most 31 characters
     */
    public CodegenOptions {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(project, "project");
        if (!IDENT.matcher(prefix).matches()) {
            throw new IllegalArgumentException("expected a C identifier of at most 31 characters as prefix, found '"
                    + prefix + "'");
        }
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
