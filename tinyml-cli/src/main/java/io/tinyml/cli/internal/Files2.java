package io.tinyml.cli.internal;

import io.tinyml.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * File output that never loses what the user had: refuses to replace an existing file unless
 * forced, and writes through a temporary file in the same directory that is moved into place.
 */
public final class Files2 {
    private Files2() {
    }

    /**
     * Writes bytes to a file atomically.
     *
     * @param target the file
     * @param bytes the content
     * @param force whether an existing file may be replaced
     * @throws IOException if writing fails, or {@link FileAlreadyExistsException} if the file exists and
     *         {@code force} is false
     */
    public static void write(Path target, byte[] bytes, boolean force) throws IOException {
        if (!force && Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "exists (use --force to replace it)");
        }
        AtomicFiles.write(target, bytes);
    }

    /**
     * Prepares an output directory: creates it, or accepts it if empty (or if forced).
     *
     * @param dir the directory
     * @param force whether a non-empty directory may be written into
     * @throws IOException if it cannot be created, or is a non-empty directory without force
     */
    public static void prepareDirectory(Path dir, boolean force) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not a directory");
        }
        if (Files.isDirectory(dir) && !force) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new FileAlreadyExistsException(dir.toString(), null,
                            "is not empty (use --force to write into it)");
                }
            }
        }
        Files.createDirectories(dir);
    }
}
