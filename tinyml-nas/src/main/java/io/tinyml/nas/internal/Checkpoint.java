package io.tinyml.nas.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyml.nas.Candidate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The search state written after every generation and every fully trained model: the configuration's
 * fingerprint, the generations completed, the population (candidate keys) and every candidate seen,
 * rejected ones included. Written to a temporary file then moved into place, so a kill leaves either
 * the previous or the new checkpoint, never a torn one. Format version {@value #FORMAT}; newer
 * versions are rejected.
 *
 * @param format the format version
 * @param fingerprint the search configuration it belongs to
 * @param generation generations completed (0 = the initial population evaluated)
 * @param population keys of the current population
 * @param archive every candidate seen, in the order they were first seen
 * @param finished whether the full-training phase completed
 */
public record Checkpoint(int format, String fingerprint, int generation, List<String> population,
                         List<Candidate> archive, boolean finished) {
    /** The format written. */
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Reads a checkpoint.
     *
     * @param file the file
     * @return the checkpoint
     * @throws IOException if unreadable, malformed or of a newer format
     */
    public static Checkpoint read(Path file) throws IOException {
        Checkpoint c;
        try {
            c = JSON.readValue(file.toFile(), Checkpoint.class);
        } catch (JsonProcessingException e) {
            throw new IOException("expected a search checkpoint in " + file + ", found: " + e.getOriginalMessage(), e);
        }
        if (c == null || c.format() < 1 || c.format() > FORMAT) {
            throw new IOException("expected a search checkpoint of format 1.." + FORMAT + " in " + file + ", found "
                    + (c == null ? "null" : "format " + c.format()));
        }
        return c;
    }

    /**
     * Writes the checkpoint atomically.
     *
     * @param file the file
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
