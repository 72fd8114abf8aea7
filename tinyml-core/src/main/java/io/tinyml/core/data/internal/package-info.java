/**
 * Implementation of the data set readers and writers (IDX, CSV, image folders, safe zip reading,
 * image codecs, resizing). Not API: use {@link io.tinyml.core.data.Datasets},
 * {@link io.tinyml.core.data.DatasetWriter} and {@link io.tinyml.core.data.InputMapping}.
 */
package io.tinyml.core.data.internal;
