package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.testing.Assets;
import io.tinyml.core.testing.GuardedReader.Outcome;
import io.tinyml.core.testing.GuardedReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded mutation fuzzing of the ONNX reader over real ONNX files (mnist8, tiny_digits, hello_world
 * and node/PyTorch test models). Every mutant must read or end in MalformedModelException /
 * UnsupportedOperatorException within two seconds; anything else fails with the seed and the mutant
 * number. Protobuf-aware mutations rewrite varints (lengths, dims, field tags) where they sit.
 */
class OnnxFuzzTest {
    private static final long SEED = Long.getLong("tinyml.fuzz.seed", 0x0_4E_4E_58L);
    private static final int MUTANTS = Integer.getInteger("tinyml.fuzz.mutants", 20_000);
    /** The most bytes one read of a mutant may allocate (a work bound that does not depend on the machine's load). */
    private static final long READ_BYTE_BUDGET = 64L << 20;

    private static GuardedReader reader;

    @BeforeAll
    static void startWorker() {
        reader = new GuardedReader("onnx-fuzz-reader", READ_BYTE_BUDGET, false);
    }

    @AfterAll
    static void stopWorker() {
        reader.close();
    }

    /** Reads on the worker thread; fails the test on a timeout or any other throwable. */
    private static Outcome readGuarded(byte[] bytes, String label) throws InterruptedException {
        return reader.read(() -> OnnxReader.read(bytes, label), label);
    }

    static List<Path> corpus() throws Exception {
        List<Path> out = new ArrayList<>();
        out.add(Assets.require("models/onnx/mnist8/model.onnx"));
        out.add(Assets.require("models/pytorch/tiny_digits.onnx"));
        out.add(Assets.require("models/onnx/hello_world.onnx"));
        for (String c : List.of("onnx-node/test_conv_with_strides_and_asymmetric_padding", "onnx-node/test_gemm_all_attributes",
                "onnx-node/test_constant_pad", "onnx-node/test_reshape_negative_dim", "onnx-node/test_softmax_axis_0",
                "onnx-pytorch/test_Conv2d_depthwise_padded", "onnx-pytorch/test_MaxPool2d_stride_padding_dilation",
                "onnx-pytorch/test_PReLU_2d", "onnx-node/test_maxpool_2d_ceil", "onnx-node/test_unsqueeze_two_axes")) {
            out.add(Assets.require(c).resolve("model.onnx"));
        }
        return out;
    }

    @Test
    void mutantsOfRealModelsReadOrFailCleanly() throws Exception {
        List<byte[]> models = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : corpus()) {
            models.add(Files.readAllBytes(p));
            names.add(p.getParent().getFileName() + "/" + p.getFileName());
        }
        Random rnd = new Random(SEED);
        int[] counts = new int[Outcome.values().length];
        int[] perKind = new int[KINDS];
        for (int m = 0; m < MUTANTS; m++) {
            int which = m % models.size();
            int kind = rnd.nextInt(KINDS);
            perKind[kind]++;
            byte[] mutant = mutate(models.get(which), models, kind, rnd);
            String label = "seed " + SEED + " mutant " + m + " (kind " + kind + " of " + names.get(which) + ")";
            counts[readGuarded(mutant, label).ordinal()]++;
        }
        System.out.printf("ONNX fuzz: seed %d, %d mutants of %d models, at most %,d B allocated by one read: read ok %d, malformed %d,"
                        + " unsupported %d; mutants per kind %s%n", SEED, MUTANTS, models.size(), reader.mostAllocatedBytes(), counts[0],
                counts[1], counts[2], Arrays.toString(perKind));
        assertEquals(MUTANTS, counts[0] + counts[1] + counts[2]);
        assertTrue(counts[0] > 0, "expected some mutants (weights) to still read");
        assertTrue(counts[1] > MUTANTS / 10, "expected many mutants refused as malformed, found " + counts[1]);
    }

    private static final int KINDS = 9;

    static byte[] mutate(byte[] src, List<byte[]> all, int kind, Random rnd) {
        byte[] b = src.clone();
        int n = b.length;
        switch (kind) {
            case 0 -> { // bit flips anywhere
                for (int k = 1 + rnd.nextInt(8); k > 0; k--) {
                    b[rnd.nextInt(n)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // bit flips in the structure (protobuf graph structure is mostly outside the weights)
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    int p = rnd.nextBoolean() ? rnd.nextInt(Math.min(n, 512)) : n - 1 - rnd.nextInt(Math.min(n, 2048));
                    b[p] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 2 -> { // random bytes
                for (int k = 1 + rnd.nextInt(16); k > 0; k--) {
                    b[rnd.nextInt(n)] = (byte) rnd.nextInt(256);
                }
            }
            case 3 -> b = rewriteVarint(b, rnd); // a varint (length, dim, attribute value, tag) replaced
            case 4 -> { // several varints
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    b = rewriteVarint(b, rnd);
                }
            }
            case 5 -> { // a byte set to a value that looks like a tag or a small length
                b[rnd.nextInt(n)] = (byte) switch (rnd.nextInt(4)) {
                    case 0 -> 0x0a | (rnd.nextInt(16) << 3);
                    case 1 -> 0x08 | (rnd.nextInt(16) << 3);
                    case 2 -> 0x80 | rnd.nextInt(128);
                    default -> rnd.nextInt(4) == 0 ? 0x0b : 0x7f;
                };
            }
            case 6 -> b = Arrays.copyOf(b, rnd.nextInt(n)); // truncation
            case 7 -> { // chunk duplication
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

    /** Replaces the varint starting at a random position with an interesting value, resizing the file. */
    static byte[] rewriteVarint(byte[] b, Random rnd) {
        int p = rnd.nextInt(b.length);
        int end = p;
        while (end < b.length && end - p < 10 && (b[end] & 0x80) != 0) {
            end++;
        }
        end = Math.min(b.length, end + 1);
        long v = switch (rnd.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> 1L << 40;
            case 4 -> rnd.nextInt(1 << 16);
            case 5 -> b.length;
            case 6 -> rnd.nextInt(64);
            default -> rnd.nextLong();
        };
        byte[] enc = new byte[10];
        int len = 0;
        do {
            byte x = (byte) (v & 0x7f);
            v >>>= 7;
            enc[len++] = (byte) (v != 0 ? x | 0x80 : x);
        } while (v != 0 && len < 10);
        byte[] out = new byte[b.length - (end - p) + len];
        System.arraycopy(b, 0, out, 0, p);
        System.arraycopy(enc, 0, out, p, len);
        System.arraycopy(b, end, out, p + len, b.length - end);
        return out;
    }
}
