package io.tinyml.core.pass;

/**
 * Settings shared by the passes of one pipeline run. Immutable and thread-safe.
 *
 * @param optLevel passes whose {@link PassInfo#optLevel()} exceeds this are skipped
 */
public record PassContext(int optLevel) {
    /**
     * The default context (optimisation level 2).
     *
     * @return the context
     */
    public static PassContext defaults() {
        return new PassContext(2);
    }
}
