package io.tinyml.nas;

import java.util.List;

/**
 * The choices of one stage of a {@link SearchSpace}: output widths, number of blocks, depthwise kernel
 * sizes and expansion ratios. The first block of the stage uses {@code stride}, the others stride 1.
 * Immutable.
 *
 * @param widths output channels to choose from
 * @param depths block counts to choose from (0 skips the stage)
 * @param kernels depthwise kernel sizes to choose from (odd)
 * @param expansions expansion ratios to choose from (MobileNetV2 blocks; DS-CNN ignores them)
 * @param stride stride of the stage's first block (1 or 2)
 */
public record StageSpace(List<Integer> widths, List<Integer> depths, List<Integer> kernels, List<Integer> expansions,
                         int stride) {

    /**
     * Validates the stage.
     *
     * @throws IllegalArgumentException if a list is empty, a value is out of range or the stride is not 1 or 2
     */
    public StageSpace {
        widths = SearchSpace.choices("stage widths", widths, 1);
        depths = SearchSpace.choices("stage depths", depths, 0);
        kernels = SearchSpace.choices("stage kernels", kernels, 1);
        expansions = SearchSpace.choices("stage expansions", expansions, 1);
        for (int k : kernels) {
            if (k % 2 == 0) {
                throw new IllegalArgumentException("expected odd kernel sizes, found " + k);
            }
        }
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("expected stage stride 1 or 2, found " + stride);
        }
    }
}
