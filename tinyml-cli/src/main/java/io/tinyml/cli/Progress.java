package io.tinyml.cli;

import io.tinyml.core.ProgressListener;

import java.io.PrintWriter;

/**
 * Renders a long operation's progress on stderr: on a terminal, one line redrawn in place with
 * {@code \r}; anywhere else (a file, a pipe, a CI log), a plain line at each tenth of the work and at
 * the end, so logs stay readable. Not thread-safe: one per operation.
 */
final class Progress implements ProgressListener {
    private static final int BAR = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private final String unit;
    private String lastTask;
    private long lastTenth = -1;

    private Progress(PrintWriter err, boolean terminal, String unit) {
        this.err = err;
        this.terminal = terminal;
        this.unit = unit;
    }

    /**
     * Creates a renderer.
     *
     * @param err where to draw
     * @param terminal whether {@code err} is a terminal
     * @param unit appended to the counts (e.g. " ms"), or ""
     * @return the listener
     */
    static ProgressListener on(PrintWriter err, boolean terminal, String unit) {
        return new Progress(err, terminal, unit);
    }

    @Override
    public void progress(String task, long done, long total) {
        if (!task.equals(lastTask)) {
            lastTask = task;
            lastTenth = -1;
        }
        boolean end = total > 0 && done >= total;
        String counts = total > 0 ? Math.min(done, total) + "/" + total + unit : done + unit;
        if (terminal) {
            String bar = "";
            if (total > 0) {
                int filled = (int) Math.min(BAR, done * BAR / total);
                bar = "[" + "#".repeat(filled) + " ".repeat(BAR - filled) + "] ";
            }
            err.print("\r" + String.format("%-12s ", task) + bar + counts);
            if (end) {
                err.println();
            }
        } else {
            long tenth = total > 0 ? Math.min(10, done * 10 / total) : done;
            if (tenth == lastTenth && !end) {
                return;
            }
            if (end && lastTenth == 10) {
                return;
            }
            lastTenth = end ? 10 : tenth;
            err.println(task + " " + counts);
        }
        err.flush();
    }
}
