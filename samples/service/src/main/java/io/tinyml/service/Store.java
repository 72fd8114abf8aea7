package io.tinyml.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API's reads and writes: users and their keys, projects, job submission under quota, job
 * lookups scoped to their owner, progress events and platform statistics. Thread-safe.
 */
public final class Store {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Database db;

    /** A user as authentication finds it. @param id row id @param name user name @param tier tier */
    public record User(long id, String name, Tier tier) {
    }

    /** A stored progress event. @param id event id @param at epoch ms @param stage stage @param progress % @param message text */
    public record Event(long id, long at, String stage, int progress, String message) {
    }

    /** A job waiting to be inserted: everything the upload produced. */
    record NewJob(String jobId, long projectId, String paramsJson, String modelFile, String modelFormat,
                  String originalFilename, String datasetFile, long originalSizeBytes) {
    }

    /** Raised when a user's monthly quota is spent. */
    static final class QuotaExceeded extends Exception {
        QuotaExceeded(String message) {
            super(message);
        }
    }

    /**
     * Wraps a database.
     *
     * @param db the migrated database
     */
    public Store(Database db) {
        this.db = db;
    }

    /** @return the database */
    public Database db() {
        return db;
    }

    /**
     * Creates a user with a new random API key.
     *
     * @param name a unique user name
     * @param tier the tier
     * @return the API key, shown once (only its SHA-256 is stored)
     * @throws SQLException on a database error, including a taken name
     */
    public String createUser(String name, Tier tier) throws SQLException {
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        String key = "tml_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO users (name, api_key_hash, tier, created_at) VALUES (?, ?, ?, ?)")) {
                p.setString(1, name);
                p.setString(2, sha256(key));
                p.setString(3, tier.apiName());
                p.setLong(4, System.currentTimeMillis());
                return p.executeUpdate();
            }
        });
        return key;
    }

    /**
     * Finds the user of an API key.
     *
     * @param key the key from the Authorization header
     * @return the user, or empty for an unknown key
     * @throws SQLException on a database error
     */
    public Optional<User> userByKey(String key) throws SQLException {
        String h = sha256(key);
        return db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT id, name, tier FROM users WHERE api_key_hash = ?")) {
                p.setString(1, h);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new User(r.getLong(1), r.getString(2), Tier.parse(r.getString(3))))
                            : Optional.empty();
                }
            }
        });
    }

    /**
     * Changes a user's tier.
     *
     * @param userId the user
     * @param tier the new tier
     * @throws SQLException on a database error
     */
    public void setTier(long userId, Tier tier) throws SQLException {
        db.tx(c -> update(c, "UPDATE users SET tier = ? WHERE id = ?", tier.apiName(), userId));
    }

    /**
     * Counts the jobs a user submitted in the current calendar month (UTC).
     *
     * @param userId the user
     * @return the count
     * @throws SQLException on a database error
     */
    public int jobsThisMonth(long userId) throws SQLException {
        return db.tx(c -> countThisMonth(c, userId));
    }

    private static int countThisMonth(Connection c, long userId) throws SQLException {
        long from = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM jobs WHERE user_id = ? AND created_at >= ?")) {
            p.setLong(1, userId);
            p.setLong(2, from);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    /**
     * Creates a project.
     *
     * @param userId the owner
     * @param name the name
     * @param description the description, or null
     * @return the project as the API shows it
     * @throws SQLException on a database error
     */
    public Map<String, Object> createProject(long userId, String name, String description) throws SQLException {
        long now = System.currentTimeMillis();
        long id = db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO projects (user_id, name, description, created_at, "
                    + "updated_at) VALUES (?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                p.setLong(1, userId);
                p.setString(2, name);
                p.setString(3, description);
                p.setLong(4, now);
                p.setLong(5, now);
                p.executeUpdate();
                try (ResultSet k = p.getGeneratedKeys()) {
                    k.next();
                    return k.getLong(1);
                }
            }
        });
        return project(userId, id).orElseThrow();
    }

    /**
     * Lists a user's projects.
     *
     * @param userId the owner
     * @return the projects, oldest first
     * @throws SQLException on a database error
     */
    public List<Map<String, Object>> projects(long userId) throws SQLException {
        return db.tx(c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(PROJECT_SELECT + " WHERE p.user_id = ? ORDER BY p.id")) {
                p.setLong(1, userId);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(projectRow(r));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Finds one of a user's projects.
     *
     * @param userId the owner
     * @param id the project id
     * @return the project, or empty if it does not exist or belongs to someone else
     * @throws SQLException on a database error
     */
    public Optional<Map<String, Object>> project(long userId, long id) throws SQLException {
        return db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement(PROJECT_SELECT + " WHERE p.user_id = ? AND p.id = ?")) {
                p.setLong(1, userId);
                p.setLong(2, id);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(projectRow(r)) : Optional.empty();
                }
            }
        });
    }

    private static final String PROJECT_SELECT = "SELECT p.id, p.name, p.description, p.created_at, p.updated_at, "
            + "(SELECT COUNT(*) FROM jobs j WHERE j.project_id = p.id) FROM projects p";

    private static Map<String, Object> projectRow(ResultSet r) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.getLong(1));
        m.put("name", r.getString(2));
        m.put("description", r.getString(3));
        m.put("created_at", Json.iso(r.getLong(4)));
        m.put("updated_at", Json.iso(r.getLong(5)));
        m.put("optimization_jobs_count", r.getLong(6));
        return m;
    }

    /**
     * Inserts a job if the user's monthly quota allows it; the user's row is locked while counting so
     * concurrent submissions cannot overrun the quota.
     *
     * @param user the owner
     * @param job the job
     * @return the stored job
     * @throws QuotaExceeded if the month's jobs are used up
     * @throws SQLException on a database error
     */
    Job insertJob(User user, NewJob job) throws SQLException, QuotaExceeded {
        long now = System.currentTimeMillis();
        String refused = db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT tier FROM users WHERE id = ? FOR UPDATE")) {
                p.setLong(1, user.id());
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                }
            }
            int used = countThisMonth(c, user.id());
            int limit = user.tier().jobsPerMonth();
            if (limit >= 0 && used >= limit) {
                return "monthly optimization quota reached: tier " + user.tier().apiName() + " allows " + limit
                        + " jobs a month, " + used + " used";
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO jobs (job_id, project_id, user_id, status, stage, "
                    + "progress, priority, params, model_file, model_format, original_filename, dataset_file, "
                    + "original_size_bytes, attempts, completions, created_at) VALUES (?, ?, ?, 'pending', 'queued', 0, ?, "
                    + "?, ?, ?, ?, ?, ?, 0, 0, ?)")) {
                int i = 1;
                p.setString(i++, job.jobId());
                p.setLong(i++, job.projectId());
                p.setLong(i++, user.id());
                p.setInt(i++, user.tier().priority());
                p.setString(i++, job.paramsJson());
                p.setString(i++, job.modelFile());
                p.setString(i++, job.modelFormat());
                p.setString(i++, job.originalFilename());
                p.setString(i++, job.datasetFile());
                p.setLong(i++, job.originalSizeBytes());
                p.setLong(i, now);
                p.executeUpdate();
            }
            update(c, "UPDATE projects SET updated_at = ? WHERE id = ?", now, job.projectId());
            return null;
        });
        if (refused != null) {
            throw new QuotaExceeded(refused);
        }
        return job(user.id(), job.jobId()).orElseThrow();
    }

    /**
     * Finds one of a user's jobs.
     *
     * @param userId the owner
     * @param jobId the public id
     * @return the job, or empty if none of that id belongs to the user
     * @throws SQLException on a database error
     */
    public Optional<Job> job(long userId, String jobId) throws SQLException {
        return db.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + Job.COLUMNS
                    + " FROM jobs WHERE job_id = ? AND user_id = ?")) {
                p.setString(1, jobId);
                p.setLong(2, userId);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(Job.read(r)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Lists a user's jobs, newest first, optionally of one project.
     *
     * @param userId the owner
     * @param projectId the project, or null for all
     * @param limit the most rows
     * @return the jobs
     * @throws SQLException on a database error
     */
    public List<Job> jobs(long userId, Long projectId, int limit) throws SQLException {
        return db.tx(c -> {
            String sql = "SELECT " + Job.COLUMNS + " FROM jobs WHERE user_id = ?"
                    + (projectId == null ? "" : " AND project_id = ?") + " ORDER BY id DESC";
            List<Job> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setLong(1, userId);
                if (projectId != null) {
                    p.setLong(2, projectId);
                }
                p.setMaxRows(limit);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(Job.read(r));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Reads a job's progress events after a given event id.
     *
     * @param jobRowId the job's row id
     * @param afterId the last event id the reader has (0 for all)
     * @return the newer events, oldest first
     * @throws SQLException on a database error
     */
    public List<Event> events(long jobRowId, long afterId) throws SQLException {
        return db.tx(c -> {
            List<Event> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id, created_at, stage, progress, message FROM job_events "
                    + "WHERE job_id = ? AND id > ? ORDER BY id")) {
                p.setLong(1, jobRowId);
                p.setLong(2, afterId);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new Event(r.getLong(1), r.getLong(2), r.getString(3), r.getInt(4), r.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Platform statistics, as the seed service reports them.
     *
     * @return total and completed jobs, users, mean compression ratio and success rate
     * @throws SQLException on a database error
     */
    public Map<String, Object> stats() throws SQLException {
        return db.tx(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT COUNT(*), "
                         + "SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), "
                         + "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), "
                         + "AVG(CASE WHEN status = 'completed' AND optimized_size_bytes > 0 "
                         + "THEN CAST(original_size_bytes AS DOUBLE PRECISION) / optimized_size_bytes END), "
                         + "(SELECT COUNT(*) FROM users) FROM jobs")) {
                r.next();
                long total = r.getLong(1);
                long done = r.getLong(2);
                long failed = r.getLong(3);
                double ratio = r.getDouble(4);
                m.put("total_optimizations", total);
                m.put("completed_optimizations", done);
                m.put("failed_optimizations", failed);
                m.put("total_users", r.getLong(5));
                m.put("average_compression_ratio", Math.round(ratio * 100) / 100.0);
                m.put("success_rate", total == 0 ? 0.0 : Math.round(1000.0 * done / total) / 10.0);
            }
            return m;
        });
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p.executeUpdate();
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
