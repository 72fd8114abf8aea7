package io.tinyml.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates benchmark inputs in the shared assets. */
final class BenchmarkAssets {
    private BenchmarkAssets() {
    }

    static Path require(String relative) {
        Path p = Path.of(System.getProperty("tinyml.assets", "../shared/assets")).resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("benchmark asset missing: " + p.toAbsolutePath()
                    + " (set -Dtinyml.assets=DIR)");
        }
        return p;
    }
}
