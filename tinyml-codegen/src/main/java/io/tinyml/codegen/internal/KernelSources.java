package io.tinyml.codegen.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads the C kernel library sources bundled as resources. */
final class KernelSources {
    private KernelSources() {
    }

    static String load(String name) {
        return resource("/io/tinyml/codegen/c/" + name);
    }

    static String project(String name) {
        return resource("/io/tinyml/codegen/project/" + name);
    }

    private static String resource(String name) {
        try (InputStream in = KernelSources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing kernel source " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
