/**
 * Helpers of the command line (JSON output, file handling). Not API.
 */
package io.tinyml.cli.internal;
