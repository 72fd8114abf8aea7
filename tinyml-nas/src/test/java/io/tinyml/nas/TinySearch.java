package io.tinyml.nas;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.testing.Assets;

import java.util.List;

/** A small search problem the tests share: MNIST digits resized to 12×12 or 10×10, one DS-CNN stage. */
final class TinySearch {
    static final float SCALE = 1f / 255;

    private TinySearch() {
    }

    static SearchSpace space() {
        return new SearchSpace(1, BlockType.DS_CNN, List.of(12, 10), List.of(4, 8), List.of(2),
                List.of(Head.GLOBAL_POOL, Head.FLATTEN),
                List.of(new StageSpace(List.of(8, 16), List.of(1, 2), List.of(3, 5), List.of(1), 2)));
    }

    static Dataset mnist(int from, int to) throws Exception {
        return Datasets.open(Assets.require("datasets/mnist10k") + "[" + from + ":" + to + "]");
    }
}
