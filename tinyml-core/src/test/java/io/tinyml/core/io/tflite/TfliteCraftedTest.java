package io.tinyml.core.io.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hand-crafted hostile TFLite files: each must end in a MalformedModelException or an
 * UnsupportedOperatorException whose message names the problem.
 */
class TfliteCraftedTest {
    private static final int FLOAT32 = 0;
    private static final int INT8 = 9;
    private static final int RELU = 19;

    /** x -> RELU -> y, the smallest valid model, for variations. */
    private static RawTflite reluModel() {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 4);
        int y = m.tensor("y", FLOAT32, 1, 4);
        m.op(m.code(RELU), new int[] {x}, new int[] {y});
        m.inputs = new int[] {x};
        m.outputs = new int[] {y};
        return m;
    }

    private static String malformed(byte[] bytes) {
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> TfliteReader.read(bytes, "crafted"));
        return e.getMessage();
    }

    @Test
    void theBaseModelReads() throws Exception {
        var model = TfliteReader.read(reluModel().build(), "crafted");
        assertEquals(1, model.graph().nodes().size());
        assertEquals("y", model.graph().nodes().get(0).name());
    }

    @Test
    void hugeDeclaredDimensionsAreRefusedBeforeAllocation() {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 100_000, 100_000, 100_000);
        int y = m.tensor("y", FLOAT32, 100_000, 100_000, 100_000);
        m.op(m.code(RELU), new int[] {x}, new int[] {y});
        m.inputs = new int[] {x};
        m.outputs = new int[] {y};
        String msg = malformed(m.build());
        assertTrue(msg.contains("tensor 'x' declares over 268435456 bytes"), msg);
        assertTrue(msg.contains("over the limit of 268435456 bytes (256 MiB)"), msg);
    }

    @Test
    void totalActivationBytesAreBounded() {
        RawTflite m = new RawTflite();
        int prev = m.tensor("t0", FLOAT32, 1, 60_000_000);
        m.inputs = new int[] {prev};
        int relu = m.code(RELU);
        for (int i = 1; i < 6; i++) {
            int next = m.tensor("t" + i, FLOAT32, 1, 60_000_000);
            m.op(relu, new int[] {prev}, new int[] {next});
            prev = next;
        }
        m.outputs = new int[] {prev};
        String msg = malformed(m.build());
        assertTrue(msg.contains("activations declare over") && msg.contains("1073741824 bytes (1 GiB)"), msg);
    }

    @Test
    void negativeDimensionsAreMalformed() {
        RawTflite m = reluModel();
        m.tensors.set(1, new RawTflite.T("y", FLOAT32, new int[] {1, -4}, 0, null, null, 0));
        assertTrue(malformed(m.build()).contains("tensor 'y': expected non-negative dimensions, found [1, -4]"));
    }

    @Test
    void outOfRangeTensorIndexIsMalformed() {
        RawTflite m = reluModel();
        m.ops.set(0, new RawTflite.O(0, new int[] {7}, new int[] {1}, 0, null));
        assertTrue(malformed(m.build()).contains("operator 0 input: expected a tensor index in [0, 2), found 7"));
        RawTflite g = reluModel();
        g.outputs = new int[] {-3};
        assertTrue(malformed(g.build()).contains("graph output: expected a tensor index in [0, 2), found -3"));
    }

    @Test
    void outOfRangeBufferIndexIsMalformed() {
        RawTflite m = reluModel();
        m.buffer(0, 42);
        assertTrue(malformed(m.build()).contains("tensor 'x': expected a buffer index in [0, 1), found 42"));
    }

    @Test
    void outOfRangeOpcodeIndexIsMalformed() {
        RawTflite m = reluModel();
        m.ops.set(0, new RawTflite.O(5, new int[] {0}, new int[] {1}, 0, null));
        assertTrue(malformed(m.build()).contains("operator 0: expected an opcode index in [0, 1), found 5"));
    }

    @Test
    void operatorCycleIsMalformed() {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 4);
        int a = m.tensor("a", FLOAT32, 1, 4);
        int b = m.tensor("b", FLOAT32, 1, 4);
        int relu = m.code(RELU);
        int add = m.code(0);
        m.op(add, new int[] {x, b}, new int[] {a});
        m.op(relu, new int[] {a}, new int[] {b});
        m.inputs = new int[] {x};
        m.outputs = new int[] {b};
        String msg = malformed(m.build());
        assertTrue(msg.contains("is part of a cycle"), msg);
    }

    @Test
    void tensorWrittenTwiceIsMalformed() {
        RawTflite m = reluModel();
        m.op(0, new int[] {0}, new int[] {1});
        String msg = malformed(m.build());
        assertTrue(msg.contains("writes tensor 'y' already written by node"), msg);
    }

    @Test
    void unknownBuiltinOperatorsAreUnsupported() {
        RawTflite m = reluModel();
        m.codes.set(0, new RawTflite.Code(127, 999, null));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> TfliteReader.read(m.build(), "crafted"));
        assertEquals("BUILTIN_999", e.operator());
        assertTrue(e.getMessage().contains("node 0 (output 'y')"), e.getMessage());

        RawTflite g = reluModel();
        g.codes.set(0, new RawTflite.Code(36, 36, null));
        e = assertThrows(UnsupportedOperatorException.class, () -> TfliteReader.read(g.build(), "crafted"));
        assertEquals("GATHER", e.operator());
    }

    @Test
    void customOperatorsAreUnsupportedByName() {
        RawTflite m = reluModel();
        m.codes.set(0, new RawTflite.Code(32, 32, "MyFancyOp"));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> TfliteReader.read(m.build(), "crafted"));
        assertEquals("MyFancyOp", e.operator());
        assertTrue(e.getMessage().contains("custom operator 'MyFancyOp' at node 0 (output 'y')"), e.getMessage());
    }

    @Test
    void sparseTensorsAndUnsupportedTypesAreUnsupported() {
        RawTflite m = reluModel();
        m.sparse.add(1);
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> TfliteReader.read(m.build(), "crafted"));
        assertEquals("SparsityParameters", e.operator());
        assertTrue(e.getMessage().contains("tensor 'y' is stored sparse"), e.getMessage());

        RawTflite g = reluModel();
        g.tensors.set(1, new RawTflite.T("y", 10, new int[] {1, 4}, 0, null, null, 0));
        e = assertThrows(UnsupportedOperatorException.class, () -> TfliteReader.read(g.build(), "crafted"));
        assertEquals("TensorType.FLOAT64", e.operator());

        RawTflite u = reluModel();
        u.tensors.set(1, new RawTflite.T("y", 77, new int[] {1, 4}, 0, null, null, 0));
        assertTrue(malformed(u.build()).contains("tensor 'y': expected a tensor type in [0, 18], found 77"));
    }

    @Test
    void wrongVersionAndIdentifierAreMalformed() {
        RawTflite m = reluModel();
        m.version = 2;
        assertTrue(malformed(m.build()).contains("expected TFLite schema version 3, found 2"));
        byte[] b = reluModel().build();
        b[7] = '2';
        assertTrue(malformed(b).contains("expected file identifier 'TFL3' at offset 4, found 'TFL2'"));
        assertTrue(malformed(new byte[3]).contains("at least 8 bytes, found 3"));
        assertTrue(malformed(new byte[0]).contains("found 0"));
    }

    @Test
    void wrongOptionsTypeAndBadEnumsAreMalformed() {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 4, 4, 1);
        int w = m.constant("w", FLOAT32, new int[] {1, 1, 1, 1}, RawTflite.float32(1f));
        int y = m.tensor("y", FLOAT32, 1, 4, 4, 1);
        m.op(m.code(3), new int[] {x, w, -1}, new int[] {y}, 5, b -> {
            b.startTable(6);
            return b.endTable();
        });
        m.inputs = new int[] {x};
        m.outputs = new int[] {y};
        assertTrue(malformed(m.build()).contains("expected builtin options Conv2DOptions (1), found type 5"));
        m.ops.set(0, new RawTflite.O(0, new int[] {x, w, -1}, new int[] {y}, 1, b -> {
            b.startTable(6);
            b.addByte(0, (byte) 7, 0);
            return b.endTable();
        }));
        assertTrue(malformed(m.build()).contains("expected padding SAME (0) or VALID (1), found 7"));
    }

    @Test
    void constantDataOfTheWrongSizeIsMalformed() {
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 4);
        int c = m.constant("c", FLOAT32, new int[] {1, 4}, new byte[12]);
        int y = m.tensor("y", FLOAT32, 1, 4);
        m.op(m.code(0), new int[] {x, c}, new int[] {y});
        m.inputs = new int[] {x};
        m.outputs = new int[] {y};
        assertTrue(malformed(m.build()).contains("tensor 'c' FLOAT32[1, 4]: expected 16 data bytes in buffer 1, found 12"));
    }

    @Test
    void offsetsReusedManyTimesExhaustTheWorkBudget() {
        // One operator table whose inputs vector holds 10,000 indices, referenced 100,000 times.
        FlatBufferBuilder b = new FlatBufferBuilder(1 << 20);
        int name = b.createString("x");
        int shape = RawTflite.ints(b, new int[] {1});
        b.startTable(7);
        b.addOffset(0, shape, 0);
        b.addOffset(3, name, 0);
        int tensor = b.endTable();
        int in = RawTflite.ints(b, new int[10_000]);
        int out = RawTflite.ints(b, new int[] {0});
        b.startTable(5);
        b.addOffset(1, in, 0);
        b.addOffset(2, out, 0);
        int op = b.endTable();
        int[] ops = new int[100_000];
        Arrays.fill(ops, op);
        int opv = b.createVectorOfTables(ops);
        int tv = b.createVectorOfTables(new int[] {tensor});
        int io = RawTflite.ints(b, new int[] {0});
        b.startTable(5);
        b.addOffset(0, tv, 0);
        b.addOffset(1, io, 0);
        b.addOffset(2, io, 0);
        b.addOffset(3, opv, 0);
        int sg = b.endTable();
        b.startTable(4);
        b.addByte(0, (byte) RELU, 0);
        b.addInt(3, RELU, 0);
        int code = b.endTable();
        int cv = b.createVectorOfTables(new int[] {code});
        int sgv = b.createVectorOfTables(new int[] {sg});
        b.startTable(3);
        int buf = b.endTable();
        int bv = b.createVectorOfTables(new int[] {buf});
        b.startTable(8);
        b.addInt(0, 3, 0);
        b.addOffset(1, cv, 0);
        b.addOffset(2, sgv, 0);
        b.addOffset(4, bv, 0);
        b.finish(b.endTable(), "TFL3");
        byte[] crafted = b.sizedByteArray();
        String msg = malformed(crafted);
        assertTrue(msg.contains("offsets reused too often"), msg);
        // the work allowed before stopping is counted in elements read and bounded by the file's size
        assertTrue(msg.contains("expected at most " + FlatReader.maxWork(crafted.length) + " elements read for a file of "
                + crafted.length + " bytes"), msg);
    }

    @Test
    void manyDuplicateNamesAreMadeUniqueInLinearTime() throws Exception {
        RawTflite m = new RawTflite();
        int n = 50_000;
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = m.tensor("x", FLOAT32, 1);
        }
        m.inputs = all;
        m.outputs = new int[] {n - 1};
        byte[] bytes = m.build();
        var g = TfliteReader.read(bytes, "crafted").graph();
        assertEquals(n, g.tensors().size());
        assertEquals("x", g.tensor(0).name());
        assertEquals("x_" + (n - 1), g.tensor(n - 1).name());
        // linear: the names tried, counted, stay within a constant of the tensor count (a quadratic scheme
        // would try about n * n / 2 = 1.25e9 names here)
        String[] raw = new String[n];
        java.util.Arrays.fill(raw, "x");
        UniqueNames names = new UniqueNames();
        String[] unique = names.assign(raw);
        assertEquals("x_" + (n - 1), unique[n - 1]);
        assertTrue(names.tried() <= 2L * n, "expected at most " + 2L * n + " names tried, found " + names.tried());
    }

    @Test
    void denseFanOutIsRefused() {
        // 600 concatenations each reading x 600 times: cheap to store, quadratic to index.
        RawTflite m = new RawTflite();
        int x = m.tensor("x", FLOAT32, 1, 1);
        m.inputs = new int[] {x};
        int concat = m.code(2);
        int[] in = new int[600];
        Arrays.fill(in, x);
        int[] outs = new int[600];
        for (int i = 0; i < 600; i++) {
            outs[i] = m.tensor("y" + i, FLOAT32, 1, 600);
            m.op(concat, in, new int[] {outs[i]}, 10, b -> {
                b.startTable(2);
                b.addInt(0, 1, 0);
                return b.endTable();
            });
        }
        m.outputs = outs;
        String msg = malformed(m.build());
        assertTrue(msg.contains("fan-out cost of 216000000"), msg);
    }
}
