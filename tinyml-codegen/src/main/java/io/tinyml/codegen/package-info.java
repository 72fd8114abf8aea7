/**
 * C99 code generation for microcontrollers: {@link io.tinyml.codegen.CodeGenerator} turns a
 * quantized IR model into a header, a model source with one function per node, a weights source, a
 * kernel library holding only the kernels the model uses and a project (Makefile with host, QEMU
 * Cortex-M4/M7 and board targets). Outputs are bit-identical to the reference interpreter.
 */
package io.tinyml.codegen;
