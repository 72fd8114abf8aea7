package io.tinyml.core.data.internal;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.ir.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects decoded images of class folders and builds an 8-bit image {@link Dataset}: grey
 * ({@code [h, w, 1]}) when every image is grey, RGB ({@code [h, w, 3]}) otherwise. Images must share
 * one size unless a target size is given, in which case each is resized bilinearly to it and rounded
 * back to 8 bits. Decoded pixels are limited to {@link #MAX_DECODED_BYTES} in total. Not thread-safe.
 */
public final class ImageSetAssembler {
    /** The most bytes of decoded pixels one data set may hold (1 GiB), so that small files cannot exhaust memory. */
    public static final long MAX_DECODED_BYTES = 1L << 30;
    private final List<String> classes;
    private final String source;
    private final int targetH;
    private final int targetW;
    private final List<byte[]> pixels = new ArrayList<>();   // grey (1 byte/pixel) or RGB (3 bytes/pixel)
    private final List<Integer> labels = new ArrayList<>();
    private String firstName;
    private int h = -1;
    private int w = -1;
    private boolean allGrey = true;
    private long decodedBytes;

    /**
     * Creates an assembler.
     *
     * @param classes the class names, in label order
     * @param source the source description
     * @param targetH the height to resize to, or 0 to keep sizes (which must then agree)
     * @param targetW the width to resize to, or 0
     */
    public ImageSetAssembler(List<String> classes, String source, int targetH, int targetW) {
        this.classes = List.copyOf(classes);
        this.source = source;
        this.targetH = targetH;
        this.targetW = targetW;
    }

    /**
     * Decodes and adds one image.
     *
     * @param label the class index
     * @param name the file or entry name, for messages
     * @param encoded the PNG, BMP or JPEG bytes
     * @throws DatasetException if the image cannot be decoded or its size differs from the first image's
     */
    public void add(int label, String name, byte[] encoded) throws DatasetException {
        ImageCodec.Decoded d = ImageCodec.decode(encoded, name);
        int ih = d.height();
        int iw = d.width();
        byte[] rgb = d.rgb();
        if (targetH > 0 && (ih != targetH || iw != targetW)) {
            float[] f = new float[rgb.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = rgb[i] & 0xff;
            }
            float[] r = ImageOps.resizeBilinear(f, ih, iw, 3, targetH, targetW);
            rgb = new byte[r.length];
            for (int i = 0; i < r.length; i++) {
                rgb[i] = (byte) Math.max(0, Math.min(255, Math.round(r[i])));
            }
            ih = targetH;
            iw = targetW;
        }
        if (h < 0) {
            h = ih;
            w = iw;
            firstName = name;
        } else if (ih != h || iw != w) {
            throw new DatasetException(name + ": expected all images to be " + h + "x" + w + " (height x width, as "
                    + firstName + "), found " + ih + "x" + iw + "; ask for a common size to resize them");
        }
        decodedBytes += (long) ih * iw * (d.grey() ? 1 : 3);
        if (decodedBytes > MAX_DECODED_BYTES) {
            throw new DatasetException(name + ": expected at most " + MAX_DECODED_BYTES + " bytes of decoded pixels in one "
                    + "data set, found more with this image");
        }
        if (d.grey()) {
            byte[] g = new byte[ih * iw];
            for (int i = 0; i < g.length; i++) {
                g[i] = rgb[3 * i];
            }
            pixels.add(g);
        } else {
            allGrey = false;
            pixels.add(rgb);
        }
        labels.add(label);
    }

    /**
     * Builds the data set.
     *
     * @return the data set
     * @throws DatasetException if no image was added
     */
    public Dataset build() throws DatasetException {
        if (pixels.isEmpty()) {
            throw new DatasetException(source + ": expected at least one PNG, BMP or JPEG image in the class folders "
                    + classes + ", found none");
        }
        int c = allGrey ? 1 : 3;
        Dataset.Builder b = Dataset.builder(Shape.of(h, w, c)).optClasses(classes).optSource(source)
                .optExpectedSize(pixels.size());
        for (int i = 0; i < pixels.size(); i++) {
            byte[] p = pixels.get(i);
            if (c == 3 && p.length == h * w) {
                byte[] rgb = new byte[h * w * 3];
                for (int k = 0; k < p.length; k++) {
                    rgb[3 * k] = p[k];
                    rgb[3 * k + 1] = p[k];
                    rgb[3 * k + 2] = p[k];
                }
                p = rgb;
            }
            b.addUnsigned8(p, labels.get(i));
            pixels.set(i, null);
        }
        return b.build();
    }
}
