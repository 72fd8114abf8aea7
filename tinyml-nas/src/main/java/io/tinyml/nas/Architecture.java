package io.tinyml.nas;

import io.tinyml.core.ir.Activation;
import io.tinyml.train.NetworkSpec;

import java.util.List;
import java.util.Objects;

/**
 * One network of a {@link SearchSpace}: input resolution, stem, stages and head. Immutable.
 *
 * @param block the block the stages repeat
 * @param resolution input height and width
 * @param stemWidth output channels of the 3×3 stem convolution
 * @param stemStride stride of the stem convolution
 * @param head the classifier head
 * @param stages per stage: width, depth, kernel, expansion and stride
 */
public record Architecture(BlockType block, int resolution, int stemWidth, int stemStride, Head head,
                           List<Stage> stages) {

    /**
     * Validates.
     *
     * @throws NullPointerException if a field is null
     */
    public Architecture {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(head, "head");
        stages = List.copyOf(stages);
    }

    /**
     * One stage's choices.
     *
     * @param width output channels
     * @param depth blocks (0 = stage skipped)
     * @param kernel depthwise kernel size
     * @param expansion expansion ratio (MobileNetV2 blocks)
     * @param stride stride of the first block
     */
    public record Stage(int width, int depth, int kernel, int expansion, int stride) {
    }

    /**
     * Describes the network for training: stem, blocks (batch norm after every convolution), head.
     *
     * @param channels input channels
     * @param classes output classes
     * @return the description
     * @throws IllegalArgumentException if the architecture does not fit its resolution (strides reduce
     *     the feature map below 1×1)
     */
    public NetworkSpec toSpec(int channels, int classes) {
        NetworkSpec.Builder b = NetworkSpec.builder(resolution, resolution, channels);
        b.add(new NetworkSpec.Conv(stemWidth, 3, stemStride, true, Activation.RELU));
        int c = stemWidth;
        int size = (resolution + stemStride - 1) / stemStride;
        for (Stage s : stages) {
            for (int i = 0; i < s.depth(); i++) {
                int stride = i == 0 ? s.stride() : 1;
                size = (size + stride - 1) / stride;
                if (block == BlockType.DS_CNN) {
                    b.add(new NetworkSpec.DepthwiseConv(s.kernel(), stride, 1, true, Activation.RELU));
                    b.add(new NetworkSpec.Conv(s.width(), 1, 1, true, Activation.RELU));
                } else {
                    if (s.expansion() > 1) {
                        b.add(new NetworkSpec.Conv(c * s.expansion(), 1, 1, true, Activation.RELU6));
                    }
                    b.add(new NetworkSpec.DepthwiseConv(s.kernel(), stride, 1, true, Activation.RELU6));
                    b.add(new NetworkSpec.Conv(s.width(), 1, 1, true, Activation.NONE));
                }
                c = s.width();
            }
        }
        if (size < 1) {
            throw new IllegalArgumentException("expected the strides to leave a feature map, found none for " + this);
        }
        if (head == Head.GLOBAL_POOL) {
            b.globalAveragePool();
        } else {
            b.flatten();
        }
        return b.dense(classes).build();
    }

    /**
     * A short, unique, file-name-safe description, e.g. {@code r28-s8x2-16.1.k3-32.2.k5-0-gap}.
     *
     * @return the key
     */
    public String key() {
        StringBuilder sb = new StringBuilder(block == BlockType.DS_CNN ? "ds" : "mb").append("-r").append(resolution)
                .append("-s").append(stemWidth).append('x').append(stemStride);
        for (Stage s : stages) {
            sb.append('-');
            if (s.depth() == 0) {
                sb.append('0');
                continue;
            }
            sb.append(s.width()).append('.').append(s.depth()).append(".k").append(s.kernel());
            if (block == BlockType.MBV2) {
                sb.append(".e").append(s.expansion());
            }
        }
        return sb.append(head == Head.GLOBAL_POOL ? "-gap" : "-flat").toString();
    }
}
