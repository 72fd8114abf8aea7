package io.tinyml.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The service's file storage, outside any web root: {@code uploads/} (models and dataset archives under
 * generated names), {@code results/} (result archives), {@code tmp/} (multipart spooling) and
 * {@code work/} (one directory per running job, deleted after the run). Workers on other machines
 * need the same directory (a shared file system). Thread-safe.
 */
public final class DataDir {
    private static final Pattern GENERATED = Pattern.compile("[0-9a-f-]{36}\\.(bin|zip)");
    private final Path root;

    /**
     * Creates the directories if missing.
     *
     * @param root the data directory
     * @throws IOException if a directory cannot be created
     */
    public DataDir(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        for (String d : new String[] {"uploads", "results", "tmp", "work"}) {
            Files.createDirectories(this.root.resolve(d));
        }
    }

    /** @return the root */
    public Path root() {
        return root;
    }

    /** @return the spool directory of uploads in flight */
    public Path tmp() {
        return root.resolve("tmp");
    }

    /** @return the parent of the per-job work directories */
    public Path work() {
        return root.resolve("work");
    }

    /**
     * @param generated a generated file name
     * @return its path under uploads/
     * @throws IllegalArgumentException if the name is not one the service generates
     */
    public Path upload(String generated) {
        return root.resolve("uploads").resolve(check(generated));
    }

    /**
     * @param generated a generated file name
     * @return its path under results/
     * @throws IllegalArgumentException if the name is not one the service generates
     */
    public Path result(String generated) {
        return root.resolve("results").resolve(check(generated));
    }

    private static String check(String name) {
        if (!GENERATED.matcher(name).matches()) {
            throw new IllegalArgumentException("expected a generated file name (uuid.bin or uuid.zip), found '" + name + "'");
        }
        return name;
    }
}
