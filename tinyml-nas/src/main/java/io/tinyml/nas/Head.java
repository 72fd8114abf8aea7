package io.tinyml.nas;

/**
 * How a candidate network turns its last feature map into class scores.
 */
public enum Head {
    /** Global average pooling then one fully-connected layer (few weights, position-invariant). */
    GLOBAL_POOL,
    /** Flatten then one fully-connected layer (more weights, keeps where features are). */
    FLATTEN
}
