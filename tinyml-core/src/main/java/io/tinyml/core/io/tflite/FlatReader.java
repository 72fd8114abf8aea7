package io.tinyml.core.io.tflite;

import io.tinyml.core.MalformedModelException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked view of a flatbuffer: every table, vtable, field, vector and string is checked
 * against the buffer before it is read, so that corrupt input ends in a
 * {@link MalformedModelException} instead of an exception from the buffer. Vector elements read are
 * charged to a work budget proportional to the file size, so that crafted files whose offsets
 * point many times at the same large vector cannot make reading take quadratic time.
 *
 * <p>Positions are absolute byte offsets; a table is identified by its position, {@code -1} means
 * absent. Not thread-safe: one instance serves one read.
 */
final class FlatReader {
    private final ByteBuffer bb;
    private final int limit;
    private long budget;

    /** A vector: the position of its first element and its length; {@code start < 0} when absent. */
    record Vec(int start, int length, int elementSize) {
        static final Vec ABSENT = new Vec(-1, 0, 1);

        int at(int i) {
            return start + i * elementSize;
        }
    }

    FlatReader(byte[] bytes) {
        this.bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.limit = bytes.length;
        this.budget = maxWork(bytes.length);
    }

    /**
     * The work budget: a valid file stores each vector element once, so reading it touches at most
     * about one element per byte; twice that plus a margin leaves room for re-reads.
     */
    static long maxWork(int fileBytes) {
        return 2L * fileBytes + (1L << 16);
    }

    int limit() {
        return limit;
    }

    /** Returns the root table's position. */
    int root() throws MalformedModelException {
        need(0, 4, "root offset");
        return table(uoffsetTarget(0, "root table"), "root table");
    }

    /** Validates a table at {@code pos} and its vtable, and returns {@code pos}. */
    int table(int pos, String what) throws MalformedModelException {
        need(pos, 4, what);
        long vt = (long) pos - bb.getInt(pos);
        if (vt < 0 || vt + 4 > limit) {
            throw corrupt(what + " at " + pos + ": expected a vtable inside the " + limit + "-byte file, found offset " + vt);
        }
        int vtLen = Short.toUnsignedInt(bb.getShort((int) vt));
        int tableLen = Short.toUnsignedInt(bb.getShort((int) vt + 2));
        if (vtLen < 4 || (vtLen & 1) != 0 || vt + vtLen > limit) {
            throw corrupt(what + " at " + pos + ": expected an even vtable size >= 4 within the file, found " + vtLen);
        }
        if (tableLen < 4 || (long) pos + tableLen > limit) {
            throw corrupt(what + " at " + pos + ": expected a table size >= 4 within the file, found " + tableLen);
        }
        return pos;
    }

    /** Returns the absolute position of field {@code id} of a table, or -1 if absent. */
    private int field(int table, int id, int size, String what) throws MalformedModelException {
        int vt = table - bb.getInt(table);
        int vtLen = Short.toUnsignedInt(bb.getShort(vt));
        int slot = 4 + 2 * id;
        if (slot + 2 > vtLen) {
            return -1;
        }
        int off = Short.toUnsignedInt(bb.getShort(vt + slot));
        if (off == 0) {
            return -1;
        }
        int tableLen = Short.toUnsignedInt(bb.getShort(vt + 2));
        if (off + size > tableLen) {
            throw corrupt(what + ": expected the field inside its " + tableLen + "-byte table, found it at " + off);
        }
        return table + off;
    }

    int getInt(int table, int id, int def, String what) throws MalformedModelException {
        int p = field(table, id, 4, what);
        return p < 0 ? def : bb.getInt(p);
    }

    long getUint(int table, int id, String what) throws MalformedModelException {
        int p = field(table, id, 4, what);
        return p < 0 ? 0 : Integer.toUnsignedLong(bb.getInt(p));
    }

    long getLong(int table, int id, long def, String what) throws MalformedModelException {
        int p = field(table, id, 8, what);
        return p < 0 ? def : bb.getLong(p);
    }

    int getByte(int table, int id, int def, String what) throws MalformedModelException {
        int p = field(table, id, 1, what);
        return p < 0 ? def : bb.get(p);
    }

    int getUbyte(int table, int id, int def, String what) throws MalformedModelException {
        int p = field(table, id, 1, what);
        return p < 0 ? def : Byte.toUnsignedInt(bb.get(p));
    }

    boolean getBool(int table, int id, boolean def, String what) throws MalformedModelException {
        int p = field(table, id, 1, what);
        return p < 0 ? def : bb.get(p) != 0;
    }

    float getFloat(int table, int id, float def, String what) throws MalformedModelException {
        int p = field(table, id, 4, what);
        return p < 0 ? def : bb.getFloat(p);
    }

    /** Follows an offset field to a sub-table; -1 if absent. */
    int subTable(int table, int id, String what) throws MalformedModelException {
        int p = field(table, id, 4, what);
        return p < 0 ? -1 : table(uoffsetTarget(p, what), what);
    }

    /** Reads a vector field of fixed-size elements (scalars or offsets). */
    Vec vector(int table, int id, int elementSize, String what) throws MalformedModelException {
        int p = field(table, id, 4, what);
        if (p < 0) {
            return Vec.ABSENT;
        }
        return vectorAt(uoffsetTarget(p, what), elementSize, what);
    }

    private Vec vectorAt(int pos, int elementSize, String what) throws MalformedModelException {
        need(pos, 4, what + " length");
        int len = bb.getInt(pos);
        long end = pos + 4L + (long) len * elementSize;
        if (len < 0 || end > limit) {
            throw corrupt(what + " at " + pos + ": expected a vector within the " + limit + "-byte file, found "
                    + Integer.toUnsignedString(len) + " elements of " + elementSize + " bytes");
        }
        charge(len, what);
        return new Vec(pos + 4, len, elementSize);
    }

    /** Charges work to the budget; fails when a file asks for far more reading than its size allows. */
    void charge(long units, String what) throws MalformedModelException {
        budget -= Math.max(units, 1);
        if (budget < 0) {
            throw corrupt(what + ": expected at most " + maxWork(limit)
                    + " elements read for a file of " + limit + " bytes, found more (offsets reused too often)");
        }
    }

    int intAt(Vec v, int i) {
        return bb.getInt(v.at(i));
    }

    long longAt(Vec v, int i) {
        return bb.getLong(v.at(i));
    }

    float floatAt(Vec v, int i) {
        return bb.getFloat(v.at(i));
    }

    int[] ints(Vec v) {
        int[] out = new int[v.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = intAt(v, i);
        }
        return out;
    }

    /** Follows element {@code i} of a vector of tables. */
    int tableAt(Vec v, int i, String what) throws MalformedModelException {
        return table(uoffsetTarget(v.at(i), what), what);
    }

    /** Reads a string field; null when absent. */
    String string(int table, int id, String what) throws MalformedModelException {
        int p = field(table, id, 4, what);
        if (p < 0) {
            return null;
        }
        Vec v = vectorAt(uoffsetTarget(p, what), 1, what);
        return new String(bb.array(), v.start(), v.length(), StandardCharsets.UTF_8);
    }

    /** Copies {@code length} bytes at {@code pos} after checking the range. */
    byte[] bytes(long pos, long length, String what) throws MalformedModelException {
        if (pos < 0 || length < 0 || pos + length > limit) {
            throw corrupt(what + ": expected a byte range within the " + limit + "-byte file, found " + length
                    + " bytes at " + pos);
        }
        byte[] out = new byte[(int) length];
        System.arraycopy(bb.array(), (int) pos, out, 0, (int) length);
        return out;
    }

    private int uoffsetTarget(int p, String what) throws MalformedModelException {
        need(p, 4, what);
        long target = p + Integer.toUnsignedLong(bb.getInt(p));
        if (target >= limit) {
            throw corrupt(what + ": expected an offset inside the " + limit + "-byte file, found target " + target);
        }
        return (int) target;
    }

    private void need(long pos, int size, String what) throws MalformedModelException {
        if (pos < 0 || pos + size > limit) {
            throw corrupt(what + ": expected " + size + " bytes at " + pos + " inside the " + limit
                    + "-byte file, found the end of the file");
        }
    }

    static MalformedModelException corrupt(String message) {
        return new MalformedModelException("corrupt TFLite flatbuffer: " + message);
    }
}
