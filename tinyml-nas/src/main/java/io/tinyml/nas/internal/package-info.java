/**
 * Implementation of the search: NSGA-II sorting, candidate evaluation, checkpoints, plots. Not API.
 */
package io.tinyml.nas.internal;
