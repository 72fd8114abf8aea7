package io.tinyml.prune;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.Model;

/**
 * The optional fine-tuning step: tinyml-train is an optional dependency of this module, so nothing
 * here names its types; {@code internal.TrainStep} does, and is loaded only when fine-tuning runs.
 */
final class FineTuning {
    private static final String TRAINING = "io.tinyml.train.Training";

    private FineTuning() {
    }

    /** @return whether tinyml-train is on the class path */
    static boolean available() {
        try {
            Class.forName(TRAINING, false, FineTuning.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** @return whether the recipe trains at all (fine-tuning or quantization-aware epochs) */
    static boolean on(FineTune recipe) {
        return recipe.epochs() > 0 || recipe.quantizationAware() > 0;
    }

    static Model run(Model m, Model teacher, Dataset train, InputMapping map, FineTune recipe,
                     ProgressListener listener) throws UnsupportedOperatorException {
        try {
            return io.tinyml.prune.internal.TrainStep.fineTune(m, recipe.distillation() > 0 ? teacher : null, train,
                    recipe.validation(), map, recipe.epochs(), recipe.learningRate(), recipe.distillation(),
                    recipe.temperature(), recipe.shift(), recipe.quantizationAware(), listener);
        } catch (DatasetException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
