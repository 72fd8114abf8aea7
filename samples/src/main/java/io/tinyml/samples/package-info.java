/**
 * Runnable samples, one per user journey. {@link io.tinyml.samples.HelloSine} is the main one: it
 * makes its own model and carries it through every capability the SDK has.
 */
package io.tinyml.samples;
