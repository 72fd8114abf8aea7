package io.tinyml.core.io.tflite;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.testing.GuardedReader.Outcome;
import io.tinyml.core.testing.GuardedReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded mutation fuzzing of the TFLite reader over the shared models, plus crafted hostile files.
 * Every input must read or end in MalformedModelException / UnsupportedOperatorException within
 * two seconds; anything else fails with the seed and the mutant number.
 */
class TfliteFuzzTest {
    private static final long SEED = Long.getLong("tinyml.fuzz.seed", 0x7F1E_3A5DL);
    private static final int MUTANTS = Integer.getInteger("tinyml.fuzz.mutants", 20_000);
    /** The most bytes one read of a mutant may allocate (a work bound that does not depend on the machine's load). */
    private static final long READ_BYTE_BUDGET = 64L << 20;

    private static GuardedReader reader;

    @BeforeAll
    static void startWorker() {
        reader = new GuardedReader("tflite-fuzz-reader", READ_BYTE_BUDGET, false);
    }

    @AfterAll
    static void stopWorker() {
        reader.close();
    }

    /** Reads on the worker thread; fails the test on a timeout or any other throwable. */
    private static Outcome readGuarded(byte[] bytes, String label) throws InterruptedException {
        return reader.read(() -> TfliteReader.read(bytes, label), label);
    }

    @Test
    void mutantsOfSharedModelsReadOrFailCleanly() throws Exception {
        List<byte[]> models = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String rel : SharedModels.ALL) {
            models.add(Files.readAllBytes(SharedModels.path(rel)));
            names.add(rel);
        }
        // Written models cover the operators the shared ones lack (PADV2, MEAN, TRANSPOSE, ...).
        models.add(TfliteWriter.write(TfliteWriterTest.everyOperator()));
        names.add("written every-operator model");
        models.add(TfliteWriter.write(TfliteWriterTest.perChannelConv()));
        names.add("written per-channel conv");
        List<int[]> offsetSpots = models.stream().map(TfliteFuzzTest::offsetLookingPositions).toList();
        Random rnd = new Random(SEED);
        int[] counts = new int[Outcome.values().length];
        int[] perKind = new int[KINDS];
        for (int m = 0; m < MUTANTS; m++) {
            int which = m % models.size();
            int kind = rnd.nextInt(KINDS);
            perKind[kind]++;
            byte[] mutant = mutate(models.get(which), offsetSpots.get(which), models, kind, rnd);
            String label = "seed " + SEED + " mutant " + m + " (kind " + kind + " of " + names.get(which) + ")";
            counts[readGuarded(mutant, label).ordinal()]++;
        }
        System.out.printf("TFLite fuzz: seed %d, %d mutants, at most %,d B allocated by one read: read ok %d, malformed %d, unsupported %d;"
                        + " mutants per kind %s%n", SEED, MUTANTS, reader.mostAllocatedBytes(), counts[0], counts[1], counts[2],
                Arrays.toString(perKind));
        assertEquals(MUTANTS, counts[0] + counts[1] + counts[2]);
        assertTrue(counts[0] > 0, "expected some mutants (weights) to still read");
        assertTrue(counts[1] > MUTANTS / 10, "expected many mutants to be refused as malformed, found " + counts[1]);
    }

    private static final int KINDS = 9;

    private static byte[] mutate(byte[] src, int[] spots, List<byte[]> all, int kind, Random rnd) {
        byte[] b = src.clone();
        int n = b.length;
        switch (kind) {
            case 0 -> { // bit flips anywhere
                for (int k = 1 + rnd.nextInt(8); k > 0; k--) {
                    int p = rnd.nextInt(n);
                    b[p] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // bit flips in the structure (the first 2 KiB and the last 4 KiB hold most tables)
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    int p = rnd.nextBoolean() ? rnd.nextInt(Math.min(n, 2048)) : n - 1 - rnd.nextInt(Math.min(n, 4096));
                    b[p] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 2 -> { // random bytes
                for (int k = 1 + rnd.nextInt(16); k > 0; k--) {
                    b[rnd.nextInt(n)] = (byte) rnd.nextInt(256);
                }
            }
            case 3 -> putInt(b, rnd.nextInt(n - 3), interesting(rnd, n, 0)); // random int32 overwrite
            case 4 -> { // int32 overwrite where an offset-looking value sits
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    int p = spots[rnd.nextInt(spots.length)];
                    putInt(b, p, interesting(rnd, n, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(p)));
                }
            }
            case 5 -> { // 16-bit overwrite (vtable entries) near offset-looking positions
                int p = Math.max(0, Math.min(n - 2, spots[rnd.nextInt(spots.length)] - rnd.nextInt(64)) & ~1);
                short v = (short) switch (rnd.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> 0xFFFF;
                    case 2 -> rnd.nextInt(64);
                    default -> rnd.nextInt(65536);
                };
                b[p] = (byte) v;
                b[p + 1] = (byte) (v >> 8);
            }
            case 6 -> b = Arrays.copyOf(b, rnd.nextInt(n)); // truncation
            case 7 -> { // chunk duplication: copy a chunk over another place
                int len = 1 + rnd.nextInt(Math.min(n, 256));
                int from = rnd.nextInt(n - len + 1);
                int to = rnd.nextInt(n - len + 1);
                System.arraycopy(src, from, b, to, len);
            }
            default -> { // splice: insert or cut a chunk, or join two models
                int cut = rnd.nextInt(n);
                if (rnd.nextBoolean()) {
                    byte[] other = all.get(rnd.nextInt(all.size()));
                    int from = rnd.nextInt(other.length);
                    int len = Math.min(other.length - from, 1 + rnd.nextInt(512));
                    byte[] out = new byte[n + len];
                    System.arraycopy(b, 0, out, 0, cut);
                    System.arraycopy(other, from, out, cut, len);
                    System.arraycopy(b, cut, out, cut + len, n - cut);
                    b = out;
                } else {
                    int len = Math.min(n - cut, 1 + rnd.nextInt(256));
                    byte[] out = new byte[n - len];
                    System.arraycopy(b, 0, out, 0, cut);
                    System.arraycopy(b, cut + len, out, cut, n - cut - len);
                    b = out;
                }
            }
        }
        return b;
    }

    private static int interesting(Random rnd, int n, int current) {
        return switch (rnd.nextInt(10)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> current + 4 * (rnd.nextInt(9) - 4);
            case 5 -> current * 2;
            case 6 -> n;
            case 7 -> n - rnd.nextInt(64);
            case 8 -> rnd.nextInt(1 << 16);
            default -> rnd.nextInt();
        };
    }

    private static void putInt(byte[] b, int p, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(p, v);
    }

    /** Aligned positions whose int32 value would point inside the file: likely uoffsets. */
    private static int[] offsetLookingPositions(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p + 4 <= b.length; p += 4) {
            int v = bb.getInt(p);
            if (v > 0 && v % 4 == 0 && p + (long) v < b.length && v < 1 << 20) {
                out.add(p);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
