package io.tinyml.core.runtime.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the interpreter may use its Vector API kernels ({@code jdk.incubator.vector}, incubating in
 * Java 17). They are used only when all of these hold (the first and last decided once per JVM, the
 * property read each time a kernel is prepared):
 * <ul>
 *   <li>the running JVM resolved the module ({@code java --add-modules jdk.incubator.vector …}); the SDK
 *       never requires it, and without it every kernel runs its scalar form;</li>
 *   <li>the system property {@code tinyml.vector} is not {@code off} (tests use it to run both forms);</li>
 *   <li>the machine's preferred float vector has at least 256 bits (AVX2 or wider, or a 256-bit SVE):
 *       on narrower hardware the Vector API falls back to a slow software form.</li>
 * </ul>
 * Classes that touch {@code jdk.incubator.vector} must be loaded only after {@link #enabled()} returned
 * true: the JVM links them lazily, so the scalar path never needs the module.
 */
final class VectorSupport {
    private static final Logger LOG = LoggerFactory.getLogger(VectorSupport.class);
    private static final String MODULE = "jdk.incubator.vector";
    private static final boolean ENABLED = detect();

    private VectorSupport() {
    }

    /** Whether this JVM can run the Vector API kernels (module resolved, wide enough vectors). */
    static boolean enabled() {
        return ENABLED;
    }

    /**
     * Whether a kernel prepared now should take its vector form: {@link #enabled()} unless the property
     * {@code tinyml.vector} has been set to {@code off} since (read at each call, so a test can prepare
     * the same model both ways in one JVM).
     */
    static boolean use() {
        return ENABLED && !"off".equals(System.getProperty("tinyml.vector"));
    }

    private static boolean detect() {
        // the property is not read here but at each use(): a JVM whose first prepared model ran with
        // tinyml.vector=off must still be able to prepare later models in the vector form
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            LOG.debug("vector kernels off: the JVM was started without --add-modules {}", MODULE);
            return false;
        }
        try {
            int bits = VectorShape.preferredFloatBits();
            if (bits < 256) {
                LOG.debug("vector kernels off: preferred float vector has {} bits", bits);
                return false;
            }
            LOG.debug("vector kernels on: {}-bit float vectors", bits);
            return true;
        } catch (LinkageError e) {
            LOG.debug("vector kernels off: {}", e.toString());
            return false;
        }
    }
}
