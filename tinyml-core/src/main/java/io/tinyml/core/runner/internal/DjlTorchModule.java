package io.tinyml.core.runner.internal;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.tinyml.core.MalformedModelException;
import io.tinyml.core.ir.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A TorchScript module loaded with DJL's PyTorch engine: the only class that holds DJL objects.
 * Closing it closes the DJL model and every array it created. Not thread-safe; not API.
 *
 * <p>DJL runs offline: {@code ai.djl.offline=true} is set unless the caller set it, so the engine
 * never downloads anything. The PyTorch natives then come from the {@code pytorch-native-cpu} jar on
 * the classpath (its {@code native/lib/pytorch.properties} names them; DJL extracts them to its
 * cache, {@code ~/.djl.ai/pytorch} or {@code ENGINE_CACHE_DIR}) and the JNI bridge from the
 * {@code pytorch-jni} jar ({@code jnilib/<platform>/<flavor>/}).
 */
public final class DjlTorchModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DjlTorchModule.class);
    private static final String ENGINE = "PyTorch";

    private final Model model;
    private boolean closed;

    private DjlTorchModule(Model model) {
        this.model = model;
    }

    /**
     * Sets DJL to run offline on the natives found on the classpath, unless configured otherwise.
     */
    public static synchronized void configureOffline() {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    /**
     * Loads a TorchScript file.
     *
     * @param file the {@code .pt} file
     * @return the module
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if PyTorch cannot load it
     */
    public static DjlTorchModule load(Path file) throws IOException, MalformedModelException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        configureOffline();
        Engine engine = Engine.getEngine(ENGINE);
        log.debug("DJL {} engine {} ready", ENGINE, engine.getVersion());
        Model m = Model.newInstance(file.getFileName().toString(), ENGINE);
        try {
            m.load(file.toAbsolutePath());
        } catch (ai.djl.MalformedModelException | RuntimeException e) {
            m.close();
            throw new MalformedModelException("PyTorch could not load TorchScript file '" + file + "': "
                    + e.getMessage(), e);
        } catch (IOException e) {
            m.close();
            throw e;
        }
        return new DjlTorchModule(m);
    }

    /** The outputs of one forward pass: values and shapes. */
    public record Outputs(float[][] values, Shape[] shapes) {
    }

    /**
     * Runs the module's forward method on float inputs.
     *
     * @param inputs the values, row-major
     * @param shapes their shapes (NCHW for images, as PyTorch expects)
     * @return the outputs, converted to float
     */
    public Outputs forward(float[][] inputs, List<Shape> shapes) {
        if (closed) {
            throw new IllegalStateException("expected an open TorchScript module, found it closed");
        }
        try (NDManager mgr = model.getNDManager().newSubManager()) {
            NDList in = new NDList();
            for (int i = 0; i < inputs.length; i++) {
                in.add(mgr.create(inputs[i], new ai.djl.ndarray.types.Shape(longs(shapes.get(i)))));
            }
            NDList out = model.getBlock().forward(new ParameterStore(mgr, false), in, false);
            float[][] values = new float[out.size()][];
            Shape[] outShapes = new Shape[out.size()];
            for (int o = 0; o < out.size(); o++) {
                NDArray a = out.get(o);
                values[o] = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                long[] d = a.getShape().getShape();
                int[] di = new int[d.length];
                for (int k = 0; k < d.length; k++) {
                    di[k] = Math.toIntExact(d[k]);
                }
                outShapes[o] = Shape.of(di);
            }
            return new Outputs(values, outShapes);
        } catch (ai.djl.engine.EngineException e) {
            throw new IllegalStateException("PyTorch failed to run the TorchScript module: " + e.getMessage(), e);
        }
    }

    private static long[] longs(Shape s) {
        long[] d = new long[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(i);
        }
        return d;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }
}
