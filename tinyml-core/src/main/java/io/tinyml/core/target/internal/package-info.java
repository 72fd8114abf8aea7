/** Not API: a small JSON reader and writer for target files (core has no JSON dependency). */
package io.tinyml.core.target.internal;
