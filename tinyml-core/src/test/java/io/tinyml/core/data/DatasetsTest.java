package io.tinyml.core.data;

import io.tinyml.core.ir.Shape;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    @TempDir
    Path tmp;

    private static Path mnist() {
        return Assets.require("datasets/mnist10k");
    }

    @Test
    void readsMnistIdxDirectory() throws IOException {
        Path dir = mnist();
        Dataset d = Datasets.open(dir.toString());
        assertEquals(10000, d.size());
        assertEquals(Shape.of(28, 28, 1), d.sampleShape());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), d.classes());
        assertTrue(d.isUnsigned8());
        int[] counts = d.labelCounts();
        int total = 0;
        for (int c : counts) {
            assertTrue(c > 800 && c < 1300, "implausible class count " + c);
            total += c;
        }
        assertEquals(10000, total);

        // independent check: sum the first image's raw bytes straight from the gzip file
        long expected = 0;
        byte[] header = new byte[16];
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("images-idx3-ubyte.gz")))) {
            assertEquals(16, in.readNBytes(header, 0, 16));
            byte[] img = in.readNBytes(784);
            for (byte b : img) {
                expected += b & 0xff;
            }
        }
        int firstLabel;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("labels-idx1-ubyte.gz")))) {
            in.readNBytes(8);
            firstLabel = in.read();
        }
        float[] v = d.get(0).values();
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        assertTrue(expected > 0);
        assertEquals(expected, (long) sum);
        assertEquals(firstLabel, d.label(0));
        assertEquals(firstLabel, d.get(0).label());
    }

    @Test
    void slicesWithTheSpecSuffix() throws IOException {
        String dir = mnist().toString();
        Dataset all = Datasets.open(dir);
        Dataset tail = Datasets.open(dir + "[8000:10000]");
        assertEquals(2000, tail.size());
        assertEquals(all.get(8000), tail.get(0));
        assertEquals(all.get(9999), tail.get(1999));
        assertEquals(2000, Datasets.open(dir + "[:2000]").size());
        assertEquals(2000, Datasets.open(dir + "[8000:]").size());
        assertEquals(all.get(8000), Datasets.open(dir + "[8000:]").get(0));
        assertEquals(10000, Datasets.open(dir + "[:]").size());
        assertEquals(0, Datasets.open(dir + "[5:5]").size());
        // a slice of a slice is a view with its own bounds
        Dataset inner = tail.slice(10, 20);
        assertEquals(all.get(8010), inner.get(0));
        assertThrows(IndexOutOfBoundsException.class, () -> inner.get(10));

        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(dir + "[0:10001]"));
        assertTrue(e.getMessage().contains("expected a slice within [0:10000]"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.open(dir + "[5:3]"));
        assertTrue(e.getMessage().contains("[5:3]"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.open(dir + "[a:3]"));
        assertTrue(e.getMessage().contains("expected a slice [from:to] of integers, found 'a'"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.open(dir + "[-1:3]"));
        assertTrue(e.getMessage().contains("non-negative"), e.getMessage());
    }

    @Test
    void opensAnIdxImagesFileWithItsLabelsBeside() throws IOException {
        Dataset d = Datasets.open(mnist().resolve("images-idx3-ubyte.gz").toString() + "[:10]");
        assertEquals(10, d.size());
        assertEquals(Datasets.open(mnist().toString()).get(3), d.get(3));
    }

    @Test
    void readsDigitsCsv() throws IOException {
        Dataset d = Datasets.open(Assets.require("datasets/digits.csv.gz").toString());
        assertEquals(1797, d.size());
        assertEquals(Shape.of(64), d.sampleShape());
        assertEquals(10, d.classes().size());
        assertEquals(0, d.label(0));
        assertEquals(1, d.label(1));
        assertEquals(2, d.label(2));
        float[] first = d.get(0).values();
        assertArrayEquals(new float[] {0, 0, 5, 13, 9, 1, 0, 0}, java.util.Arrays.copyOf(first, 8));
        assertTrue(d.isUnsigned8(), "integer values 0..16 are stored compactly");
        for (int c : d.labelCounts()) {
            assertTrue(c > 170 && c < 190, "digits has about 180 rows per class, found " + c);
        }
    }

    @Test
    void csvHeaderNamesAndFloats() throws IOException {
        Path f = tmp.resolve("iris.csv");
        Files.writeString(f, "sepal,petal,species\n5.1,1.4,setosa\n\n6.3,4.9,\"versicolor\"\n5.0,1.5,setosa\n");
        Dataset d = Datasets.open(f.toString());
        assertEquals(3, d.size());
        assertEquals(List.of("setosa", "versicolor"), d.classes());
        assertArrayEquals(new int[] {0, 1, 0}, new int[] {d.label(0), d.label(1), d.label(2)});
        assertArrayEquals(new float[] {6.3f, 4.9f}, d.get(1).values());
        assertTrue(!d.isUnsigned8());

        Path gz = tmp.resolve("small.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write("1,2,0\n3,4,2\n".getBytes());
        }
        Dataset g = Datasets.open(gz.toString());
        assertEquals(List.of("0", "1", "2"), g.classes());
        assertArrayEquals(new float[] {3, 4}, g.get(1).values());
    }

    @Test
    void raggedCsvNamesTheLine() throws IOException {
        Path f = tmp.resolve("ragged.csv");
        Files.writeString(f, "1,2,0\n3,4,1\n5,1\n");
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(f.toString()));
        assertTrue(e.getMessage().contains("line 3: expected 3 columns, found 2"), e.getMessage());

        Path g = tmp.resolve("text.csv");
        Files.writeString(g, "1,2,0\nx,4,1\n");
        e = assertThrows(DatasetException.class, () -> Datasets.open(g.toString()));
        assertTrue(e.getMessage().contains("line 2 column 1: expected a number, found 'x'"), e.getMessage());
    }

    @Test
    void readsBmpClassFolders() throws IOException {
        Path person = Assets.require("models/tflite/person_detect/person.bmp");
        Path noPerson = Assets.require("models/tflite/person_detect/no_person.bmp");
        Path root = tmp.resolve("photos");
        Files.createDirectories(root.resolve("person"));
        Files.createDirectories(root.resolve("no_person"));
        Files.copy(person, root.resolve("person/p1.bmp"));
        Files.copy(noPerson, root.resolve("no_person/n1.bmp"));
        Files.writeString(root.resolve("README.txt"), "ignored: beside the class folders");

        Dataset d = Datasets.open(root.toString());
        assertEquals(2, d.size());
        assertEquals(List.of("no_person", "person"), d.classes());
        assertEquals(Shape.of(96, 96, 1), d.sampleShape());
        assertEquals(0, d.label(0));
        assertEquals(1, d.label(1));
        assertPixelsMatchBmp(noPerson, d.get(0));
        assertPixelsMatchBmp(person, d.get(1));

        Dataset small = Datasets.readImageFolder(root, 48, 48);
        assertEquals(Shape.of(48, 48, 1), small.sampleShape());
        // a 2:1 bilinear downscale with half-pixel centres averages 2x2 blocks, rounded to 8 bits
        float[] full = d.get(1).values();
        float avg = (full[0] + full[1] + full[96] + full[97]) / 4;
        assertEquals(Math.round(avg), small.get(1).value(0), 0.0);
    }

    /** An 8-bit BMP with a grey identity palette stores rows bottom-up from its pixel offset. */
    private static void assertPixelsMatchBmp(Path bmp, Sample s) throws IOException {
        byte[] b = Files.readAllBytes(bmp);
        int offset = (b[10] & 0xff) | (b[11] & 0xff) << 8 | (b[12] & 0xff) << 16;
        assertEquals(1078, offset);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                assertEquals(b[offset + (95 - y) * 96 + x] & 0xff, s.value(y * 96 + x), 0.0, "pixel " + y + "," + x);
            }
        }
    }

    @Test
    void imageFolderRejectsMixedSizesAndNonImages() throws IOException {
        Path root = tmp.resolve("mixed");
        Files.createDirectories(root.resolve("a"));
        Files.write(root.resolve("a/1.png"), TestImages.png(new byte[4 * 4], 4, 4, 1));
        Files.write(root.resolve("a/2.png"), TestImages.png(new byte[5 * 4], 5, 4, 1));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.readImageFolder(root));
        assertTrue(e.getMessage().contains("expected all images to be 4x4") && e.getMessage().contains("2.png"),
                e.getMessage());
        assertEquals(Shape.of(4, 4, 1), Datasets.readImageFolder(root, 4, 4).sampleShape());

        Files.writeString(root.resolve("a/notes.txt"), "x");
        e = assertThrows(DatasetException.class, () -> Datasets.readImageFolder(root, 4, 4));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
    }

    @Test
    void rgbAndGreyImagesBecomeRgb() throws IOException {
        Path root = tmp.resolve("colours");
        Files.createDirectories(root.resolve("grey"));
        Files.createDirectories(root.resolve("red"));
        Files.write(root.resolve("grey/g.png"), TestImages.png(new byte[] {10, 20, 30, 40}, 2, 2, 1));
        Files.write(root.resolve("red/r.png"), TestImages.png(new byte[] {(byte) 200, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
                2, 2, 3));
        Dataset d = Datasets.open(root.toString());
        assertEquals(Shape.of(2, 2, 3), d.sampleShape());
        assertArrayEquals(new float[] {10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40}, d.get(0).values());
        assertArrayEquals(new float[] {200, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, d.get(1).values());
    }

    @Test
    void refusesGarbageAndTruncatedIdx() throws IOException {
        Path labels = tmp.resolve("labels-idx1-ubyte");
        writeIdx(labels, new int[] {0x00000801, 2}, new byte[] {3, 4});

        Path garbage = tmp.resolve("garbage-images-idx3-ubyte");
        Files.write(garbage, "this is not an idx file at all".getBytes());
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.readIdx(garbage, labels));
        assertTrue(e.getMessage().contains("expected IDX magic 0x00000803"), e.getMessage());

        Path shortHeader = tmp.resolve("short");
        Files.write(shortHeader, new byte[] {0, 0, 8, 3, 0, 0});
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(shortHeader, labels));
        assertTrue(e.getMessage().contains("16-byte IDX header, found a truncated file"), e.getMessage());

        Path floats = tmp.resolve("floats");
        writeIdx(floats, new int[] {0x00000D03, 2, 1, 1}, new byte[8]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(floats, labels));
        assertTrue(e.getMessage().contains("found 0x00000d03"), e.getMessage());

        // a header that lies: 10000 images of 28x28 in a 100-byte file; refused before allocating
        Path liar = tmp.resolve("liar");
        writeIdx(liar, new int[] {0x00000803, 10000, 28, 28}, new byte[84]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(liar, labels));
        assertTrue(e.getMessage().contains("expected 7840016 bytes as the header declares, found 100"), e.getMessage());

        // hostile gzip header: 2^31-1 images of 28x28, far beyond what the compressed size can hold
        Path huge = tmp.resolve("huge.gz");
        writeIdxGz(huge, new int[] {0x00000803, Integer.MAX_VALUE, 28, 28}, new byte[0]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(huge, labels));
        assertTrue(e.getMessage().contains("bytes of data from a") && e.getMessage().contains("-byte gzip file"),
                e.getMessage());

        // gzip that declares 2 images of 2x2 but holds one
        Path truncated = tmp.resolve("truncated.gz");
        writeIdxGz(truncated, new int[] {0x00000803, 2, 2, 2}, new byte[4]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(truncated, labels));
        assertTrue(e.getMessage().contains("expected 2 images of 2x2, found only 1 (file truncated)"), e.getMessage());

        // negative (> 2^31) dimension
        Path negative = tmp.resolve("negative");
        writeIdx(negative, new int[] {0x00000803, -5, 2, 2}, new byte[0]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(negative, labels));
        assertTrue(e.getMessage().contains("expected non-negative dimension 0"), e.getMessage());

        // trailing bytes, and counts that disagree
        Path trailing = tmp.resolve("trailing.gz");
        writeIdxGz(trailing, new int[] {0x00000803, 2, 1, 1}, new byte[3]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(trailing, labels));
        assertTrue(e.getMessage().contains("found more bytes"), e.getMessage());
        Path three = tmp.resolve("three");
        writeIdx(three, new int[] {0x00000803, 3, 1, 1}, new byte[3]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(three, labels));
        assertTrue(e.getMessage().contains("expected as many labels as images, found 3 images"), e.getMessage());

        // zero images of 65535x65535: the per-image size is refused before any allocation
        Path wide = tmp.resolve("wide");
        writeIdx(wide, new int[] {0x00000803, 0, 65535, 65535}, new byte[0]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(wide, labels));
        assertTrue(e.getMessage().contains("expected images of at most 67108864 pixels, found 65535x65535"), e.getMessage());

        // a plausible gzip header over too little data ends as "truncated", without reserving the declared size
        Path plausible = tmp.resolve("plausible.gz");
        writeIdxGz(plausible, new int[] {0x00000803, 5_000, 2, 2}, new byte[40]);
        Path labels5000 = tmp.resolve("labels5000");
        writeIdx(labels5000, new int[] {0x00000801, 5_000}, new byte[5_000]);
        e = assertThrows(DatasetException.class, () -> Datasets.readIdx(plausible, labels5000));
        assertTrue(e.getMessage().contains("found only 10 (file truncated)"), e.getMessage());

        // corrupt deflate data inside a valid gzip header
        Path corrupt = tmp.resolve("corrupt.gz");
        writeIdxGz(corrupt, new int[] {0x00000803, 2, 1, 1}, new byte[] {1, 2});
        byte[] cb = Files.readAllBytes(corrupt);
        for (int i = 12; i < cb.length - 8; i++) {
            cb[i] = (byte) 0xff;
        }
        Files.write(corrupt, cb);
        assertThrows(DatasetException.class, () -> Datasets.readIdx(corrupt, labels));

        // and a well-formed pair reads
        Path ok = tmp.resolve("ok");
        writeIdx(ok, new int[] {0x00000803, 2, 1, 2}, new byte[] {1, 2, (byte) 255, 0});
        Dataset d = Datasets.readIdx(ok, labels);
        assertEquals(Shape.of(1, 2, 1), d.sampleShape());
        assertArrayEquals(new float[] {255, 0}, d.get(1).values());
        assertEquals(4, d.label(1));
        assertEquals(5, d.classes().size());
    }

    @Test
    void unknownPathsAreClearErrors() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(tmp.resolve("nope").toString()));
        assertTrue(e.getMessage().contains("found no such file or directory"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.open(tmp.toString()));
        assertTrue(e.getMessage().contains("expected one sub-folder per class, found none"), e.getMessage());
    }

    static void writeIdx(Path f, int[] header, byte[] payload) throws IOException {
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(f))) {
            for (int h : header) {
                o.writeInt(h);
            }
            o.write(payload);
        }
    }

    static void writeIdxGz(Path f, int[] header, byte[] payload) throws IOException {
        try (DataOutputStream o = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(f)))) {
            for (int h : header) {
                o.writeInt(h);
            }
            o.write(payload);
        }
    }
}
