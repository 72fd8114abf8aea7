package io.tinyml.core.pass;

import io.tinyml.core.ir.Model;

/**
 * A transformation from model to model. Implementations are immutable and thread-safe; they
 * never modify their input (the IR is immutable) and return the input unchanged when nothing
 * applies.
 */
public interface Pass {
    /**
     * Describes the pass: name, optimisation level and requirements.
     *
     * @return the description
     */
    PassInfo info();

    /**
     * Applies the pass.
     *
     * @param model the input model
     * @param context the pipeline context
     * @return the transformed model (the same instance if nothing changed)
     * @throws PassException if the pass cannot be applied to this model
     */
    Model apply(Model model, PassContext context) throws PassException;
}
