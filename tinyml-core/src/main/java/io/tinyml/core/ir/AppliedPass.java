package io.tinyml.core.ir;

import java.util.Map;
import java.util.Objects;

/**
 * One transformation recorded in a model's provenance.
 *
 * @param name the pass name
 * @param parameters the pass parameters, as strings
 */
public record AppliedPass(String name, Map<String, String> parameters) {
    /** Copies the parameters. */
    public AppliedPass {
        Objects.requireNonNull(name, "name");
        parameters = Map.copyOf(parameters);
    }
}
