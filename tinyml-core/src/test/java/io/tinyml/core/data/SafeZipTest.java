package io.tinyml.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile and well-formed archives, all built in the test. */
class SafeZipTest {
    @TempDir
    Path tmp;

    private static byte[] png(int v) throws IOException {
        return TestImages.png(new byte[] {(byte) v, (byte) (v + 1), (byte) (v + 2), (byte) (v + 3)}, 2, 2, 1);
    }

    private Path zip(String name, Object... nameAndContent) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (int i = 0; i < nameAndContent.length; i += 2) {
                z.putNextEntry(new ZipEntry((String) nameAndContent[i]));
                z.write((byte[]) nameAndContent[i + 1]);
                z.closeEntry();
            }
        }
        Path p = tmp.resolve(name);
        Files.write(p, bytes.toByteArray());
        return p;
    }

    private static DatasetException refused(Path zip) {
        return assertThrows(DatasetException.class, () -> Datasets.readZip(zip));
    }

    @Test
    void readsClassFoldersOptionallyInsideOneTopFolder() throws IOException {
        Path flat = zip("flat.zip", "cat/1.png", png(10), "dog/2.png", png(20), "cat/0.png", png(30),
                "README.md", "ignored".getBytes(), "__MACOSX/cat/._1.png", new byte[] {1});
        Dataset d = Datasets.open(flat.toString());
        assertEquals(List.of("cat", "dog"), d.classes());
        assertEquals(3, d.size());
        assertArrayEquals(new float[] {30, 31, 32, 33}, d.get(0).values()); // cat/0.png sorts first
        assertArrayEquals(new float[] {10, 11, 12, 13}, d.get(1).values());
        assertEquals(1, d.label(2));

        Path nested = zip("nested.zip", "data/", new byte[0], "data/cat/1.png", png(10), "data/dog/2.png", png(20),
                "data/cat/0.png", png(30), "data/README.md", "beside the classes".getBytes(), "data/cat/.DS_Store", new byte[3]);
        assertEquals(d, Datasets.readZip(nested));
        assertEquals(d, Datasets.open(nested + "[0:3]"));

        // samples follow class order even where the zip's path order differs ("cat-2/" < "cat/" < "cat-2")
        Path order = zip("order.zip", "cat-2/a.png", png(1), "cat/b.png", png(2));
        Dataset o = Datasets.readZip(order);
        assertEquals(List.of("cat", "cat-2"), o.classes());
        assertEquals(0, o.label(0));
        assertEquals(2f, o.get(0).value(0));

        Path oneClass = zip("one.zip", "only/a.png", png(1));
        assertEquals(List.of("only"), Datasets.readZip(oneClass).classes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil.png", "/abs/x.png", "a/../../x.png", "cat/../../../etc/passwd", "..\\evil.png",
            "cat\\..\\..\\evil.png", "C:/x.png", "c:evil.png", "cat/C:/x.png"})
    void refusesPathsEscapingTheRoot(String evil) throws IOException {
        Path z = zip("slip.zip", "cat/ok.png", png(1), evil, png(2));
        DatasetException e = refused(z);
        assertTrue(e.getMessage().contains("'" + evil + "'"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*(escape|traversal|zip slip).*"), e.getMessage());
    }

    @Test
    void allowsDotDotThatStaysInside() throws IOException {
        Path z = zip("inside.zip", "cat/x/../ok.png", png(1), "dog/./b.png", png(5));
        Dataset d = Datasets.readZip(z);
        assertEquals(List.of("cat", "dog"), d.classes());
        assertEquals(2, d.size());
    }

    @Test
    void refusesDuplicateNormalizedNames() throws IOException {
        Path z = zip("dup.zip", "cat/a.png", png(1), "cat/./a.png", png(2));
        assertTrue(refused(z).getMessage().contains("duplicate"));
    }

    @Test
    void refusesSymlinkEntries() throws IOException {
        Path z = zip("link.zip", "cat/a.png", png(1), "cat/link.png", "/etc/passwd".getBytes());
        byte[] b = Files.readAllBytes(z);
        int cd = centralRecord(b, "cat/link.png");
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(cd + 4, (short) (3 << 8 | 30));          // made by unix
        bb.putInt(cd + 38, (0120777 << 16));                  // S_IFLNK | rwxrwxrwx
        Files.write(z, b);
        DatasetException e = refused(z);
        assertTrue(e.getMessage().contains("'cat/link.png'") && e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void refusesAZipBombByTheRatioOfBytesActuallyInflated() throws IOException {
        Path z = tmp.resolve("bomb.zip");
        byte[] zeros = new byte[1 << 20];
        try (OutputStream os = Files.newOutputStream(z); ZipOutputStream out = new ZipOutputStream(os)) {
            out.putNextEntry(new ZipEntry("cat/zeros.png"));
            for (int i = 0; i < 200; i++) {          // 200 MiB of zeros, streamed
                out.write(zeros);
            }
            out.closeEntry();
        }
        assertTrue(Files.size(z) < 1_000_000, "bomb is " + Files.size(z) + " bytes");
        DatasetException e = refused(z);
        assertTrue(e.getMessage().contains("'cat/zeros.png'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected at most 67108864 uncompressed bytes per entry, found 209715200 declared"),
                e.getMessage());

        // the same bomb with a modest declared size is stopped while inflating, by the ratio
        byte[] b = Files.readAllBytes(z);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(centralRecord(b, "cat/zeros.png") + 24, 50 << 20);
        Files.write(z, b);
        e = refused(z);
        assertTrue(e.getMessage().contains("'cat/zeros.png'") && e.getMessage().contains("compression ratio of at most 100:1"),
                e.getMessage());
        // the work done before refusing, counted in bytes: a small part of the bomb was inflated, not all of it
        java.util.regex.Matcher inflated = java.util.regex.Pattern.compile("found (\\d+) bytes inflated from (\\d+)")
                .matcher(e.getMessage());
        assertTrue(inflated.find(), e.getMessage());
        assertTrue(Long.parseLong(inflated.group(1)) < (50L << 20) / 4, "refusal must not inflate the whole bomb: "
                + e.getMessage());
    }

    @Test
    void refusesAnEntryThatInflatesBeyondItsDeclaredSize() throws IOException {
        byte[] noise = new byte[300_000];
        new Random(42).nextBytes(noise);                 // incompressible: the ratio check stays silent
        Path z = zip("liar.zip", "cat/a.png", png(1), "cat/noise.png", noise);
        byte[] b = Files.readAllBytes(z);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(centralRecord(b, "cat/noise.png") + 24, 1000);
        Files.write(z, b);
        DatasetException e = refused(z);
        assertTrue(e.getMessage().contains("'cat/noise.png'")
                && e.getMessage().contains("expected at most its declared size of 1000 bytes, found it inflating beyond"),
                e.getMessage());

        // and one that declares more than it holds
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(centralRecord(b, "cat/noise.png") + 24, 400_000);
        Files.write(z, b);
        e = refused(z);
        assertTrue(e.getMessage().contains("expected 400000 bytes as declared, found only 300000"), e.getMessage());
    }

    @Test
    void refusesTooManyEntries() throws IOException {
        Path z = tmp.resolve("many.zip");
        CRC32 empty = new CRC32();
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(z), 1 << 16);
             ZipOutputStream out = new ZipOutputStream(os)) {
            out.setMethod(ZipOutputStream.STORED);
            for (int i = 0; i <= 100_000; i++) {
                ZipEntry e = new ZipEntry("c/" + i);
                e.setSize(0);
                e.setCompressedSize(0);
                e.setCrc(empty.getValue());
                out.putNextEntry(e);
                out.closeEntry();
            }
        }
        DatasetException e = refused(z);
        assertTrue(e.getMessage().contains("expected at most 100000 entries, found 100001 declared (too many entries)"),
                e.getMessage());
    }

    @Test
    void enforcesConfigurableLimits() throws IOException {
        Path z = zip("three.zip", "a/1.png", png(1), "a/2.png", png(2), "b/3.png", png(3));
        assertEquals(3, Datasets.readZip(z).size());
        DatasetException e = assertThrows(DatasetException.class,
                () -> Datasets.readZip(z, ZipLimits.DEFAULT.withMaxEntries(2)));
        assertTrue(e.getMessage().contains("expected at most 2 entries, found 3"), e.getMessage());
        long one = png(1).length;
        e = assertThrows(DatasetException.class, () -> Datasets.readZip(z, ZipLimits.DEFAULT.withMaxTotalBytes(2 * one + 1)));
        assertTrue(e.getMessage().contains("uncompressed bytes in the whole archive") && e.getMessage().contains("b/3.png"),
                e.getMessage());
        e = assertThrows(DatasetException.class, () -> Datasets.readZip(z, ZipLimits.DEFAULT.withMaxEntryBytes(one - 1)));
        assertTrue(e.getMessage().contains("uncompressed bytes per entry"), e.getMessage());
    }

    @Test
    void refusesCorruptArchives() throws IOException {
        Path garbage = tmp.resolve("garbage.zip");
        Files.write(garbage, "definitely not a zip archive, just some text".getBytes());
        assertTrue(refused(garbage).getMessage().contains("end-of-central-directory"));

        Path z = zip("crc.zip", "cat/a.png", png(1));
        byte[] b = Files.readAllBytes(z);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int cd = centralRecord(b, "cat/a.png");
        bb.putInt(cd + 16, bb.getInt(cd + 16) ^ 1);
        Files.write(z, b);
        assertTrue(refused(z).getMessage().contains("expected CRC-32"));

        Path t = tmp.resolve("truncated.zip");
        Files.write(t, java.util.Arrays.copyOf(b, b.length / 2));
        assertTrue(refused(t).getMessage().contains("end-of-central-directory"));
    }

    @Test
    void refusesALocalHeaderThatNamesAnotherFile() throws IOException {
        // readers that trust local headers would see "..//evil.png" where the central directory says "cat/evil.png"
        Path z = zip("twofaced.zip", "cat/evil.png", png(1));
        byte[] b = Files.readAllBytes(z);
        assertEquals(0x04034b50, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        System.arraycopy("../".getBytes(StandardCharsets.US_ASCII), 0, b, 30, 3);
        Files.write(z, b);
        DatasetException e = refused(z);
        assertTrue(e.getMessage().contains("'cat/evil.png'")
                && e.getMessage().contains("expected the local header to repeat the entry name, found '..//evil.png'"),
                e.getMessage());
    }

    @Test
    void readingWritesNothingToDisk() throws IOException {
        Path z = zip("clean.zip", "cat/1.png", png(10), "dog/2.png", png(20));
        long before;
        try (var s = Files.walk(tmp)) {
            before = s.count();
        }
        Datasets.readZip(z);
        try (var s = Files.walk(tmp)) {
            assertEquals(before, s.count());
        }
    }

    /** Finds the central directory record of an entry. */
    static int centralRecord(byte[] zip, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 + n.length <= zip.length; i++) {
            if (b.getInt(i) == 0x02014b50 && (b.getShort(i + 28) & 0xffff) == n.length
                    && java.util.Arrays.equals(zip, i + 46, i + 46 + n.length, n, 0, n.length)) {
                return i;
            }
        }
        throw new AssertionError("no central record for " + name);
    }
}
