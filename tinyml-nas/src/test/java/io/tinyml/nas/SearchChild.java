package io.tinyml.nas;

import java.nio.file.Path;

/**
 * The tiny search of {@link SearchTest} as a process of its own, so a test can kill it with SIGKILL
 * mid-way: {@code java -cp … io.tinyml.nas.SearchChild OUTPUT_DIR}.
 */
final class SearchChild {
    private SearchChild() {
    }

    public static void main(String[] args) throws Exception {
        SearchTest.data();
        SearchTest.search(Path.of(args[0]), new DjlTrainer(TinySearch.SCALE, 0, 1e-2f, 0, 64)).build().run();
    }
}
