package io.tinyml.core.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared public test assets (system property {@code tinyml.assets}, default
 * {@code ../shared/assets} beside the repository). A missing asset skips the test, or fails it when
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
        String p = System.getProperty("tinyml.assets");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String repo = System.getProperty("tinyml.repo", ".");
        return Path.of(repo).resolve("../shared/assets").normalize();
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
