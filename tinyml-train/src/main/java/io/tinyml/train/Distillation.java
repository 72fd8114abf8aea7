package io.tinyml.train;

import ai.djl.ndarray.NDArray;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;

/**
 * The knowledge-distillation term of {@link Training.Builder#optDistillation}: soft targets from a
 * teacher's logits at a temperature, and the student's loss mixing the hard loss with the
 * temperature-scaled Kullback-Leibler divergence from those targets.
 */
final class Distillation {
    private final int classes;
    private final float temperature;
    private final double weight;
    private final boolean teacherProbabilities;

    private Distillation(int classes, float temperature, double weight, boolean teacherProbabilities) {
        this.classes = classes;
        this.temperature = temperature;
        this.weight = weight;
        this.teacherProbabilities = teacherProbabilities;
    }

    /**
     * Checks that a teacher fits the student.
     *
     * @throws IllegalArgumentException if the teacher's input shape or class count differs from the student's
     */
    static Distillation of(Model teacher, Graph student, int classes, float temperature, double weight) {
        Graph t = teacher.graph();
        if (t.inputs().size() != 1 || t.outputs().size() != 1) {
            throw new IllegalArgumentException("expected a distillation teacher with one input and one output, found "
                    + t.inputs().size() + " inputs and " + t.outputs().size() + " outputs");
        }
        Shape ti = t.inputTensor(0).shape();
        Shape si = student.inputTensor(0).shape();
        Shape to = t.outputTensor(0).shape();
        int tc = to.dim(to.rank() - 1);
        if (!ti.equals(si) || tc != classes) {
            throw new IllegalArgumentException("expected a distillation teacher with input " + si + " and " + classes
                    + " classes, found input " + ti + " and " + tc + " classes");
        }
        int producer = t.producer(t.outputs().get(0));
        boolean probabilities = producer >= 0 && t.node(producer).op().kind() == OpKind.SOFTMAX;
        return new Distillation(classes, temperature, weight, probabilities);
    }

    /** @return the teacher's softened class probabilities of a batch, without gradient */
    NDArray softTargets(NDArray teacherOut) {
        NDArray logits = logits(teacherOut, teacherProbabilities);
        return logits.div(temperature).softmax(1).stopGradient();
    }

    /** @return {@code (1 - w) * hard + w * T^2 * KL(soft || softmax(student / T))}, averaged over the batch */
    NDArray loss(NDArray hard, NDArray studentOut, boolean studentProbabilities, NDArray soft) {
        NDArray logq = logits(studentOut, studentProbabilities).div(temperature).logSoftmax(1);
        NDArray kl = soft.mul(soft.clip(1e-12f, 1f).log().sub(logq)).sum(new int[] {1}).mean();
        return hard.mul((float) (1 - weight)).add(kl.mul((float) (weight * temperature * temperature)));
    }

    private NDArray logits(NDArray out, boolean probabilities) {
        NDArray o = out.reshape(out.getShape().get(0), classes);
        return probabilities ? o.clip(1e-12f, 1f).log() : o;
    }
}
