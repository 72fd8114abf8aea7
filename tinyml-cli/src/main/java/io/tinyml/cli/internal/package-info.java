/**
 * Helpers of the command line (file handling). Not API.
 */
package io.tinyml.cli.internal;
