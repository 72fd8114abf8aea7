package io.tinyml.core.data;

import io.tinyml.core.data.internal.ImageCodec;

import java.io.IOException;

/** Small images built in code for tests. */
final class TestImages {
    private TestImages() {
    }

    static byte[] png(byte[] pixels, int h, int w, int c) throws IOException {
        return ImageCodec.encodePng(pixels, h, w, c);
    }
}
