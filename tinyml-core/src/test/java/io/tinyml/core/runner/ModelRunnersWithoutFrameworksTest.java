package io.tinyml.core.runner;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Core without TensorFlow Java and DJL (optional dependencies): the interpreter path works, and the
 * framework paths fail with a message naming the missing artifact, never a NoClassDefFoundError.
 */
class ModelRunnersWithoutFrameworksTest {

    @Test
    void frameworkPathsNameTheMissingJarsAndTheRestWorks() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.contains("tensorflow") && !e.contains("/ai/djl/") && !e.isBlank()) {
                urls.add(Path.of(e).toUri().toURL());
            }
        }
        try (URLClassLoader cl = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThrowsClassNotFound(cl, "org.tensorflow.SavedModelBundle");
            assertThrowsClassNotFound(cl, "ai.djl.Model");
            Class<?> runners = cl.loadClass(ModelRunners.class.getName());
            Class<?> shape = cl.loadClass("io.tinyml.core.ir.Shape");
            Method open = runners.getMethod("open", Path.class, List.class);

            Object r = open.invoke(null, Assets.require("models/tflite/kws_dscnn_int8.tflite"), List.of());
            assertEquals("InterpreterRunner", r.getClass().getSimpleName());
            ((AutoCloseable) r).close();

            Throwable tf = cause(() -> open.invoke(null, Assets.require("models/savedmodel/kws_dscnn"), List.of()));
            assertEquals(IllegalStateException.class.getName(), tf.getClass().getName());
            assertTrue(tf.getMessage().startsWith("SavedModel support needs org.tensorflow:tensorflow-core-api"),
                    tf.getMessage());

            Object s = shape.getMethod("of", int[].class).invoke(null, (Object) new int[] {1, 1, 28, 28});
            Throwable pt = cause(() -> open.invoke(null, Assets.require("models/pytorch/tiny_digits.pt"), List.of(s)));
            assertEquals(IllegalStateException.class.getName(), pt.getClass().getName());
            assertTrue(pt.getMessage().startsWith("TorchScript support needs ai.djl.pytorch:pytorch-engine"),
                    pt.getMessage());

            Class<?> reader = cl.loadClass("io.tinyml.core.io.savedmodel.SavedModelReader");
            Throwable rd = cause(() -> reader.getMethod("read", Path.class).invoke(null,
                    Assets.require("models/savedmodel/kws_dscnn")));
            assertFalse(rd instanceof LinkageError, String.valueOf(rd));
            assertTrue(rd.getMessage().startsWith("SavedModel support needs"), rd.getMessage());
        }
    }

    private interface Call {
        Object call() throws Exception;
    }

    private static Throwable cause(Call c) throws Exception {
        try {
            c.call();
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, found none");
    }

    private static void assertThrowsClassNotFound(ClassLoader cl, String name) {
        try {
            cl.loadClass(name);
            throw new AssertionError("expected " + name + " to be hidden, found it");
        } catch (ClassNotFoundException expected) {
            // hidden as intended
        }
    }
}
