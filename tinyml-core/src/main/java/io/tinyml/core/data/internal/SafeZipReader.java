package io.tinyml.core.data.internal;

import io.tinyml.core.data.DatasetException;
import io.tinyml.core.data.ZipLimits;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a zip archive defensively, entirely in memory (nothing is extracted to disk).
 *
 * <p>The central directory is parsed by hand (including ZIP64 records) so that every entry's name,
 * sizes, method and unix mode bits are checked before any data is inflated. Refused, with a
 * {@link DatasetException} naming the entry: names that escape the root once normalized ({@code ..}
 * above the root, absolute paths, drive letters, backslashes, control characters), duplicate names,
 * symbolic links and other special files (unix mode bits in the external attributes), encrypted
 * entries, methods other than stored and deflated, more entries than the limit, and entries whose
 * inflated size exceeds the per-entry, total or ratio limits. Sizes are counted on the bytes actually
 * inflated: an entry that inflates beyond its declared size, or short of it, or whose CRC differs, is
 * refused as well. Not thread-safe; close it when done.
 */
public final class SafeZipReader implements Closeable {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final long MAX_CENTRAL_DIRECTORY = 256L << 20;

    /**
     * One validated entry.
     *
     * @param name the normalized path, '/'-separated, without a trailing '/'
     * @param rawName the name as stored
     * @param directory true for a folder entry
     * @param method 0 (stored) or 8 (deflated)
     * @param compressedSize the declared compressed size
     * @param size the declared uncompressed size
     * @param crc the declared CRC-32
     * @param localHeaderOffset where the entry's local header starts
     */
    public record Entry(String name, String rawName, boolean directory, int method, long compressedSize, long size,
                        long crc, long localHeaderOffset) {
    }

    private final Path path;
    private final FileChannel channel;
    private final ZipLimits limits;
    private final List<Entry> entries;
    private final long centralOffset;
    private long totalInflated;

    private SafeZipReader(Path path, FileChannel channel, ZipLimits limits) throws IOException {
        this.path = path;
        this.channel = channel;
        this.limits = limits;
        long[] cd = locateCentralDirectory();
        this.centralOffset = cd[1];
        this.entries = readCentralDirectory(cd[0], cd[1], cd[2]);
    }

    /**
     * Opens an archive and validates its central directory.
     *
     * @param zip the archive
     * @param limits the limits to enforce
     * @return the reader
     * @throws DatasetException if the archive is malformed or an entry is refused
     * @throws IOException if the file cannot be read
     */
    public static SafeZipReader open(Path zip, ZipLimits limits) throws IOException {
        FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ);
        try {
            return new SafeZipReader(zip, ch, limits);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Returns the validated entries in central-directory order.
     *
     * @return the entries, unmodifiable
     */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * Inflates one entry into memory, counting the bytes actually produced against the limits.
     *
     * @param e an entry of this archive
     * @return its bytes
     * @throws DatasetException if the entry exceeds a limit, lies about its size, or is corrupt
     * @throws IOException if the file cannot be read
     */
    public byte[] read(Entry e) throws IOException {
        String n = "zip entry '" + e.rawName() + "' in " + path;
        if (e.size() > limits.maxEntryBytes()) {
            throw new DatasetException(n + ": expected at most " + limits.maxEntryBytes()
                    + " uncompressed bytes per entry, found " + e.size() + " declared");
        }
        ByteBuffer lh = readAt(e.localHeaderOffset(), 30, n + ": local header");
        if (lh.getInt(0) != LOCAL) {
            throw new DatasetException(n + ": expected a local header signature at offset " + e.localHeaderOffset()
                    + ", found 0x" + Integer.toHexString(lh.getInt(0)));
        }
        int nameLen = lh.getShort(26) & 0xffff;
        int extraLen = lh.getShort(28) & 0xffff;
        byte[] localName = new byte[nameLen];
        readAt(e.localHeaderOffset() + 30, nameLen, n + ": local name").get(localName);
        if (!Arrays.equals(localName, e.rawName().getBytes(StandardCharsets.UTF_8))
                && !Arrays.equals(localName, e.rawName().getBytes(StandardCharsets.ISO_8859_1))) {
            throw new DatasetException(n + ": expected the local header to repeat the entry name, found '"
                    + new String(localName, StandardCharsets.UTF_8) + "'");
        }
        long dataStart = e.localHeaderOffset() + 30 + nameLen + extraLen;
        if (dataStart + e.compressedSize() > centralOffset) {
            throw new DatasetException(n + ": expected its " + e.compressedSize() + " compressed bytes to end before the central "
                    + "directory at " + centralOffset + ", found them running to " + (dataStart + e.compressedSize()));
        }
        byte[] out = e.method() == 0 ? readStored(e, dataStart, n) : inflate(e, dataStart, n);
        CRC32 crc = new CRC32();
        crc.update(out);
        if (crc.getValue() != e.crc()) {
            throw new DatasetException(n + ": expected CRC-32 " + Long.toHexString(e.crc()) + ", found "
                    + Long.toHexString(crc.getValue()));
        }
        return out;
    }

    private byte[] readStored(Entry e, long dataStart, String n) throws IOException {
        if (e.compressedSize() != e.size()) {
            throw new DatasetException(n + ": expected a stored entry to declare equal sizes, found " + e.compressedSize()
                    + " stored and " + e.size() + " uncompressed");
        }
        count(e.size(), n);
        byte[] out = new byte[(int) e.size()];
        readAt(dataStart, out.length, n).get(out);
        return out;
    }

    private byte[] inflate(Entry e, long dataStart, String n) throws IOException {
        Inflater inf = new Inflater(true);
        try {
            byte[] out = new byte[(int) Math.min(Math.max(e.size(), 64), 1 << 20)];
            int produced = 0;
            long fed = 0;
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            while (!inf.finished()) {
                if (inf.needsInput()) {
                    if (fed >= e.compressedSize()) {
                        // deflate streams may need one extra (empty) read to finish; nothing left means truncated
                        throw new DatasetException(n + ": expected a complete deflate stream in " + e.compressedSize()
                                + " compressed bytes, found it truncated after " + produced + " inflated bytes");
                    }
                    int len = (int) Math.min(in.capacity(), e.compressedSize() - fed);
                    in.clear().limit(len);
                    readFully(in, dataStart + fed, n);
                    fed += len;
                    inf.setInput(in.array(), 0, len);
                }
                if (inf.needsDictionary()) {
                    throw new DatasetException(n + ": expected a plain deflate stream, found one needing a preset dictionary");
                }
                if (produced == out.length) {
                    long grown = Math.min((long) out.length * 2, limits.maxEntryBytes() + 1);
                    out = Arrays.copyOf(out, (int) Math.max(grown, out.length + 1));
                }
                int k;
                try {
                    k = inf.inflate(out, produced, out.length - produced);
                } catch (DataFormatException ex) {
                    throw new DatasetException(n + ": expected valid deflate data, found corrupt data: " + ex.getMessage(), ex);
                }
                produced += k;
                check(e, produced, inf.getBytesRead(), n);
                count(k, n);
            }
            if (produced != e.size()) {
                throw new DatasetException(n + ": expected " + e.size() + " bytes as declared, found only " + produced
                        + " inflated");
            }
            return produced == out.length ? out : Arrays.copyOf(out, produced);
        } finally {
            inf.end();
        }
    }

    private void check(Entry e, long produced, long consumed, String n) throws DatasetException {
        if (produced > e.size()) {
            throw new DatasetException(n + ": expected at most its declared size of " + e.size()
                    + " bytes, found it inflating beyond (" + produced + " bytes so far)");
        }
        if (produced > limits.maxEntryBytes()) {
            throw new DatasetException(n + ": expected at most " + limits.maxEntryBytes()
                    + " uncompressed bytes per entry, found it inflating beyond");
        }
        if (produced > limits.ratioGraceBytes() && produced > (long) limits.maxRatio() * Math.max(consumed, 1)) {
            throw new DatasetException(n + ": expected a compression ratio of at most " + limits.maxRatio()
                    + ":1, found " + produced + " bytes inflated from " + consumed + " (zip bomb?)");
        }
    }

    private void count(long bytes, String n) throws DatasetException {
        totalInflated += bytes;
        if (totalInflated > limits.maxTotalBytes()) {
            throw new DatasetException(n + ": expected at most " + limits.maxTotalBytes()
                    + " uncompressed bytes in the whole archive, found more by this entry");
        }
    }

    private long[] locateCentralDirectory() throws IOException {
        long size = channel.size();
        if (size < 22) {
            throw new DatasetException(path + ": expected a zip archive (at least 22 bytes), found " + size + " bytes");
        }
        int tail = (int) Math.min(size, 22 + 65535);
        ByteBuffer b = readAt(size - tail, tail, path + ": end of archive");
        int pos = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (b.getInt(i) == EOCD) {
                pos = i;
                break;
            }
        }
        if (pos < 0) {
            throw new DatasetException(path + ": expected a zip end-of-central-directory record, found none");
        }
        long eocd = size - tail + pos;
        long count = b.getShort(pos + 10) & 0xffff;
        long cdSize = b.getInt(pos + 12) & 0xffffffffL;
        long cdOffset = b.getInt(pos + 16) & 0xffffffffL;
        if (eocd >= 20) {
            ByteBuffer loc = readAt(eocd - 20, 20, path + ": zip64 locator");
            if (loc.getInt(0) == ZIP64_LOCATOR) {
                long z = loc.getLong(8);
                if (z < 0 || z + 56 > eocd) {
                    throw new DatasetException(path + ": expected a zip64 end record before offset " + eocd + ", found offset " + z);
                }
                ByteBuffer z64 = readAt(z, 56, path + ": zip64 end record");
                if (z64.getInt(0) != ZIP64_EOCD) {
                    throw new DatasetException(path + ": expected a zip64 end record at offset " + z + ", found none");
                }
                count = z64.getLong(32);
                cdSize = z64.getLong(40);
                cdOffset = z64.getLong(48);
                eocd = z;
            }
        }
        if (count < 0 || count > limits.maxEntries()) {
            throw new DatasetException(path + ": expected at most " + limits.maxEntries() + " entries, found "
                    + Long.toUnsignedString(count) + " declared (too many entries)");
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > eocd || cdSize > MAX_CENTRAL_DIRECTORY) {
            throw new DatasetException(path + ": expected a central directory inside the archive, found " + cdSize
                    + " bytes at offset " + cdOffset + " for an end record at " + eocd);
        }
        return new long[] {count, cdOffset, cdSize};
    }

    private List<Entry> readCentralDirectory(long declaredCount, long offset, long size) throws IOException {
        ByteBuffer cd = readAt(offset, (int) size, path + ": central directory");
        List<Entry> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long declaredTotal = 0;
        int p = 0;
        while (p + 46 <= size && cd.getInt(p) == CENTRAL) {
            if (out.size() >= limits.maxEntries()) {
                throw new DatasetException(path + ": expected at most " + limits.maxEntries()
                        + " entries, found more (too many entries)");
            }
            int madeBy = cd.getShort(p + 4) & 0xffff;
            int flags = cd.getShort(p + 8) & 0xffff;
            int method = cd.getShort(p + 10) & 0xffff;
            long crc = cd.getInt(p + 16) & 0xffffffffL;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long external = cd.getInt(p + 38) & 0xffffffffL;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46L + nameLen + extraLen + commentLen > size) {
                throw new DatasetException(path + ": expected central directory record " + out.size()
                        + " to fit in the directory, found it truncated");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String raw = new String(nameBytes, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String n = "zip entry '" + raw + "' in " + path;
            // zip64 extra field: the 0xFFFFFFFF fields, in order
            int e = p + 46 + nameLen;
            int end = e + extraLen;
            while (e + 4 <= end) {
                int id = cd.getShort(e) & 0xffff;
                int len = cd.getShort(e + 2) & 0xffff;
                if (id == 0x0001) {
                    int q = e + 4;
                    int qEnd = Math.min(e + 4 + len, end);
                    if (usize == 0xffffffffL && q + 8 <= qEnd) { usize = cd.getLong(q); q += 8; }
                    if (csize == 0xffffffffL && q + 8 <= qEnd) { csize = cd.getLong(q); q += 8; }
                    if (local == 0xffffffffL && q + 8 <= qEnd) { local = cd.getLong(q); }
                }
                e += 4 + len;
            }
            if (usize < 0 || csize < 0 || local < 0 || local >= offset) {
                throw new DatasetException(n + ": expected sizes and a local header offset inside the archive, found size "
                        + usize + ", compressed " + csize + ", offset " + local);
            }
            int unixType = (int) ((external >>> 16) & 0170000);
            if (unixType == 0120000) {
                throw new DatasetException(n + ": expected a regular file or folder, found a symbolic link entry (symlink)");
            }
            if (unixType != 0 && unixType != 0100000 && unixType != 0040000) {
                throw new DatasetException(n + ": expected a regular file or folder, found a special file (unix mode 0"
                        + Integer.toOctalString(unixType) + ", made by host " + (madeBy >> 8) + ")");
            }
            if ((flags & 1) != 0) {
                throw new DatasetException(n + ": expected an unencrypted entry, found an encrypted one");
            }
            boolean dir = raw.endsWith("/") || unixType == 0040000 || (external & 0x10) != 0;
            if (method != 0 && method != 8) {
                throw new DatasetException(n + ": expected compression method 0 (stored) or 8 (deflated), found " + method);
            }
            String name = normalize(raw, n);
            if (!names.add(name + (dir ? "/" : ""))) {
                throw new DatasetException(n + ": expected unique entry names, found a duplicate of '" + name + "'");
            }
            if (usize > limits.maxEntryBytes()) {
                throw new DatasetException(n + ": expected at most " + limits.maxEntryBytes()
                        + " uncompressed bytes per entry, found " + usize + " declared");
            }
            declaredTotal += usize;
            if (declaredTotal > limits.maxTotalBytes()) {
                throw new DatasetException(n + ": expected at most " + limits.maxTotalBytes()
                        + " uncompressed bytes in the whole archive, found more declared up to this entry");
            }
            out.add(new Entry(name, raw, dir, method, csize, usize, crc, local));
            p += 46 + nameLen + extraLen + commentLen;
        }
        if (out.size() != declaredCount) {
            throw new DatasetException(path + ": expected " + declaredCount + " central directory records as the end record"
                    + " declares, found " + out.size());
        }
        return List.copyOf(out);
    }

    /**
     * Normalizes an entry name, refusing any that could escape the extraction root.
     *
     * @param raw the stored name
     * @param n the entry description, for messages
     * @return the normalized name ('/'-separated, no '.', '..' or empty segments); empty for the root
     * @throws DatasetException if the name escapes the root or uses a forbidden character
     */
    public static String normalize(String raw, String n) throws DatasetException {
        if (raw.isEmpty()) {
            throw new DatasetException(n + ": expected a non-empty entry name, found an empty one");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new DatasetException(n + ": expected a name without control characters, found code " + (int) c
                        + " (path traversal trick)");
            }
        }
        if (raw.indexOf('\\') >= 0) {
            throw new DatasetException(n + ": expected '/' as the only path separator, found a backslash (path traversal trick)");
        }
        if (raw.startsWith("/")) {
            throw new DatasetException(n + ": expected a relative path, found an absolute path (escapes the root)");
        }
        if (raw.length() >= 2 && raw.charAt(1) == ':' && Character.isLetter(raw.charAt(0))) {
            throw new DatasetException(n + ": expected a relative path, found a drive letter (escapes the root)");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String s : raw.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (parts.isEmpty()) {
                    throw new DatasetException(n + ": expected a path inside the archive root, found one that escapes it "
                            + "through '..' (zip slip)");
                }
                parts.removeLast();
            } else if (s.contains(":")) {
                throw new DatasetException(n + ": expected a path segment without ':', found '" + s + "' (path traversal trick)");
            } else {
                parts.addLast(s);
            }
        }
        return String.join("/", parts);
    }

    private ByteBuffer readAt(long pos, int len, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        readFully(b, pos, what);
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void readFully(ByteBuffer b, long pos, String what) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            int k = channel.read(b, p);
            if (k < 0) {
                throw new DatasetException(what + ": expected " + b.limit() + " bytes at offset " + pos
                        + ", found the end of the file (truncated archive)");
            }
            p += k;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
