/**
 * The ONNX protobuf format: {@link io.tinyml.core.io.onnx.OnnxReader} reads an ONNX model (opsets
 * 6 to 25 of the default domain) into the NHWC IR, converting layouts at the edge, and
 * {@link io.tinyml.core.io.onnx.OnnxWriter} writes a model back as an NCHW ONNX graph that ONNX
 * Runtime runs (float, or QDQ for int8 models). The protobuf messages are decoded and encoded by
 * hand with protobuf-java's {@code CodedInputStream} / {@code CodedOutputStream}; no generated code.
 */
package io.tinyml.core.io.onnx;
