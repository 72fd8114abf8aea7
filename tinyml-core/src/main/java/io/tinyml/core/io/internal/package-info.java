/**
 * What every model reader does on entry, written once (not API): the file size limit, reading the bytes, the
 * SHA-256 of the source for provenance, and turning a runtime failure of a parser into a
 * {@link io.tinyml.core.MalformedModelException} that names the source.
 */
package io.tinyml.core.io.internal;
