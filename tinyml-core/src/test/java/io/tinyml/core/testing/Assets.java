package io.tinyml.core.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared public test assets (system property {@code tinyml.assets}, default
 * {@code ../shared/assets}; a relative path is resolved against the repository root, system property
 * {@code tinyml.repo}, which the build sets). A missing asset skips the test, or fails it when
 * {@code tinyml.assets.required=true} (as in CI).
 */
public final class Assets {
    private Assets() {
    }

    /**
     * Returns the assets root.
     *
     * @return the root directory
     */
    public static Path root() {
        Path repo = Path.of(System.getProperty("tinyml.repo", "."));
        String p = System.getProperty("tinyml.assets");
        if (p == null || p.isBlank()) {
            p = "../shared/assets";
        }
        // a relative path is meant from the repository root (where Maven is started), not the module
        return repo.resolve(p).normalize();
    }

    /**
     * Resolves an asset, skipping (or failing, when assets are required) if it is missing.
     *
     * @param relative the path below the assets root
     * @return the existing path
     */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            if (Boolean.getBoolean("tinyml.assets.required")) {
                Assertions.fail("required test asset missing: " + p.toAbsolutePath());
            }
            Assumptions.abort("test asset missing: " + p.toAbsolutePath());
        }
        return p;
    }
}
