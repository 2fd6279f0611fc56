package dev.gradus.onnx;

import com.google.protobuf.ByteString;
import dev.gradus.onnx.proto.Onnx.AttributeProto;
import dev.gradus.onnx.proto.Onnx.GraphProto;
import dev.gradus.onnx.proto.Onnx.ModelProto;
import dev.gradus.onnx.proto.Onnx.NodeProto;
import dev.gradus.onnx.proto.Onnx.OperatorSetIdProto;
import dev.gradus.onnx.proto.Onnx.TensorProto;
import dev.gradus.onnx.proto.Onnx.TensorShapeProto;
import dev.gradus.onnx.proto.Onnx.TypeProto;
import dev.gradus.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Hand-built ONNX graphs, as other tools write them. */
final class Graphs {
    private Graphs() {
    }

    /** A float tensor with raw little-endian data. */
    static TensorProto tensor(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A float tensor in {@code float_data} (as some exporters write small tensors). */
    static TensorProto floatData(String name, long[] dims, float... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    static NodeProto node(String op, String name, List<String> inputs, String output, AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output)
                .addAllAttribute(List.of(attributes)).build();
    }

    static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto tensorAttr(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value)
                .build();
    }

    /** A float [batch, cols] value (cols ≤ 0: unknown). */
    static ValueInfoProto matrix(String name, long cols) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        shape.addDim(cols > 0 ? TensorShapeProto.Dimension.newBuilder().setDimValue(cols)
                : TensorShapeProto.Dimension.newBuilder().setDimParam("cols"));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    /** A model around {@code graph}, opset {@code opset}, as a foreign producer writes it. */
    static ModelProto model(GraphProto graph, long opset) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch").setProducerVersion("2.3.0")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph)
                .build();
    }

    static Path write(Path file, ModelProto model) throws IOException {
        Files.write(file, model.toByteArray());
        return file;
    }
}
