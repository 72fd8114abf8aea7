/**
 * Implementation of tinyml-quantize: activation statistics, range selection, graph rewriting.
 * Not API.
 */
package io.tinyml.quantize.internal;
