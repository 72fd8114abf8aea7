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
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
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
