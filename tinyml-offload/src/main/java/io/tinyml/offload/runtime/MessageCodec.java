package io.tinyml.offload.runtime;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.offload.plan.CostGraph;
import io.tinyml.offload.plan.WireFormat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The binary wire format of {@link SplitMessage}, version 1. All integers big-endian; tensor data
 * little-endian in the tensor's own type, as everywhere in the SDK.
 *
 * <pre>
 * frame   = magic "TMSP" | version u8 (=1) | type u8 | flags u16 (=0) | bodyLength u32 | body | crc32 u32
 *           (CRC-32 of every byte from magic to the end of body)
 * body    = requestId u64 | deviceId str | modelId str | splitId str | deviceMicros u64 | edgeMicros u64
 *           | linkMicros u64 | text str | tensorCount u16 | tensor*
 * tensor  = name str | dtype u8 (DataType ordinal) | rank u8 | dim u32 * rank | quantCount u16 | axis i32
 *           | (scale f32 | zeroPoint i64) * quantCount | dataLength u32 | data
 * str     = length u16 | UTF-8 bytes
 * </pre>
 *
 * <p>Decoding is strict: wrong magic, a newer version, an unknown type or data type, non-zero flags,
 * limits exceeded (body {@value #MAX_BODY} B, strings {@value #MAX_STRING} B, {@value #MAX_TENSORS}
 * tensors, rank {@value #MAX_RANK}), data length not equal to type x shape, a CRC mismatch, invalid
 * UTF-8 or trailing bytes each reject the message with a {@link MalformedMessageException} naming the
 * rule. Thread-safe (stateless).
 */
public final class MessageCodec {
    /** The format version this codec writes and the newest it reads. */
    public static final int VERSION = 1;
    /** Largest body accepted. */
    public static final int MAX_BODY = 16 << 20;
    /** Longest string accepted. */
    public static final int MAX_STRING = 1024;
    /** Most tensors per message. */
    public static final int MAX_TENSORS = 64;
    /** Highest rank accepted. */
    public static final int MAX_RANK = 8;
    static final byte[] MAGIC = {'T', 'M', 'S', 'P'};
    static final int HEADER = 12;

    private MessageCodec() {
    }

    /**
     * Encodes a message as one frame.
     *
     * @param m the message
     * @return the frame bytes
     * @throws IllegalArgumentException if a limit is exceeded
     */
    public static byte[] encode(SplitMessage m) {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            DataOutputStream b = new DataOutputStream(bo);
            b.writeLong(m.requestId());
            str(b, m.deviceId());
            str(b, m.modelId());
            str(b, m.splitId());
            b.writeLong(m.deviceMicros());
            b.writeLong(m.edgeMicros());
            b.writeLong(m.linkMicros());
            str(b, m.text().length() > 300 ? m.text().substring(0, 300) : m.text());
            if (m.tensors().size() > MAX_TENSORS) {
                throw new IllegalArgumentException("expected at most " + MAX_TENSORS + " tensors, found "
                        + m.tensors().size());
            }
            b.writeShort(m.tensors().size());
            for (WireTensor t : m.tensors()) {
                str(b, t.name());
                b.writeByte(t.type().ordinal());
                int[] shape = t.shape();
                if (shape.length > MAX_RANK) {
                    throw new IllegalArgumentException("expected rank <= " + MAX_RANK + ", found " + shape.length);
                }
                b.writeByte(shape.length);
                for (int d : shape) {
                    b.writeInt(d);
                }
                float[] s = t.scales();
                long[] z = t.zeroPoints();
                b.writeShort(s.length);
                b.writeInt(t.axis());
                for (int i = 0; i < s.length; i++) {
                    b.writeFloat(s[i]);
                    b.writeLong(z[i]);
                }
                b.writeInt(t.dataView().length);
                b.write(t.dataView());
            }
            b.flush();
            byte[] body = bo.toByteArray();
            if (body.length > MAX_BODY) {
                throw new IllegalArgumentException("expected a body of at most " + MAX_BODY + " B, found " + body.length);
            }
            ByteBuffer f = ByteBuffer.allocate(HEADER + body.length + 4);
            f.put(MAGIC).put((byte) VERSION).put((byte) m.type().code()).putShort((short) 0).putInt(body.length).put(body);
            CRC32 crc = new CRC32();
            crc.update(f.array(), 0, HEADER + body.length);
            f.putInt((int) crc.getValue());
            return f.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void str(DataOutputStream b, String s) throws IOException {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        if (u.length > MAX_STRING) {
            throw new IllegalArgumentException("expected a string of at most " + MAX_STRING + " UTF-8 bytes, found "
                    + u.length);
        }
        b.writeShort(u.length);
        b.write(u);
    }

    /**
     * Decodes one complete frame.
     *
     * @param frame the bytes of exactly one frame
     * @return the message
     * @throws MalformedMessageException naming the broken rule
     */
    public static SplitMessage decode(byte[] frame) throws MalformedMessageException {
        if (frame.length < HEADER + 4) {
            throw new MalformedMessageException("expected at least " + (HEADER + 4) + " bytes, found " + frame.length);
        }
        ByteBuffer h = ByteBuffer.wrap(frame, 0, HEADER);
        byte[] magic = new byte[4];
        h.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new MalformedMessageException("bad magic, expected TMSP");
        }
        int version = h.get() & 0xff;
        int type = h.get() & 0xff;
        int flags = h.getShort() & 0xffff;
        long len = h.getInt() & 0xffffffffL;
        if (len > MAX_BODY) {
            throw new MalformedMessageException("body length " + len + " exceeds the limit of " + MAX_BODY + " B");
        }
        if (frame.length != HEADER + len + 4) {
            throw new MalformedMessageException("expected a frame of " + (HEADER + len + 4) + " bytes, found " + frame.length);
        }
        return decode(frame, version, type, flags, (int) len);
    }

    private static SplitMessage decode(byte[] frame, int version, int typeCode, int flags, int len)
            throws MalformedMessageException {
        CRC32 crc = new CRC32();
        crc.update(frame, 0, HEADER + len);
        long expected = ByteBuffer.wrap(frame, HEADER + len, 4).getInt() & 0xffffffffL;
        if (crc.getValue() != expected) {
            throw new MalformedMessageException(String.format("CRC mismatch: frame says %08x, computed %08x", expected,
                    crc.getValue()));
        }
        if (version > VERSION || version == 0) {
            throw new MalformedMessageException("version " + version + " not supported, expected 1.." + VERSION);
        }
        SplitMessage.Type type = SplitMessage.Type.of(typeCode);
        if (type == null) {
            throw new MalformedMessageException("unknown message type " + typeCode);
        }
        if (flags != 0) {
            throw new MalformedMessageException("expected flags 0, found " + flags);
        }
        ByteBuffer b = ByteBuffer.wrap(frame, HEADER, len).slice();
        try {
            long id = b.getLong();
            String device = str(b);
            String model = str(b);
            String split = str(b);
            long dev = b.getLong();
            long edge = b.getLong();
            long link = b.getLong();
            String text = str(b);
            int nt = b.getShort() & 0xffff;
            if (nt > MAX_TENSORS) {
                throw new MalformedMessageException("expected at most " + MAX_TENSORS + " tensors, found " + nt);
            }
            List<WireTensor> ts = new ArrayList<>(nt);
            for (int i = 0; i < nt; i++) {
                ts.add(tensor(b, i));
            }
            if (b.hasRemaining()) {
                throw new MalformedMessageException(b.remaining() + " trailing bytes after the last tensor");
            }
            return new SplitMessage(type, id, device, model, split, dev, edge, link, text, ts);
        } catch (BufferUnderflowException e) {
            throw new MalformedMessageException("body ends early: a field runs past its " + len + " bytes");
        }
    }

    private static WireTensor tensor(ByteBuffer b, int i) throws MalformedMessageException {
        String name = str(b);
        int dt = b.get() & 0xff;
        if (dt >= DataType.values().length) {
            throw new MalformedMessageException("tensor " + i + ": unknown data type code " + dt);
        }
        DataType type = DataType.values()[dt];
        int rank = b.get() & 0xff;
        if (rank > MAX_RANK) {
            throw new MalformedMessageException("tensor " + i + ": rank " + rank + " exceeds " + MAX_RANK);
        }
        int[] shape = new int[rank];
        long n = 1;
        for (int k = 0; k < rank; k++) {
            shape[k] = b.getInt();
            if (shape[k] < 0) {
                throw new MalformedMessageException("tensor " + i + ": negative dimension " + shape[k]);
            }
            n *= shape[k];
            if (n > MAX_BODY) {
                throw new MalformedMessageException("tensor " + i + ": shape larger than the body limit");
            }
        }
        int q = b.getShort() & 0xffff;
        int axis = b.getInt();
        if (q > 0 && (axis < -1 || axis >= Math.max(rank, 1))) {
            throw new MalformedMessageException("tensor " + i + ": quantization axis " + axis + " out of range for rank "
                    + rank);
        }
        if (q > b.remaining() / 12) {
            throw new MalformedMessageException("tensor " + i + ": " + q + " quantization entries run past the body");
        }
        float[] scales = new float[q];
        long[] zps = new long[q];
        for (int k = 0; k < q; k++) {
            scales[k] = b.getFloat();
            zps[k] = b.getLong();
            if (!(scales[k] > 0) || Float.isInfinite(scales[k])) {
                throw new MalformedMessageException("tensor " + i + ": quantization scale " + scales[k] + " is not"
                        + " positive and finite");
            }
        }
        long dataLen = b.getInt() & 0xffffffffL;
        if (dataLen != n * type.byteSize()) {
            throw new MalformedMessageException("tensor " + i + " '" + name + "': expected " + n * type.byteSize()
                    + " data bytes for " + type + java.util.Arrays.toString(shape) + ", found " + dataLen);
        }
        if (dataLen > b.remaining()) {
            throw new MalformedMessageException("tensor " + i + ": data runs past the body");
        }
        byte[] data = new byte[(int) dataLen];
        b.get(data);
        return new WireTensor(name, type, shape, scales, zps, axis, data);
    }

    private static String str(ByteBuffer b) throws MalformedMessageException {
        int n = b.getShort() & 0xffff;
        if (n > MAX_STRING) {
            throw new MalformedMessageException("string of " + n + " bytes exceeds " + MAX_STRING);
        }
        if (n > b.remaining()) {
            throw new MalformedMessageException("string runs past the body");
        }
        byte[] u = new byte[n];
        b.get(u);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(u)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException("string is not valid UTF-8");
        }
    }

    /**
     * Reads the next frame from a stream. On a frame that breaks the format the bad bytes are
     * consumed and the exception names the rule, so the caller can keep reading the same stream: a
     * frame with a trustworthy length is skipped whole; after a bad magic or an oversized length the
     * reader resynchronises on the next "TMSP".
     *
     * @param in the stream
     * @return the message, or null at a clean end of stream
     * @throws MalformedMessageException if a frame breaks the format (the stream stays usable)
     * @throws EOFException if the stream ends inside a frame
     * @throws IOException if reading fails
     */
    public static SplitMessage read(InputStream in) throws IOException {
        byte[] head = new byte[HEADER];
        int first = in.read();
        if (first < 0) {
            return null;
        }
        head[0] = (byte) first;
        readFully(in, head, 1, 3);
        long skipped = 0;
        while (!(head[0] == MAGIC[0] && head[1] == MAGIC[1] && head[2] == MAGIC[2] && head[3] == MAGIC[3])) {
            int c = in.read();
            if (c < 0) {
                throw new MalformedMessageException("bad magic: " + (skipped + 4) + " bytes without a frame before the end"
                        + " of stream");
            }
            System.arraycopy(head, 1, head, 0, 3);
            head[3] = (byte) c;
            skipped++;
        }
        readFully(in, head, 4, HEADER - 4);
        ByteBuffer h = ByteBuffer.wrap(head);
        h.position(4);
        int version = h.get() & 0xff;
        int type = h.get() & 0xff;
        int flags = h.getShort() & 0xffff;
        long len = h.getInt() & 0xffffffffL;
        if (len > MAX_BODY) {
            throw new MalformedMessageException("body length " + len + " exceeds the limit of " + MAX_BODY
                    + " B; resynchronising" + (skipped > 0 ? " (after skipping " + skipped + " bytes)" : ""));
        }
        byte[] frame = new byte[HEADER + (int) len + 4];
        System.arraycopy(head, 0, frame, 0, HEADER);
        readFully(in, frame, HEADER, (int) len + 4);
        SplitMessage m = decode(frame, version, type, flags, (int) len);
        if (skipped > 0) {
            throw new SkippedGarbageException(skipped, m);
        }
        return m;
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int r = in.read(b, off + done, len - done);
            if (r < 0) {
                throw new EOFException("stream ended inside a frame (" + done + " of " + len + " bytes)");
            }
            done += r;
        }
    }

    /**
     * Bytes without a frame came before a valid one: the garbage is rejected, the message that followed
     * is carried along so the caller can still serve it.
     */
    public static final class SkippedGarbageException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient SplitMessage next;

        SkippedGarbageException(long skipped, SplitMessage next) {
            super("bad magic: skipped " + skipped + " bytes before the next frame");
            this.next = next;
        }

        /** @return the valid message that followed the garbage */
        public SplitMessage next() {
            return next;
        }
    }

    /**
     * The size on the link of a message carrying some of a model's tensors, for the planner: the
     * header, the body's fixed fields with ids of {@code idBytes} bytes each (device, model and split
     * id), every tensor's descriptor (name, shape, quantization) and data, and the CRC.
     *
     * @param model the model whose tensors the planner's graph indexes
     * @param idBytes bytes assumed for each of the three ids
     * @return the wire format
     */
    public static WireFormat wireFormat(Model model, int idBytes) {
        return (CostGraph g, List<Integer> tensors) -> {
            long size = HEADER + 8 + 3 * (2L + idBytes) + 24 + 2 + 2 + 4;
            for (int t : tensors) {
                Tensor x = model.graph().tensor(t);
                int q = x.quant().isPresent() ? x.requireQuant().size() : 0;
                size += 2 + x.name().getBytes(StandardCharsets.UTF_8).length + 2 + 4L * x.shape().rank() + 2 + 4
                        + 12L * q + 4 + x.byteSize();
            }
            return size;
        };
    }
}
