package io.tinyml.service;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row of the {@code jobs} table as the API shows it. Immutable.
 *
 * @param id the row id
 * @param jobId the public id (a UUID)
 * @param projectId the project
 * @param userId the owner
 * @param status pending, processing, completed or failed
 * @param stage the current pipeline stage
 * @param progress percent done, 0..100
 * @param params the submitted form fields as JSON
 * @param modelFormat the sniffed model format
 * @param originalFilename the uploaded file's name (shown, never used as a path)
 * @param originalSizeBytes the uploaded model's size
 * @param optimizedSizeBytes the optimized model's size, once completed
 * @param accuracyBefore top-1 (or agreement) of the original model, once completed
 * @param accuracyAfter top-1 (or agreement) of the optimized model, once completed
 * @param attempts how many times a worker claimed it
 * @param createdAt epoch ms
 * @param startedAt epoch ms, or null
 * @param completedAt epoch ms, or null
 * @param errorMessage why it failed, or null
 * @param resultJson the pipeline's report, once completed
 * @param resultFile the result archive's generated name, once completed
 */
public record Job(long id, String jobId, long projectId, long userId, String status, String stage, int progress,
                  String params, String modelFormat, String originalFilename, long originalSizeBytes,
                  Long optimizedSizeBytes, Double accuracyBefore, Double accuracyAfter, int attempts, long createdAt,
                  Long startedAt, Long completedAt, String errorMessage, String resultJson, String resultFile) {
    /** The columns {@link #read} expects, in a SELECT list. */
    static final String COLUMNS = "id, job_id, project_id, user_id, status, stage, progress, params, model_format, "
            + "original_filename, original_size_bytes, optimized_size_bytes, accuracy_before, accuracy_after, attempts, "
            + "created_at, started_at, completed_at, error_message, result_json, result_file";

    /** @return whether the job will not change any more */
    public boolean terminal() {
        return "completed".equals(status) || "failed".equals(status);
    }

    static Job read(ResultSet r) throws SQLException {
        return new Job(r.getLong(1), r.getString(2), r.getLong(3), r.getLong(4), r.getString(5), r.getString(6),
                r.getInt(7), r.getString(8), r.getString(9), r.getString(10), r.getLong(11), obj(r, 12, Long.class),
                obj(r, 13, Double.class), obj(r, 14, Double.class), r.getInt(15), r.getLong(16),
                obj(r, 17, Long.class), obj(r, 18, Long.class), r.getString(19), r.getString(20), r.getString(21));
    }

    private static <T> T obj(ResultSet r, int col, Class<T> type) throws SQLException {
        Object o = r.getObject(col);
        if (o == null) {
            return null;
        }
        if (type == Long.class) {
            return type.cast(((Number) o).longValue());
        }
        return type.cast(((Number) o).doubleValue());
    }
}
