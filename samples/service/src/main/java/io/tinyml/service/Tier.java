package io.tinyml.service;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A subscription tier and its limits, as the seed service lists them: optimizations per calendar month
 * (UTC), largest upload, access to architecture search, and queue priority. Thread-safe (an enum).
 */
public enum Tier {
    /** 5 jobs a month, 10 MB uploads. */
    FREE(5, 10, false, 0),
    /** 50 jobs a month, 100 MB uploads. */
    BASIC(50, 100, false, 0),
    /** 200 jobs a month, 500 MB uploads, architecture search, priority in the queue. */
    PRO(200, 500, true, 1),
    /** No monthly limit, no tier upload limit (the server's own cap applies), search, priority. */
    ENTERPRISE(-1, -1, true, 1);

    private final int jobsPerMonth;
    private final int maxUploadMb;
    private final boolean nas;
    private final int priority;

    Tier(int jobsPerMonth, int maxUploadMb, boolean nas, int priority) {
        this.jobsPerMonth = jobsPerMonth;
        this.maxUploadMb = maxUploadMb;
        this.nas = nas;
        this.priority = priority;
    }

    /** @return jobs allowed per calendar month, or -1 for unlimited */
    public int jobsPerMonth() {
        return jobsPerMonth;
    }

    /** @return the largest upload in MiB, or -1 for no tier limit */
    public int maxUploadMb() {
        return maxUploadMb;
    }

    /**
     * Returns the largest upload in bytes under this tier and a server cap.
     *
     * @param serverCap the server's own limit in bytes
     * @return the smaller of the two
     */
    public long maxUploadBytes(long serverCap) {
        return maxUploadMb < 0 ? serverCap : Math.min(serverCap, (long) maxUploadMb << 20);
    }

    /** @return whether jobs may ask for architecture search */
    public boolean nas() {
        return nas;
    }

    /** @return the queue priority (higher is claimed first) */
    public int priority() {
        return priority;
    }

    /** @return the lower-case name used in the API */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses an API name.
     *
     * @param s free, basic, pro or enterprise (any case)
     * @return the tier
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Tier parse(String s) {
        for (Tier t : values()) {
            if (t.apiName().equalsIgnoreCase(s == null ? "" : s.strip())) {
                return t;
            }
        }
        throw new IllegalArgumentException("expected a tier, one of " + names() + ", found '" + s + "'");
    }

    /** @return the API names, comma separated */
    public static String names() {
        return Arrays.stream(values()).map(Tier::apiName).collect(Collectors.joining(", "));
    }
}
