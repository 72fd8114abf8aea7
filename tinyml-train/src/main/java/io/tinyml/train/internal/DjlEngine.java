package io.tinyml.train.internal;

import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine offline: {@code ai.djl.offline=true} is set unless the caller set it,
 * so libtorch comes from the {@code pytorch-native-cpu} jar on the classpath (unpacked once into
 * {@code DJL_CACHE_DIR} / {@code ENGINE_CACHE_DIR}, default {@code ~/.djl.ai}) and nothing is
 * downloaded. Thread-safe.
 */
public final class DjlEngine {
    /** The DJL engine name. */
    public static final String NAME = "PyTorch";
    private static final Logger log = LoggerFactory.getLogger(DjlEngine.class);

    private DjlEngine() {
    }

    /**
     * Returns the PyTorch engine, configuring offline mode first.
     *
     * @return the engine
     * @throws IllegalStateException if the engine cannot start (natives missing for this platform)
     */
    public static synchronized Engine pytorch() {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        try {
            Engine e = Engine.getEngine(NAME);
            log.debug("DJL {} engine {} ready", NAME, e.getVersion());
            return e;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("expected DJL's PyTorch engine to start offline from "
                    + "ai.djl.pytorch:pytorch-native-cpu on the classpath, found: " + e.getMessage(), e);
        }
    }
}
