package io.tinyml.core.io.tflite;

import com.google.flatbuffers.FlatBufferBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Builds raw TFLite flatbuffers field by field for tests, including ones no valid model would
 * contain (out-of-range indices, wrong versions, cycles). Not thread-safe.
 */
final class RawTflite {
    record T(String name, int type, int[] shape, int buffer, float[] scales, long[] zeroPoints, int axis) {
    }

    record Code(int deprecated, int builtin, String custom) {
    }

    record O(int opcode, int[] in, int[] out, int optionsType, ToIntFunction<FlatBufferBuilder> options) {
    }

    final List<T> tensors = new ArrayList<>();
    final List<Code> codes = new ArrayList<>();
    final List<O> ops = new ArrayList<>();
    final List<byte[]> buffers = new ArrayList<>(List.of(new byte[0]));
    /** Buffers stored in offset/size form after the flatbuffer, by buffer index. */
    final List<Integer> offsetBuffers = new ArrayList<>();
    /** Tensors given an (empty) sparsity table. */
    final java.util.Set<Integer> sparse = new java.util.HashSet<>();
    int[] inputs = {};
    int[] outputs = {};
    int version = 3;
    String description;
    String minRuntime;

    int tensor(String name, int type, int... shape) {
        tensors.add(new T(name, type, shape, 0, null, null, 0));
        return tensors.size() - 1;
    }

    int constant(String name, int type, int[] shape, byte[] data) {
        buffers.add(data);
        tensors.add(new T(name, type, shape, buffers.size() - 1, null, null, 0));
        return tensors.size() - 1;
    }

    int constantAtOffset(String name, int type, int[] shape, byte[] data) {
        int t = constant(name, type, shape, data);
        offsetBuffers.add(buffers.size() - 1);
        return t;
    }

    void quant(int tensor, float[] scales, long[] zeroPoints, int axis) {
        T t = tensors.get(tensor);
        tensors.set(tensor, new T(t.name(), t.type(), t.shape(), t.buffer(), scales, zeroPoints, axis));
    }

    void buffer(int tensor, int buffer) {
        T t = tensors.get(tensor);
        tensors.set(tensor, new T(t.name(), t.type(), t.shape(), buffer, t.scales(), t.zeroPoints(), t.axis()));
    }

    int code(int builtin) {
        codes.add(new Code(Math.min(builtin, 127), builtin, null));
        return codes.size() - 1;
    }

    int code(int deprecated, int builtin) {
        codes.add(new Code(deprecated, builtin, null));
        return codes.size() - 1;
    }

    int custom(String name) {
        codes.add(new Code(32, 32, name));
        return codes.size() - 1;
    }

    void op(int opcode, int[] in, int[] out) {
        ops.add(new O(opcode, in, out, 0, null));
    }

    void op(int opcode, int[] in, int[] out, int optionsType, ToIntFunction<FlatBufferBuilder> options) {
        ops.add(new O(opcode, in, out, optionsType, options));
    }

    byte[] build() {
        if (offsetBuffers.isEmpty()) {
            return build(new long[buffers.size()]);
        }
        long[] offsets = new long[buffers.size()];
        for (int i : offsetBuffers) {
            offsets[i] = 2;
        }
        int size = build(offsets).length;
        long pos = (size + 15) / 16 * 16;
        for (int i : offsetBuffers) {
            offsets[i] = pos;
            pos = (pos + buffers.get(i).length + 15) / 16 * 16;
        }
        byte[] head = build(offsets);
        if (head.length != size) {
            throw new IllegalStateException("expected a stable flatbuffer size " + size + ", found " + head.length);
        }
        byte[] out = Arrays.copyOf(head, (int) pos);
        for (int i : offsetBuffers) {
            System.arraycopy(buffers.get(i), 0, out, (int) offsets[i], buffers.get(i).length);
        }
        return out;
    }

    private byte[] build(long[] offsets) {
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        int[] bufs = new int[buffers.size()];
        for (int i = 0; i < bufs.length; i++) {
            byte[] d = buffers.get(i);
            boolean atOffset = offsets[i] != 0;
            int vec = d.length > 0 && !atOffset ? b.createByteVector(d) : 0;
            b.startTable(3);
            if (atOffset) {
                b.addLong(1, offsets[i], 0);
                b.addLong(2, d.length, 0);
            }
            b.addOffset(0, vec, 0);
            bufs[i] = b.endTable();
        }
        int[] ts = new int[tensors.size()];
        for (int i = 0; i < ts.length; i++) {
            T t = tensors.get(i);
            int shape = ints(b, t.shape());
            int name = b.createString(t.name());
            int q = 0;
            if (t.scales() != null) {
                b.startVector(4, t.scales().length, 4);
                for (int k = t.scales().length - 1; k >= 0; k--) {
                    b.addFloat(t.scales()[k]);
                }
                int sv = b.endVector();
                b.startVector(8, t.zeroPoints().length, 8);
                for (int k = t.zeroPoints().length - 1; k >= 0; k--) {
                    b.addLong(t.zeroPoints()[k]);
                }
                int zv = b.endVector();
                b.startTable(7);
                b.addOffset(2, sv, 0);
                b.addOffset(3, zv, 0);
                b.addInt(6, t.axis(), 0);
                q = b.endTable();
            }
            int sp = 0;
            if (sparse.contains(i)) {
                b.startTable(3);
                sp = b.endTable();
            }
            b.startTable(7);
            b.addOffset(6, sp, 0);
            b.addOffset(0, shape, 0);
            b.addByte(1, (byte) t.type(), 0);
            b.addInt(2, t.buffer(), 0);
            b.addOffset(3, name, 0);
            b.addOffset(4, q, 0);
            ts[i] = b.endTable();
        }
        int[] os = new int[ops.size()];
        for (int i = 0; i < os.length; i++) {
            O o = ops.get(i);
            int in = ints(b, o.in());
            int out = ints(b, o.out());
            int opts = o.options() == null ? 0 : o.options().applyAsInt(b);
            b.startTable(5);
            b.addInt(0, o.opcode(), 0);
            b.addOffset(1, in, 0);
            b.addOffset(2, out, 0);
            b.addByte(3, (byte) o.optionsType(), 0);
            b.addOffset(4, opts, 0);
            os[i] = b.endTable();
        }
        int tv = b.createVectorOfTables(ts);
        int iv = ints(b, inputs);
        int ov = ints(b, outputs);
        int opv = b.createVectorOfTables(os);
        b.startTable(5);
        b.addOffset(0, tv, 0);
        b.addOffset(1, iv, 0);
        b.addOffset(2, ov, 0);
        b.addOffset(3, opv, 0);
        int sg = b.endTable();
        int[] cs = new int[codes.size()];
        for (int i = 0; i < cs.length; i++) {
            Code c = codes.get(i);
            int custom = c.custom() == null ? 0 : b.createString(c.custom());
            b.startTable(4);
            b.addByte(0, (byte) c.deprecated(), 0);
            b.addOffset(1, custom, 0);
            b.addInt(3, c.builtin(), 0);
            cs[i] = b.endTable();
        }
        int cv = b.createVectorOfTables(cs);
        int sgv = b.createVectorOfTables(new int[] {sg});
        int metaBuffer = -1;
        int[] allBufs = bufs;
        if (minRuntime != null) {
            int vec = b.createByteVector(Arrays.copyOf(minRuntime.getBytes(), 16));
            b.startTable(3);
            b.addOffset(0, vec, 0);
            allBufs = Arrays.copyOf(bufs, bufs.length + 1);
            allBufs[bufs.length] = b.endTable();
            metaBuffer = bufs.length;
        }
        int bv = b.createVectorOfTables(allBufs);
        int desc = description == null ? 0 : b.createString(description);
        int mv = 0;
        if (metaBuffer >= 0) {
            int key = b.createString("min_runtime_version");
            b.startTable(2);
            b.addOffset(0, key, 0);
            b.addInt(1, metaBuffer, 0);
            mv = b.createVectorOfTables(new int[] {b.endTable()});
        }
        b.startTable(8);
        b.addInt(0, version, 0);
        b.addOffset(1, cv, 0);
        b.addOffset(2, sgv, 0);
        b.addOffset(3, desc, 0);
        b.addOffset(4, bv, 0);
        b.addOffset(6, mv, 0);
        b.finish(b.endTable(), "TFL3");
        return b.sizedByteArray();
    }

    static int ints(FlatBufferBuilder b, int[] v) {
        b.startVector(4, v.length, 4);
        for (int i = v.length - 1; i >= 0; i--) {
            b.addInt(v[i]);
        }
        return b.endVector();
    }

    static byte[] int32(int... v) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            bb.putInt(x);
        }
        return bb.array();
    }

    static byte[] float32(float... v) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            bb.putFloat(x);
        }
        return bb.array();
    }
}
