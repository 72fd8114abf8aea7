package io.tinyml.nas;

/**
 * The block a stage of a {@link SearchSpace} repeats.
 */
public enum BlockType {
    /**
     * Depthwise-separable block (DS-CNN): k×k depthwise convolution then 1×1 pointwise convolution,
     * each with batch norm and ReLU.
     */
    DS_CNN,
    /**
     * MobileNetV2-style inverted bottleneck without the residual: 1×1 expansion (ReLU6), k×k depthwise
     * (ReLU6), 1×1 linear projection. Expansion 1 skips the expansion convolution.
     */
    MBV2
}
