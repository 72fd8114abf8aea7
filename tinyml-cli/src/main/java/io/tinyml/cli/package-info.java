/**
 * The {@code tinyml} command line: one subcommand per SDK capability. Exit status 0 on success,
 * 2 on bad usage or bad input (one-line reason on stderr), 1 on internal failure.
 */
package io.tinyml.cli;
