/**
 * Hardware targets: a core, its clock, SRAM, flash, features and active power, a catalog of generic
 * targets, real boards and the emulated boards our tests run on, and user-defined targets from a
 * builder or a JSON file. Whether a model fits a target is the estimator's question
 * ({@code io.tinyml.core.estimate.Estimator#check}); this package does not depend on it.
 */
package io.tinyml.core.target;
