/**
 * The TinyML SDK core: the exceptions shared by every module. The model IR is in
 * {@link io.tinyml.core.ir}, file formats in {@code io.tinyml.core.io}, the reference interpreter in
 * {@code io.tinyml.core.runtime}, graph passes in {@code io.tinyml.core.pass} and datasets in
 * {@code io.tinyml.core.data}.
 */
package io.tinyml.core;
