package io.tinyml.core.io.savedmodel.internal;

/**
 * Checks that TensorFlow Java is on the classpath before any class that uses it is loaded: the
 * SavedModel classes are optional dependencies of tinyml-core. Stateless; not API.
 */
public final class TensorFlowSupport {
    /** The message given when TensorFlow Java is missing. */
    public static final String MISSING = "SavedModel support needs org.tensorflow:tensorflow-core-api and "
            + "org.tensorflow:tensorflow-core-native (with the platform classifier, e.g. linux-x86_64) on the classpath";

    private TensorFlowSupport() {
    }

    /**
     * Fails with a clear message when TensorFlow Java is absent.
     *
     * @throws IllegalStateException if {@code org.tensorflow.SavedModelBundle} cannot be loaded
     */
    public static void require() {
        try {
            Class.forName("org.tensorflow.SavedModelBundle", false, TensorFlowSupport.class.getClassLoader());
            Class.forName("org.tensorflow.proto.GraphDef", false, TensorFlowSupport.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(MISSING, e);
        }
    }
}
