package io.tinyml.service;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Hostile and benign uploads built in code. */
final class TestFiles {
    private TestFiles() {
    }

    /** A zip whose one entry climbs out of the extraction root. */
    static byte[] zipSlip() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            z.putNextEntry(new ZipEntry("digits/0/ok.csv"));
            z.write("1,2,3\n".getBytes());
            z.putNextEntry(new ZipEntry("../../../../tmp/evil.png"));
            z.write(new byte[100]);
        }
        return b.toByteArray();
    }

    /** A zip of 100 MiB of zeros in one entry (about 100 KB compressed, a ratio near 1000). */
    static byte[] zipBomb() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            z.putNextEntry(new ZipEntry("data/0/bomb.png"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                z.write(zeros);
            }
        }
        return b.toByteArray();
    }

    /** An ONNX model (hand-encoded protobuf) whose input is a float tensor of shape [1, 2^31] through Relu. */
    static byte[] onnxHugeDim() {
        byte[] dim = varint(1, 1L << 31);
        byte[] dim1 = varint(1, 1);
        byte[] shape = cat(field(1, dim1), field(1, dim));
        byte[] tensorType = cat(varint(1, 1), field(2, shape));
        byte[] type = field(1, tensorType);
        byte[] in = cat(str(1, "x"), field(2, type));
        byte[] out = cat(str(1, "y"), field(2, type));
        byte[] node = cat(str(1, "x"), str(2, "y"), str(3, "relu"), str(4, "Relu"));
        byte[] graph = cat(field(1, node), str(2, "g"), field(11, in), field(12, out));
        byte[] opset = cat(str(1, ""), varint(2, 13));
        return cat(varint(1, 7), str(2, "test"), field(7, graph), field(8, opset));
    }

    /** A zip of class folders of PNG digits: the first {@code n} images of the mnist10k asset. */
    static byte[] mnistZip(Path mnistDir, int n) throws IOException {
        Dataset d = Datasets.readIdxDirectory(mnistDir);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            for (int i = 0; i < n; i++) {
                float[] v = d.values(i);
                BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < 28 * 28; p++) {
                    img.getRaster().setSample(p % 28, p / 28, 0, Math.round(v[p]));
                }
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(img, "png", png);
                z.putNextEntry(new ZipEntry("digits/" + d.label(i) + "/" + i + ".png"));
                z.write(png.toByteArray());
            }
        }
        return b.toByteArray();
    }

    private static byte[] field(int f, byte[] body) {
        return cat(tag(f, 2), len(body.length), body);
    }

    private static byte[] str(int f, String s) {
        return field(f, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static byte[] varint(int f, long v) {
        return cat(tag(f, 0), len(v));
    }

    private static byte[] tag(int f, int wire) {
        return len((long) f << 3 | wire);
    }

    private static byte[] len(long v) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        do {
            int x = (int) (v & 0x7f);
            v >>>= 7;
            o.write(v != 0 ? x | 0x80 : x);
        } while (v != 0);
        return o.toByteArray();
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}
