package io.tinyml.core.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a model came from and what was done to it: the source (a file path or a description), the
 * SHA-256 of the source bytes, the reader that produced the IR, and the passes applied since.
 * Immutable and thread-safe.
 *
 * @param source the file path or a description such as "built in code"
 * @param sourceSha256 hex SHA-256 of the source bytes, or empty when there are none
 * @param reader the reader's name and version, or empty
 * @param passes the passes applied, oldest first
 */
public record Provenance(String source, String sourceSha256, String reader, List<AppliedPass> passes) {
    /** Copies the pass list. */
    public Provenance {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sourceSha256, "sourceSha256");
        Objects.requireNonNull(reader, "reader");
        passes = List.copyOf(passes);
    }

    /**
     * Provenance of a model built in code.
     *
     * @param description what built it
     * @return the provenance
     */
    public static Provenance builtInCode(String description) {
        return new Provenance(description, "", "", List.of());
    }

    /**
     * Returns this provenance with one more pass.
     *
     * @param pass the pass applied
     * @return the new provenance
     */
    public Provenance withPass(AppliedPass pass) {
        List<AppliedPass> p = new ArrayList<>(passes);
        p.add(pass);
        return new Provenance(source, sourceSha256, reader, p);
    }
}
