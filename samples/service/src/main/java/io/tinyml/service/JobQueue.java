package io.tinyml.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The job queue's worker side: jobs are rows; a worker claims one with a lease (a random token and an
 * expiry), renews the lease while it works, and finishes the job only while it still holds that lease,
 * so a job whose worker died is claimed again once the lease expires and completes exactly once.
 *
 * <p>On PostgreSQL the claim picks its row with {@code SELECT ... FOR UPDATE SKIP LOCKED}, so concurrent
 * workers never wait on each other's candidate. On H2 it picks candidates with a plain SELECT and takes one
 * with a conditional UPDATE (whose WHERE re-checks that the row is still claimable), which is atomic too.
 * Higher priority first, then oldest. Thread-safe.
 */
public final class JobQueue {
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);
    private static final String CLAIMABLE = "(status = 'pending' OR (status = 'processing' AND lease_expires < ?))";

    /**
     * A claimed job.
     *
     * @param id row id
     * @param jobId public id
     * @param token this claim's lease token
     * @param params the form fields as JSON
     * @param modelFile the stored model's generated name
     * @param modelFormat the sniffed format
     * @param datasetFile the stored dataset archive's generated name, or null
     * @param attempt which claim of the job this is (1 for the first)
     */
    public record Claim(long id, String jobId, String token, String params, String modelFile, String modelFormat,
                        String datasetFile, int attempt) {
    }

    private final Database db;
    private final int maxAttempts;

    /**
     * Wraps a database.
     *
     * @param db the migrated database
     * @param maxAttempts the claims after which a job whose workers keep dying is failed
     */
    public JobQueue(Database db, int maxAttempts) {
        this.db = db;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Claims the next job, if any.
     *
     * @param worker the worker's name (recorded with the claim)
     * @param leaseMs how long the claim holds without renewal
     * @return the claim, or empty if no job is claimable
     * @throws SQLException on a database error
     */
    public Optional<Claim> claim(String worker, long leaseMs) throws SQLException {
        failAbandoned();
        String token = UUID.randomUUID().toString();
        return db.tx(c -> {
            long now = System.currentTimeMillis();
            Long id = db.dialect() == Database.Dialect.POSTGRES ? pickSkipLocked(c, now) : pickConditional(c, now, token);
            if (id == null) {
                return Optional.empty();
            }
            if (db.dialect() == Database.Dialect.POSTGRES) {
                take(c, id, now, token, null);
            }
            Store.update(c, "UPDATE jobs SET lease_owner = ?, lease_expires = ?, stage = 'claimed', "
                    + "started_at = COALESCE(started_at, ?) WHERE id = ?", worker, now + leaseMs, now, id);
            Store.update(c, "UPDATE job_runs SET ended_at = ?, outcome = 'lost' WHERE job_id = ? AND ended_at IS NULL",
                    now, id);
            Store.update(c, "INSERT INTO job_runs (job_id, worker, lease_token, claimed_at) VALUES (?, ?, ?, ?)",
                    id, worker, token, now);
            try (PreparedStatement p = c.prepareStatement("SELECT id, job_id, params, model_file, model_format, "
                    + "dataset_file, attempts FROM jobs WHERE id = ?")) {
                p.setLong(1, id);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    Claim cl = new Claim(r.getLong(1), r.getString(2), token, r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6), r.getInt(7));
                    insertEvent(c, id, "claimed", 0, "claimed by " + worker + " (attempt " + cl.attempt() + ")");
                    return Optional.of(cl);
                }
            }
        });
    }

    private Long pickSkipLocked(Connection c, long now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM jobs WHERE " + CLAIMABLE + " AND attempts < ? "
                + "ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED")) {
            p.setLong(1, now);
            p.setInt(2, maxAttempts);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getLong(1) : null;
            }
        }
    }

    private Long pickConditional(Connection c, long now, String token) throws SQLException {
        List<Long> candidates = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM jobs WHERE " + CLAIMABLE + " AND attempts < ? "
                + "ORDER BY priority DESC, id")) {
            p.setLong(1, now);
            p.setInt(2, maxAttempts);
            p.setMaxRows(8);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    candidates.add(r.getLong(1));
                }
            }
        }
        for (long id : candidates) {
            if (take(c, id, now, token, CLAIMABLE)) {
                return id;
            }
        }
        return null;
    }

    private boolean take(Connection c, long id, long now, String token, String recheck) throws SQLException {
        String sql = "UPDATE jobs SET status = 'processing', lease_token = ?, attempts = attempts + 1 WHERE id = ?"
                + (recheck == null ? "" : " AND " + recheck);
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, token);
            p.setLong(2, id);
            if (recheck != null) {
                p.setLong(3, now);
            }
            return p.executeUpdate() == 1;
        }
    }

    /** Fails jobs whose lease expired after their last allowed attempt: their workers keep dying. */
    private void failAbandoned() throws SQLException {
        db.tx(c -> {
            long now = System.currentTimeMillis();
            int n = Store.update(c, "UPDATE jobs SET status = 'failed', stage = 'failed', completed_at = ?, "
                    + "error_message = ? WHERE status = 'processing' AND lease_expires < ? AND attempts >= ?", now,
                    "the job's worker stopped " + maxAttempts + " times before finishing it", now, maxAttempts);
            if (n > 0) {
                log.warn("failed {} job(s) abandoned {} times", n, maxAttempts);
            }
            return n;
        });
    }

    /**
     * Extends a lease.
     *
     * @param claim the claim
     * @param leaseMs the new lease length from now
     * @return false if the lease is no longer this claim's (it expired and another worker took the job)
     * @throws SQLException on a database error
     */
    public boolean renew(Claim claim, long leaseMs) throws SQLException {
        return db.tx(c -> Store.update(c, "UPDATE jobs SET lease_expires = ? WHERE id = ? AND lease_token = ? "
                + "AND status = 'processing'", System.currentTimeMillis() + leaseMs, claim.id(), claim.token()) == 1);
    }

    /**
     * Records a progress event and the job's current stage, if the claim still holds the lease.
     *
     * @param claim the claim
     * @param stage the stage
     * @param progress percent done
     * @param message what happened
     * @return false if the lease was lost
     * @throws SQLException on a database error
     */
    public boolean progress(Claim claim, String stage, int progress, String message) throws SQLException {
        return db.tx(c -> {
            if (Store.update(c, "UPDATE jobs SET stage = ?, progress = ? WHERE id = ? AND lease_token = ? AND "
                    + "status = 'processing'", stage, progress, claim.id(), claim.token()) != 1) {
                return false;
            }
            insertEvent(c, claim.id(), stage, progress, message);
            return true;
        });
    }

    /**
     * Completes a job, if the claim still holds the lease.
     *
     * @param claim the claim
     * @param resultJson the report
     * @param resultFile the result archive's generated name
     * @param optimizedSize the optimized model's bytes
     * @param accuracyBefore the original model's accuracy, or null
     * @param accuracyAfter the optimized model's accuracy, or null
     * @return false if the lease was lost (another worker owns the job; this result must be discarded)
     * @throws SQLException on a database error
     */
    public boolean complete(Claim claim, String resultJson, String resultFile, long optimizedSize, Double accuracyBefore,
                            Double accuracyAfter) throws SQLException {
        return db.tx(c -> {
            long now = System.currentTimeMillis();
            if (Store.update(c, "UPDATE jobs SET status = 'completed', stage = 'done', progress = 100, completed_at = ?, "
                    + "completions = completions + 1, result_json = ?, result_file = ?, optimized_size_bytes = ?, "
                    + "accuracy_before = ?, accuracy_after = ?, lease_expires = NULL WHERE id = ? AND lease_token = ? "
                    + "AND status = 'processing'", now, resultJson, resultFile, optimizedSize, accuracyBefore,
                    accuracyAfter, claim.id(), claim.token()) != 1) {
                return false;
            }
            endRun(c, claim, now, "completed");
            insertEvent(c, claim.id(), "done", 100, "completed");
            return true;
        });
    }

    /**
     * Fails a job, if the claim still holds the lease.
     *
     * @param claim the claim
     * @param message why, one line
     * @return false if the lease was lost
     * @throws SQLException on a database error
     */
    public boolean fail(Claim claim, String message) throws SQLException {
        String msg = message.length() > 3900 ? message.substring(0, 3900) + "..." : message;
        return db.tx(c -> {
            long now = System.currentTimeMillis();
            if (Store.update(c, "UPDATE jobs SET status = 'failed', stage = 'failed', completed_at = ?, error_message = ?, "
                    + "lease_expires = NULL WHERE id = ? AND lease_token = ? AND status = 'processing'", now, msg,
                    claim.id(), claim.token()) != 1) {
                return false;
            }
            endRun(c, claim, now, "failed");
            insertEvent(c, claim.id(), "failed", 100, msg);
            return true;
        });
    }

    private static void endRun(Connection c, Claim claim, long now, String outcome) throws SQLException {
        Store.update(c, "UPDATE job_runs SET ended_at = ?, outcome = ? WHERE lease_token = ?", now, outcome, claim.token());
    }

    private static void insertEvent(Connection c, long jobId, String stage, int progress, String message)
            throws SQLException {
        Store.update(c, "INSERT INTO job_events (job_id, created_at, stage, progress, message) VALUES (?, ?, ?, ?, ?)",
                jobId, System.currentTimeMillis(), stage, progress,
                message.length() > 3900 ? message.substring(0, 3900) + "..." : message);
    }
}
