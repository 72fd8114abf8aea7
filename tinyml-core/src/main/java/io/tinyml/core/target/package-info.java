/**
 * Hardware targets: a core, its clock, SRAM, flash, features and active power, a catalog of generic
 * targets, real boards and the emulated boards our tests run on, and user-defined targets from a
 * builder or a JSON file. {@link io.tinyml.core.target.Target#check} asks whether a model fits a
 * target before anything is flashed.
 */
package io.tinyml.core.target;
