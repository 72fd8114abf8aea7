package io.tinyml.core.estimate;

/**
 * Flash bytes by term. Immutable and thread-safe.
 *
 * @param weights weights and biases (constant tensors)
 * @param quantParams quantization parameters stored with the model
 * @param modelFormat the model container's own bytes (TFLite flatbuffer tables; 0 for generated C)
 * @param kernelCode kernel code for the operator kinds used, plus the interpreter
 * @param runtime C library, startup code and harness
 */
public record FlashBreakdown(long weights, long quantParams, long modelFormat, long kernelCode, long runtime) {
    /** @return the sum of the terms */
    public long total() {
        return weights + quantParams + modelFormat + kernelCode + runtime;
    }
}
