package io.tinyml.core.data;

import io.tinyml.core.ir.Shape;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetWriterTest {
    @TempDir
    Path tmp;

    @Test
    void mnistSliceRoundTripsThroughFolderAndZip() throws IOException {
        Dataset d = Datasets.open(Assets.require("datasets/mnist10k") + "[:300]");
        assertEquals(10, d.classes().size());
        Path dir = tmp.resolve("mnist300");
        DatasetWriter.toFolder(d, dir);
        assertTrue(Files.isRegularFile(dir.resolve(d.classes().get(d.label(0))).resolve("000000.png")));
        Dataset back = Datasets.open(dir.toString());
        assertEquals(d.groupedByClass(), back);
        assertNotEquals(d, back, "the original is not grouped by class");

        Path zip = tmp.resolve("mnist300.zip");
        DatasetWriter.toZip(d, zip);
        assertEquals(d.groupedByClass(), Datasets.open(zip.toString()));
        assertNoTempLeft();
    }

    @Test
    void digitsCsvRoundTrips() throws IOException {
        Dataset d = Datasets.open(Assets.require("datasets/digits.csv.gz").toString());
        Path dir = tmp.resolve("digits");
        DatasetWriter.toFolder(d, dir);
        assertTrue(Files.isRegularFile(dir.resolve(DatasetWriter.CSV_NAME)));
        assertEquals(d, Datasets.open(dir.toString()));
        Path zip = tmp.resolve("digits.zip");
        DatasetWriter.toZip(d, zip);
        assertEquals(d, Datasets.open(zip.toString()));
    }

    @Test
    void floatFeaturesAndNamedClassesRoundTripExactly() throws IOException {
        Random r = new Random(7);
        Dataset.Builder b = Dataset.builder(Shape.of(5)).optClasses(List.of("high", "low", "mid"));
        for (int i = 0; i < 50; i++) {
            float[] v = new float[5];
            for (int k = 0; k < 5; k++) {
                v[k] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 6));
            }
            b.add(v, i % 3);
        }
        b.add(new float[] {-0f, 0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.MIN_VALUE}, 2);
        Dataset d = b.build();
        Path dir = tmp.resolve("floats");
        DatasetWriter.toFolder(d, dir);
        assertEquals(d, Datasets.open(dir.toString()));

        // CSV class names are re-read sorted by name: unsorted names keep their samples but not their indices
        Dataset unsorted = Dataset.builder(Shape.of(1)).optClasses(List.of("zebra", "ant"))
                .add(new float[] {1.5f}, 0).add(new float[] {2.5f}, 1).build();
        Path u = tmp.resolve("unsorted");
        DatasetWriter.toFolder(unsorted, u);
        Dataset back = Datasets.open(u.toString());
        assertEquals(List.of("ant", "zebra"), back.classes());
        assertEquals("zebra", back.classes().get(back.label(0)));
    }

    @Test
    void rgbImagesRoundTripAndValuesAreClampedAndRounded() throws IOException {
        Random r = new Random(3);
        Dataset.Builder b = Dataset.builder(Shape.of(5, 7, 3)).optClasses(List.of("a", "b", "empty"));
        for (int i = 0; i < 6; i++) {
            byte[] px = new byte[5 * 7 * 3];
            r.nextBytes(px);
            b.addUnsigned8(px, i < 3 ? 0 : 1);
        }
        Dataset d = b.build();
        Path zip = tmp.resolve("rgb.zip");
        DatasetWriter.toZip(d, zip);
        Dataset back = Datasets.readZip(zip);
        assertEquals(List.of("a", "b", "empty"), back.classes(), "empty class folders are kept");
        assertEquals(d, back);

        Dataset f = Dataset.builder(Shape.of(1, 3, 1)).add(new float[] {-7f, 127.6f, 300f}, 0).build();
        Path dir = tmp.resolve("clamped");
        DatasetWriter.toFolder(f, dir);
        assertEquals(List.of(0f, 128f, 255f), boxed(Datasets.open(dir.toString()).get(0).values()));
    }

    @Test
    void neverOverwritesANonEmptyTarget() throws IOException {
        Dataset d = Dataset.builder(Shape.of(2)).add(new float[] {1, 2}, 0).build();
        Path dir = tmp.resolve("taken");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("keep.txt"), "precious");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetWriter.toFolder(d, dir));
        assertTrue(e.getMessage().contains("expected a new or empty target, found non-empty directory"), e.getMessage());
        assertEquals("precious", Files.readString(dir.resolve("keep.txt")));

        Path zip = tmp.resolve("taken.zip");
        Files.writeString(zip, "x");
        e = assertThrows(DatasetException.class, () -> DatasetWriter.toZip(d, zip));
        assertTrue(e.getMessage().contains("found existing file"), e.getMessage());
        assertEquals("x", Files.readString(zip));

        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        DatasetWriter.toFolder(d, empty);
        assertEquals(d, Datasets.open(empty.toString()));
        assertNoTempLeft();
    }

    private void assertNoTempLeft() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList());
        }
    }

    private static List<Float> boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return List.of(out);
    }
}
