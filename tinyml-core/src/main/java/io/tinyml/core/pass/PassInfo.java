package io.tinyml.core.pass;

import java.util.List;
import java.util.Objects;

/**
 * What a pass is: its name, the optimisation level from which a pipeline runs it, and the passes
 * that must have run before it.
 *
 * @param name a unique kebab-case name, recorded in provenance
 * @param optLevel the lowest {@link PassContext#optLevel()} at which the pass runs
 * @param requires names of passes that must precede this one
 */
public record PassInfo(String name, int optLevel, List<String> requires) {
    /** Validates and copies. */
    public PassInfo {
        Objects.requireNonNull(name, "name");
        requires = List.copyOf(requires);
    }
}
