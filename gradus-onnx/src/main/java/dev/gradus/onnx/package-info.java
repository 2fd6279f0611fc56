/**
 * ONNX export and import of Gradus models: {@link dev.gradus.onnx.OnnxExport} writes a
 * {@link dev.gradus.model.Model} as a standard ONNX graph (opset 13) that any ONNX runtime can
 * evaluate, and {@link dev.gradus.onnx.OnnxImport} reads such a graph, or a plain MLP exported
 * by another framework, back into a model.
 */
package dev.gradus.onnx;
