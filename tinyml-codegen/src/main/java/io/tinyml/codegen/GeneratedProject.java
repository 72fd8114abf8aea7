package io.tinyml.codegen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a generated project, by relative path, plus the figures the generator knows.
 *
 * @param files file contents by relative path ('/' separated)
 * @param arenaBytes the size of the static arena
 * @param weightBytes the bytes of constant data (weights, biases, multipliers, tables)
 */
public record GeneratedProject(Map<String, String> files, long arenaBytes, long weightBytes) {
    /**
     * Copies the file map.
     */
    public GeneratedProject {
        files = Collections.unmodifiableMap(new TreeMap<>(files));
    }

    /**
     * Writes the files below a directory.
     *
     * @param dir the output directory, created if missing
     * @param force whether a non-empty directory may be written into (existing files are replaced)
     * @throws IOException if writing fails, or the directory is not empty and {@code force} is false
     */
    public void writeTo(Path dir, boolean force) throws IOException {
        if (Files.isDirectory(dir) && !force) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IOException("refusing to write into non-empty directory '" + dir
                            + "' (use --force to overwrite)");
                }
            }
        }
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
        }
    }
}
