/**
 * The TFLite flatbuffer format (schema version 3): {@link io.tinyml.core.io.tflite.TfliteReader}
 * reads the main subgraph into the IR and {@link io.tinyml.core.io.tflite.TfliteWriter} writes a
 * model back as a flatbuffer TFLite and TFLite Micro accept. The flatbuffer accessors are written by
 * hand with explicit bounds checks; no generated code is used.
 */
package io.tinyml.core.io.tflite;
