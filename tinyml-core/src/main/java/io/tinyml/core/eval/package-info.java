/**
 * Measuring models on labelled data: top-1 accuracy of a classifier with the reference
 * interpreter.
 */
package io.tinyml.core.eval;
