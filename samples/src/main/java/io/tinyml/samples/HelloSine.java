package io.tinyml.samples;

import io.tinyml.core.analysis.OpCost;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.runtime.Interpreter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The main sample, end to end and self-contained: trains a sine regressor in plain Java (the
 * network of TensorFlow Lite Micro's hello_world), builds it as an SDK model, runs the standard
 * passes, saves it as a .tflite file, reads it back, and runs it with the reference interpreter,
 * checking it against sin(x). Each capability of the SDK joins this journey as it lands.
 *
 * <pre>
 * ./mvnw -B -pl samples -am -DskipTests package exec:java            # writes target/hello-sine/
 * </pre>
 */
public final class HelloSine {
    private HelloSine() {
    }

    /**
     * Runs the journey.
     *
     * @param args optional output directory (default {@code target/hello-sine})
     * @throws Exception if any step fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/hello-sine");
        Result r = run(dir, 10_000);
        System.out.printf("%nhello-sine: max |model(x) - sin(x)| over 100 points = %.4f (%s)%n", r.maxError(),
                r.maxError() < 0.05 ? "ok" : "TOO LARGE");
        if (r.maxError() >= 0.05) {
            System.exit(1);
        }
    }

    /**
     * The figures of one run.
     *
     * @param trainMse mean squared error of the trained float network
     * @param tfliteBytes size of the written .tflite file
     * @param maxError largest |model(x) - sin(x)| over 100 points of [0, 2π], from the re-read file
     * @param model the model as re-read from disk
     */
    public record Result(double trainMse, long tfliteBytes, double maxError, Model model) {
    }

    /**
     * Runs every step, printing what it does.
     *
     * @param dir the output directory
     * @param steps training steps
     * @return the figures
     * @throws Exception if any step fails
     */
    public static Result run(Path dir, int steps) throws Exception {
        Files.createDirectories(dir);
        System.out.println("1. train a 1-16-16-1 ReLU network on sin(x), x in [0, 2pi], in plain Java");
        SineTrainer trainer = new SineTrainer(42);
        double mse = trainer.train(steps, 32);
        System.out.printf("   training MSE %.6f%n", mse);

        System.out.println("2. build it as an SDK model and run the standard passes");
        Model model = PassPipeline.standard().run(build(trainer));
        Graph g = model.graph();
        System.out.printf("   %d nodes, %d parameters, %d MACs%n", g.nodes().size(), g.parameterCount(),
                OpCost.totalMacs(g));

        Path file = dir.resolve("sine_float.tflite");
        System.out.println("3. save as " + file + " and read it back");
        ModelIO.write(model, file);
        Model reread = ModelIO.read(file);
        if (!reread.graph().equals(model.graph())) {
            throw new IllegalStateException("expected the re-read graph to equal the written one");
        }
        System.out.printf("   %,d bytes, sha256 %s%n", Files.size(file), reread.provenance().sourceSha256());

        System.out.println("4. run it with the reference interpreter on 100 points");
        Interpreter interpreter = Interpreter.create(reread);
        double maxErr = 0;
        for (int i = 0; i < 100; i++) {
            float x = (float) (i * 2 * Math.PI / 99);
            float y = interpreter.invokeFloat(new float[] {x})[0][0];
            maxErr = Math.max(maxErr, Math.abs(y - Math.sin(x)));
            if (i % 20 == 0) {
                System.out.printf("   x=%.3f  model=%+.4f  sin=%+.4f%n", x, y, Math.sin(x));
            }
        }
        return new Result(mse, Files.size(file), maxErr, reread);
    }

    /**
     * Builds the trained network as an IR model: three fully-connected layers, ReLU fused into the
     * first two.
     *
     * @param t the trained network
     * @return the model
     */
    public static Model build(SineTrainer t) {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 1)));
        int h1 = dense(b, "dense_1", x, t.weights1(), t.biases1(), 1, Activation.RELU);
        int h2 = dense(b, "dense_2", h1, t.weights2(), t.biases2(), SineTrainer.HIDDEN, Activation.RELU);
        int y = dense(b, "dense_3", h2, t.weights3(), t.biases3(), SineTrainer.HIDDEN, Activation.NONE);
        b.addOutput(y);
        return Model.of(b.build(), Provenance.builtInCode("io.tinyml.samples.HelloSine (trained in plain Java)"));
    }

    private static int dense(GraphBuilder b, String name, int in, float[] w, float[] bias, int inSize,
                             Activation act) {
        int out = bias.length;
        int wi = b.addTensor(Tensor.ofFloats(name + "/kernel", Shape.of(out, inSize), w));
        int bi = b.addTensor(Tensor.ofFloats(name + "/bias", Shape.of(out), bias));
        // TFLite keeps no node names: a reader names a node after its first output, so use the same name
        int y = b.addTensor(Tensor.activation(name, DataType.FLOAT32, Shape.of(1, out)));
        b.addNode(name, new Op.FullyConnected(act, false), List.of(in, wi, bi), List.of(y));
        return y;
    }
}
