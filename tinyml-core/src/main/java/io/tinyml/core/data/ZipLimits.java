package io.tinyml.core.data;

/**
 * Limits applied while reading a zip archive, so that a hostile archive cannot exhaust memory.
 *
 * <p>Sizes are counted on the bytes actually inflated, never only on the sizes an entry declares.
 * The ratio limit applies to entries that inflate to more than {@link #ratioGraceBytes()} bytes, so
 * that tiny, highly regular files (an empty class marker, a 1 KiB blank bitmap) are not refused.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * Dataset d = Datasets.readZip(path, ZipLimits.DEFAULT.withMaxEntries(1_000));
 * }</pre>
 *
 * @param maxEntries the most entries (files and folders) the archive may hold
 * @param maxEntryBytes the most bytes one entry may inflate to
 * @param maxTotalBytes the most bytes all entries together may inflate to
 * @param maxRatio the highest ratio of inflated to compressed bytes of one entry
 * @param ratioGraceBytes inflated size below which the ratio is not checked
 */
public record ZipLimits(int maxEntries, long maxEntryBytes, long maxTotalBytes, int maxRatio, long ratioGraceBytes) {
    /** 100,000 entries, 64 MiB per entry, 1 GiB in total, ratio 100:1 beyond 64 KiB. */
    public static final ZipLimits DEFAULT = new ZipLimits(100_000, 64L << 20, 1L << 30, 100, 64L << 10);

    /**
     * Validates the limits.
     *
     * @param maxEntries the most entries
     * @param maxEntryBytes the most inflated bytes per entry
     * @param maxTotalBytes the most inflated bytes in total
     * @param maxRatio the highest inflated-to-compressed ratio
     * @param ratioGraceBytes inflated size below which the ratio is not checked
     * @throws IllegalArgumentException if a limit is not positive (the grace may be zero)
     */
    public ZipLimits {
        if (maxEntries <= 0 || maxEntryBytes <= 0 || maxTotalBytes <= 0 || maxRatio <= 0 || ratioGraceBytes < 0) {
            throw new IllegalArgumentException("expected positive zip limits, found " + maxEntries + " entries, "
                    + maxEntryBytes + " bytes per entry, " + maxTotalBytes + " bytes in total, ratio " + maxRatio
                    + ", grace " + ratioGraceBytes);
        }
        if (maxEntryBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("expected at most " + (Integer.MAX_VALUE - 8)
                    + " bytes per entry (entries are held in memory), found " + maxEntryBytes);
        }
    }

    /**
     * Returns a copy with another entry count limit.
     *
     * @param n the most entries
     * @return the limits
     */
    public ZipLimits withMaxEntries(int n) {
        return new ZipLimits(n, maxEntryBytes, maxTotalBytes, maxRatio, ratioGraceBytes);
    }

    /**
     * Returns a copy with another per-entry size limit.
     *
     * @param bytes the most inflated bytes per entry
     * @return the limits
     */
    public ZipLimits withMaxEntryBytes(long bytes) {
        return new ZipLimits(maxEntries, bytes, maxTotalBytes, maxRatio, ratioGraceBytes);
    }

    /**
     * Returns a copy with another total size limit.
     *
     * @param bytes the most inflated bytes in total
     * @return the limits
     */
    public ZipLimits withMaxTotalBytes(long bytes) {
        return new ZipLimits(maxEntries, maxEntryBytes, bytes, maxRatio, ratioGraceBytes);
    }

    /**
     * Returns a copy with another compression ratio limit.
     *
     * @param ratio the highest inflated-to-compressed ratio
     * @return the limits
     */
    public ZipLimits withMaxRatio(int ratio) {
        return new ZipLimits(maxEntries, maxEntryBytes, maxTotalBytes, ratio, ratioGraceBytes);
    }
}
