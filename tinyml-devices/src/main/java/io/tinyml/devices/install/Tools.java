package io.tinyml.devices.install;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds external programs on the {@code PATH}. Thread-safe. */
public final class Tools {
    private Tools() {
    }

    /**
     * Finds an executable on the {@code PATH}.
     *
     * @param name the program name ({@code qemu-system-arm})
     * @return its path, or empty when it is not installed
     */
    public static Optional<Path> find(String name) {
        return find(name, System.getenv().getOrDefault("PATH", ""));
    }

    /**
     * Finds an executable on a search path.
     *
     * @param name the program name
     * @param searchPath directories separated by the platform's path separator
     * @return its path, or empty when it is not there
     */
    public static Optional<Path> find(String name, String searchPath) {
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }
}
