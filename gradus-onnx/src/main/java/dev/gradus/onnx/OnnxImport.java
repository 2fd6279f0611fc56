package dev.gradus.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.io.MetadataCodec;
import dev.gradus.io.MetadataException;
import dev.gradus.io.ModelMetadata;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.onnx.proto.Onnx.AttributeProto;
import dev.gradus.onnx.proto.Onnx.GraphProto;
import dev.gradus.onnx.proto.Onnx.ModelProto;
import dev.gradus.onnx.proto.Onnx.NodeProto;
import dev.gradus.onnx.proto.Onnx.OperatorSetIdProto;
import dev.gradus.onnx.proto.Onnx.StringStringEntryProto;
import dev.gradus.onnx.proto.Onnx.TensorProto;
import dev.gradus.onnx.proto.Onnx.TensorShapeProto;
import dev.gradus.onnx.proto.Onnx.ValueInfoProto;
import dev.gradus.tensor.Parameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads an ONNX file holding a plain multi-layer perceptron into a {@link Model}: a graph
 * written by {@link OnnxExport}, or one exported by another framework (PyTorch's
 * {@code torch.onnx.export} of a stack of {@code nn.Linear} and activations, for example).
 *
 * <p>The accepted graph is one chain from its one input to its one output:
 * <pre>
 * [Sub(x, shift)] [Div(x, scale)]                 optional feature scaling → featureScaler
 * layer, one or more times:
 *     Gemm(x, W, [b])  alpha=1, beta=1, transA=0, transB=1 (W [out,in]) or 0 (W [in,out])
 *   | MatMul(x, W [in,out]) [Add(·, b)]           as PyTorch writes nn.Linear
 *     [Relu | Sigmoid | Tanh | LeakyRelu(alpha) | Elu(alpha) | Softplus | Softmax(last axis)]
 * [Mul(x, scale)] [Add(x, shift)]                 optional target un-scaling → targetScaler
 * </pre>
 * Weights, biases and scalings are float32 constants (initializers or {@code Constant}
 * nodes); a bias or scaling is a vector ({@code [w]} or {@code [1, w]}; a scaling may also be
 * one value for every column). Any other operator, attribute, data type or graph shape is
 * refused with an {@link OnnxFormatException} naming the file, the node and its operator.
 *
 * <p>The numbers (weights, biases, scalings) always come from the graph. The rest of the
 * model comes from the Gradus metadata that {@link OnnxExport} writes ({@code gradus.*}
 * keys): feature columns and categories, class labels, target names, loss and training
 * record. A graph without that metadata gets default preprocessing: numeric features
 * {@code x0, x1, …}; for classification one target {@code label} with classes
 * {@code "0", "1", …} in output order (two classes for one sigmoid output); for regression
 * targets {@code y0, y1, …}; loss {@code cross-entropy} after a softmax output, {@code bce}
 * for a classifier's one sigmoid output, else {@code mse}.
 *
 * <pre>{@code
 * Model mine = OnnxImport.read(Path.of("iris.onnx"));                        // written by Gradus
 * Model theirs = OnnxImport.read(Path.of("mlp.onnx"), Task.CLASSIFICATION);   // from PyTorch
 * }</pre>
 */
public final class OnnxImport {
    /** The largest file read: the largest message protobuf-java parses (2 GiB − 1). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

    /** The oldest standard operator set accepted (Gemm's broadcasting is opset 7's). */
    public static final int MIN_OPSET = 7;

    private OnnxImport() {
    }

    /**
     * Reads a model with Gradus metadata (as {@link OnnxExport} writes it).
     *
     * @throws IllegalArgumentException if the file has no Gradus metadata (then the task must
     *     be given: {@link #read(Path, Task)})
     * @throws OnnxFormatException if the file is not a readable ONNX model or its graph is not
     *     a supported plain MLP
     * @throws IOException if the file cannot be read
     */
    public static Model read(Path path) throws IOException {
        return read(path, null);
    }

    /**
     * Reads a model; {@code task} chooses regression or classification for a graph without
     * Gradus metadata, and must agree with the metadata where there is some.
     *
     * @param task the task, or {@code null} to take it from the Gradus metadata
     * @throws IllegalArgumentException if {@code task} disagrees with the file's metadata, or
     *     is {@code null} and the file has none
     * @throws OnnxFormatException if the file is not a readable ONNX model or its graph is not
     *     a supported plain MLP
     * @throws IOException if the file cannot be read
     */
    public static Model read(Path path, Task task) throws IOException {
        Objects.requireNonNull(path, "path");
        return new Reader(path, parse(path), task).model();
    }

    /** The file as an ONNX {@code ModelProto}, checked only for being a protobuf message. */
    static ModelProto parse(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        if (!Files.isRegularFile(path)) {
            throw new OnnxFormatException(path, "not a regular file");
        }
        long size = Files.size(path);
        if (size == 0) {
            throw new OnnxFormatException(path, "empty file, not an ONNX model");
        }
        if (size > MAX_FILE_BYTES) {
            throw new OnnxFormatException(path, "file of " + size + " bytes exceeds the " + MAX_FILE_BYTES
                    + " bytes a protobuf message can hold");
        }
        byte[] bytes = Files.readAllBytes(path);
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(bytes.length);
            ModelProto model = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(path, "not an ONNX model: the protobuf message is malformed or "
                    + "truncated (" + e.getMessage() + ")", e);
        }
    }

    /** One {@code Wᵐ, bᵐ, φᵐ} as read from the graph. */
    private static final class Layer {
        final String node;
        final int inputs;
        final int outputs;
        final float[] w;           // [outputs, inputs] row-major, Gradus's layout
        float[] b;                 // [outputs], null until a bias is read
        boolean biasMayFollow;     // MatMul or Gemm without C: an Add may bring the bias
        Activation phi;            // null until an activation node (identity if none)
        String activationNode;

        Layer(String node, int inputs, int outputs, float[] w) {
            this.node = node;
            this.inputs = inputs;
            this.outputs = outputs;
            this.w = w;
        }
    }

    /** Walks the chain once, keeping what it found. */
    private static final class Reader {
        private final Path path;
        private final ModelProto proto;
        private final GraphProto graph;
        private final Task task;
        private final long opset;
        private final Map<String, TensorProto> constants = new HashMap<>();

        private String current;
        private String currentNode = "the graph input";
        private float[] featureShift;
        private float[] featureScale;
        private final List<Layer> layers = new ArrayList<>();
        private float[] targetScale;
        private float[] targetShift;
        private boolean targetScaling;   // once a Mul or a non-bias Add is seen, only those may follow

        Reader(Path path, ModelProto proto, Task task) throws OnnxFormatException {
            this.path = path;
            this.proto = proto;
            this.task = task;
            if (!proto.hasIrVersion() || !proto.hasGraph()) {
                throw fail("not an ONNX model: " + (proto.hasIrVersion() ? "no graph" : "no ir_version")
                        + " (a truncated file, or not an ONNX file at all)");
            }
            if (proto.getIrVersion() < 3) {
                throw fail("IR version " + proto.getIrVersion() + " is too old (operator sets came with IR 3)");
            }
            this.graph = proto.getGraph();
            this.opset = standardOpset();
        }

        private long standardOpset() throws OnnxFormatException {
            Long version = null;
            for (OperatorSetIdProto o : proto.getOpsetImportList()) {
                if (isStandardDomain(o.getDomain())) {
                    version = o.getVersion();
                }
            }
            if (version == null) {
                throw fail("imports no standard operator set (opset_import has no entry for domain \"\")");
            }
            if (version < MIN_OPSET) {
                throw fail("standard operator set " + version + " is older than the oldest supported, " + MIN_OPSET);
            }
            return version;
        }

        Model model() throws OnnxFormatException {
            Map<String, String> metadata = new LinkedHashMap<>();
            for (StringStringEntryProto e : proto.getMetadataPropsList()) {
                if (metadata.put(e.getKey(), e.getValue()) != null) {
                    throw fail("metadata key '" + e.getKey() + "' appears twice");
                }
            }
            checkGraphChecksum(metadata);
            collectConstants();
            current = graphInput();
            String output = graphOutput();
            for (int i = 0; i < graph.getNodeCount(); i++) {
                NodeProto node = graph.getNode(i);
                if (node.getOpType().equals("Constant") && isStandardDomain(node.getDomain())) {
                    continue;
                }
                step(node, i);
            }
            if (layers.isEmpty()) {
                throw fail("the graph has no Gemm or MatMul layer; Gradus imports plain MLPs");
            }
            if (!current.equals(output)) {
                throw fail("the chain of nodes ends in '" + current + "' (written by " + currentNode
                        + ") but the graph's output is '" + output + "'");
            }
            for (int m = 0; m < layers.size() - 1; m++) {
                Layer l = layers.get(m);
                if (l.phi instanceof Activation.Softmax) {
                    throw fail(l.activationNode + ": Softmax is supported only as the output layer's activation, "
                            + "here it follows hidden layer " + m);
                }
            }
            checkShapes(output);
            return assemble(network(), metadata);
        }

        // ---- the chain ------------------------------------------------------------------

        private void step(NodeProto node, int index) throws OnnxFormatException {
            String where = describe(node, index);
            if (!isStandardDomain(node.getDomain())) {
                throw fail(where + ": operator " + node.getOpType() + " of domain '" + node.getDomain()
                        + "' is not supported; Gradus imports standard ONNX operators only");
            }
            if (node.getOutputCount() != 1) {
                throw fail(where + ": has " + node.getOutputCount() + " outputs, a chain node has one");
            }
            String op = node.getOpType();
            switch (op) {
                case "Sub" -> featureScaling(node, where, true);
                case "Div" -> featureScaling(node, where, false);
                case "Gemm" -> gemm(node, where);
                case "MatMul" -> matMul(node, where);
                case "Add" -> add(node, where);
                case "Mul" -> mul(node, where);
                case "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Softplus", "Softmax" ->
                        activation(node, where);
                default -> throw fail(where + ": unsupported operator " + op + "; Gradus imports plain MLPs built "
                        + "from Gemm, MatMul, Add, Sub, Div, Mul, Relu, Sigmoid, Tanh, LeakyRelu, Elu, Softplus "
                        + "and Softmax");
            }
            current = node.getOutput(0);
            currentNode = where;
        }

        /** {@code Sub(x, shift)} then {@code Div(x, scale)} before the first layer. */
        private void featureScaling(NodeProto node, String where, boolean sub) throws OnnxFormatException {
            checkInputs(node, where, 2, 2);
            checkAttributes(node, where, Set.of());
            if (!layers.isEmpty()) {
                throw fail(where + ": " + node.getOpType() + " after a layer is not part of a plain MLP (feature "
                        + "scaling Sub/Div must come before the first Gemm or MatMul)");
            }
            if (!node.getInput(0).equals(current)) {
                throw notChain(node, where, node.getInput(0));
            }
            float[] values = vector(node, where, node.getInput(1));
            if (sub) {
                if (featureShift != null || featureScale != null) {
                    throw fail(where + ": a second Sub, or Sub after Div; the feature scaling Gradus reads is "
                            + "(x − shift) / scale");
                }
                featureShift = values;
            } else {
                if (featureScale != null) {
                    throw fail(where + ": a second Div; the feature scaling Gradus reads is (x − shift) / scale");
                }
                featureScale = values;
            }
        }

        /** {@code Gemm(x, B, C)}: {@code Z = x Bᵀ + C} (transB=1) or {@code x B + C} (transB=0). */
        private void gemm(NodeProto node, String where) throws OnnxFormatException {
            checkInputs(node, where, 2, 3);
            checkAttributes(node, where, Set.of("alpha", "beta", "transA", "transB"));
            startLayer(node, where);
            float alpha = floatAttribute(node, where, "alpha", 1f);
            float beta = floatAttribute(node, where, "beta", 1f);
            long transA = intAttribute(node, where, "transA", 0);
            long transB = intAttribute(node, where, "transB", 0);
            boolean hasC = node.getInputCount() == 3 && !node.getInput(2).isEmpty();
            if (alpha != 1f) {
                throw fail(where + ": Gemm with alpha=" + alpha + " is not supported (only alpha=1)");
            }
            if (hasC && beta != 1f) {
                throw fail(where + ": Gemm with beta=" + beta + " is not supported (only beta=1)");
            }
            if (transA != 0) {
                throw fail(where + ": Gemm with transA=" + transA + " is not supported (only transA=0)");
            }
            if (transB != 0 && transB != 1) {
                throw fail(where + ": Gemm with transB=" + transB + " (must be 0 or 1)");
            }
            Layer layer = weights(node, where, node.getInput(1), transB == 1);
            if (hasC) {
                layer.b = bias(node, where, node.getInput(2), layer.outputs);
            } else {
                layer.biasMayFollow = true;
            }
            layers.add(layer);
        }

        /** {@code MatMul(x, B)} with {@code B [in, out]}: {@code Z = x B}; an Add may follow with the bias. */
        private void matMul(NodeProto node, String where) throws OnnxFormatException {
            checkInputs(node, where, 2, 2);
            checkAttributes(node, where, Set.of());
            startLayer(node, where);
            Layer layer = weights(node, where, node.getInput(1), false);
            layer.biasMayFollow = true;
            layers.add(layer);
        }

        private void startLayer(NodeProto node, String where) throws OnnxFormatException {
            if (targetScaling) {
                throw fail(where + ": a layer after the target un-scaling (Mul/Add) is not part of a plain MLP");
            }
            if (!node.getInput(0).equals(current)) {
                throw notChain(node, where, node.getInput(0));
            }
        }

        /** Bias of the layer just read, or the shift of the target un-scaling. */
        private void add(NodeProto node, String where) throws OnnxFormatException {
            checkInputs(node, where, 2, 2);
            checkAttributes(node, where, Set.of());
            String constant = otherInput(node, where);
            Layer last = layers.isEmpty() ? null : layers.get(layers.size() - 1);
            if (last != null && last.biasMayFollow && last.phi == null && !targetScaling) {
                last.b = bias(node, where, constant, last.outputs);
                last.biasMayFollow = false;
                return;
            }
            if (last == null) {
                throw fail(where + ": Add before the first layer is not part of a plain MLP (feature scaling is "
                        + "Sub then Div)");
            }
            if (targetShift != null) {
                throw fail(where + ": a second Add after the last layer; the target un-scaling Gradus reads is "
                        + "ŷ · scale + shift");
            }
            targetShift = vector(node, where, constant);
            targetScaling = true;
            last.biasMayFollow = false;
        }

        /** The scale of the target un-scaling. */
        private void mul(NodeProto node, String where) throws OnnxFormatException {
            checkInputs(node, where, 2, 2);
            checkAttributes(node, where, Set.of());
            String constant = otherInput(node, where);
            if (layers.isEmpty()) {
                throw fail(where + ": Mul before the first layer is not part of a plain MLP (feature scaling is "
                        + "Sub then Div)");
            }
            if (targetScale != null || targetShift != null) {
                throw fail(where + ": Mul after " + (targetShift != null ? "Add" : "Mul") + " at the end; the target "
                        + "un-scaling Gradus reads is ŷ · scale + shift");
            }
            targetScale = vector(node, where, constant);
            targetScaling = true;
            layers.get(layers.size() - 1).biasMayFollow = false;
        }

        private void activation(NodeProto node, String where) throws OnnxFormatException {
            checkInputs(node, where, 1, 1);
            String op = node.getOpType();
            if (!node.getInput(0).equals(current)) {
                throw notChain(node, where, node.getInput(0));
            }
            if (layers.isEmpty() || targetScaling) {
                throw fail(where + ": " + op + " " + (layers.isEmpty() ? "before the first layer" : "after the target "
                        + "un-scaling") + " is not part of a plain MLP");
            }
            Layer last = layers.get(layers.size() - 1);
            if (last.phi != null) {
                throw fail(where + ": a second activation (" + op + ") after layer " + last.node + ", which already "
                        + "has " + last.activationNode);
            }
            Activation phi;
            try {
                phi = switch (op) {
                    case "Relu" -> noAttributes(node, where, Activation.RELU);
                    case "Sigmoid" -> noAttributes(node, where, Activation.SIGMOID);
                    case "Tanh" -> noAttributes(node, where, Activation.TANH);
                    case "Softplus" -> noAttributes(node, where, Activation.SOFTPLUS);
                    case "LeakyRelu" -> {
                        checkAttributes(node, where, Set.of("alpha"));
                        yield new Activation.LeakyRelu(floatAttribute(node, where, "alpha", 0.01f));
                    }
                    case "Elu" -> {
                        checkAttributes(node, where, Set.of("alpha"));
                        yield new Activation.Elu(floatAttribute(node, where, "alpha", 1f));
                    }
                    case "Softmax" -> softmax(node, where);
                    default -> throw new IllegalStateException("not an activation: " + op);
                };
            } catch (IllegalArgumentException e) {
                throw fail(where + ": " + e.getMessage());
            }
            last.phi = phi;
            last.activationNode = where;
            last.biasMayFollow = false;
        }

        /** Softmax over each row: axis −1, or 1 for the rank-2 tensors of a plain MLP. */
        private Activation softmax(NodeProto node, String where) throws OnnxFormatException {
            checkAttributes(node, where, Set.of("axis"));
            // Before opset 13 the default axis was 1 (rows of the [N, k] matrix, the same here).
            long axis = intAttribute(node, where, "axis", opset >= 13 ? -1 : 1);
            if (axis != -1 && axis != 1) {
                throw fail(where + ": Softmax over axis " + axis + " is not supported (only the last axis of "
                        + "[N, k], -1 or 1)");
            }
            return Activation.SOFTMAX;
        }

        private Activation noAttributes(NodeProto node, String where, Activation phi) throws OnnxFormatException {
            checkAttributes(node, where, Set.of());
            return phi;
        }

        // ---- constants and tensors --------------------------------------------------------

        private void collectConstants() throws OnnxFormatException {
            for (TensorProto t : graph.getInitializerList()) {
                if (constants.put(t.getName(), t) != null) {
                    throw fail("two initializers are named '" + t.getName() + "'");
                }
            }
            for (int i = 0; i < graph.getNodeCount(); i++) {
                NodeProto node = graph.getNode(i);
                if (!node.getOpType().equals("Constant") || !isStandardDomain(node.getDomain())) {
                    continue;
                }
                String where = describe(node, i);
                if (node.getOutputCount() != 1 || node.getAttributeCount() != 1
                        || !node.getAttribute(0).getName().equals("value")
                        || node.getAttribute(0).getType() != AttributeProto.AttributeType.TENSOR) {
                    throw fail(where + ": only a Constant with one tensor attribute 'value' is supported");
                }
                if (constants.put(node.getOutput(0), node.getAttribute(0).getT()) != null) {
                    throw fail(where + ": its output '" + node.getOutput(0) + "' is also another constant's name");
                }
            }
        }

        /** The one input that is not a constant, checked to be a float matrix. */
        private String graphInput() throws OnnxFormatException {
            List<ValueInfoProto> inputs = graph.getInputList().stream()
                    .filter(v -> !constants.containsKey(v.getName())).toList();
            if (inputs.size() != 1) {
                throw fail("the graph has " + inputs.size() + " inputs "
                        + inputs.stream().map(ValueInfoProto::getName).toList() + "; a plain MLP has one");
            }
            checkFloatMatrix(inputs.get(0), "input");
            return inputs.get(0).getName();
        }

        private String graphOutput() throws OnnxFormatException {
            if (graph.getOutputCount() != 1) {
                throw fail("the graph has " + graph.getOutputCount() + " outputs; a plain MLP has one");
            }
            checkFloatMatrix(graph.getOutput(0), "output");
            return graph.getOutput(0).getName();
        }

        private void checkFloatMatrix(ValueInfoProto v, String role) throws OnnxFormatException {
            if (!v.hasType() || !v.getType().hasTensorType()) {
                throw fail("graph " + role + " '" + v.getName() + "' is not a tensor");
            }
            int type = v.getType().getTensorType().getElemType();
            if (type != TensorProto.DataType.FLOAT_VALUE) {
                throw fail("graph " + role + " '" + v.getName() + "' has element type " + dataTypeName(type)
                        + "; Gradus reads float32");
            }
            if (v.getType().getTensorType().hasShape() && v.getType().getTensorType().getShape().getDimCount() != 2) {
                throw fail("graph " + role + " '" + v.getName() + "' has rank "
                        + v.getType().getTensorType().getShape().getDimCount() + "; a plain MLP reads and writes [N, "
                        + "features] matrices");
            }
        }

        /** Input and output widths where the graph states them. */
        private void checkShapes(String output) throws OnnxFormatException {
            long d = statedWidth(graph.getInputList().stream().filter(v -> v.getName().equals(inputName()))
                    .findFirst().orElseThrow());
            if (d >= 0 && d != layers.get(0).inputs) {
                throw fail("graph input '" + inputName() + "' has " + d + " columns but layer " + layers.get(0).node
                        + " reads " + layers.get(0).inputs);
            }
            long k = statedWidth(graph.getOutput(0));
            int last = layers.get(layers.size() - 1).outputs;
            if (k >= 0 && k != last) {
                throw fail("graph output '" + output + "' has " + k + " columns but the last layer writes " + last);
            }
        }

        private String inputName() {
            return graph.getInputList().stream().filter(v -> !constants.containsKey(v.getName())).findFirst()
                    .orElseThrow().getName();
        }

        private static long statedWidth(ValueInfoProto v) {
            if (!v.getType().getTensorType().hasShape()) {
                return -1;
            }
            TensorShapeProto.Dimension dim = v.getType().getTensorType().getShape().getDim(1);
            return dim.hasDimValue() ? dim.getDimValue() : -1;
        }

        /** A layer's weight matrix, as Gradus's {@code [out, in]} whichever way it is stored. */
        private Layer weights(NodeProto node, String where, String name, boolean outByIn) throws OnnxFormatException {
            TensorProto t = constant(node, where, name);
            if (t.getDimsCount() != 2) {
                throw fail(where + ": weight '" + name + "' has shape " + t.getDimsList() + "; a layer's weight is a "
                        + "matrix");
            }
            long rows = t.getDims(0);
            long cols = t.getDims(1);
            float[] values = floats(t, where, name);
            if (rows < 1 || cols < 1) {
                throw fail(where + ": weight '" + name + "' has an empty shape " + t.getDimsList());
            }
            int r = (int) rows;
            int c = (int) cols;
            if (outByIn) {
                // Wᵐ as stored for Gemm transB=1: [out, in], Gradus's own layout.
                return new Layer(where, c, r, values);
            }
            // Stored [in, out] (MatMul, Gemm transB=0): Wᵐ = Bᵀ.
            float[] w = new float[values.length];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    w[j * r + i] = values[i * c + j];
                }
            }
            return new Layer(where, r, c, w);
        }

        /** A bias of {@code width} values, stored {@code [width]} or {@code [1, width]}. */
        private float[] bias(NodeProto node, String where, String name, int width) throws OnnxFormatException {
            TensorProto t = constant(node, where, name);
            List<Long> dims = t.getDimsList();
            boolean vector = dims.size() == 1 && dims.get(0) == width
                    || dims.size() == 2 && dims.get(0) == 1 && dims.get(1) == width;
            if (!vector) {
                throw fail(where + ": bias '" + name + "' has shape " + dims + ", expected [" + width + "] or [1, "
                        + width + "]");
            }
            return floats(t, where, name);
        }

        /** A scaling: {@code [w]}, {@code [1, w]}, or one value for all columns (checked later). */
        private float[] vector(NodeProto node, String where, String name) throws OnnxFormatException {
            TensorProto t = constant(node, where, name);
            List<Long> dims = t.getDimsList();
            boolean ok = dims.size() <= 1 || dims.size() == 2 && dims.get(0) == 1;
            if (!ok) {
                throw fail(where + ": '" + name + "' has shape " + dims + "; a scaling is one value per column");
            }
            return floats(t, where, name);
        }

        private TensorProto constant(NodeProto node, String where, String name) throws OnnxFormatException {
            TensorProto t = constants.get(name);
            if (t == null) {
                throw notChain(node, where, name);
            }
            return t;
        }

        /** The Add/Mul input that is not the chain's current value; it must be a constant. */
        private String otherInput(NodeProto node, String where) throws OnnxFormatException {
            if (node.getInput(0).equals(current)) {
                return node.getInput(1);
            }
            if (node.getInput(1).equals(current)) {
                return node.getInput(0);
            }
            throw notChain(node, where, node.getInput(0));
        }

        /**
         * The float32 values of {@code t}, from {@code raw_data} (little-endian) or
         * {@code float_data}, after checking that their count matches the shape; nothing is
         * allocated beyond what the file holds.
         */
        private float[] floats(TensorProto t, String where, String name) throws OnnxFormatException {
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                throw fail(where + ": tensor '" + name + "' has data type " + dataTypeName(t.getDataType())
                        + "; Gradus reads float32 weights");
            }
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
                throw fail(where + ": tensor '" + name + "' keeps its data in an external file, which Gradus does "
                        + "not read; save the model with its weights inside");
            }
            long count = 1;
            for (long dim : t.getDimsList()) {
                if (dim < 0) {
                    throw fail(where + ": tensor '" + name + "' has a negative dimension " + t.getDimsList());
                }
                count *= dim;
                if (count > Integer.MAX_VALUE - 8) {
                    throw fail(where + ": tensor '" + name + "' of shape " + t.getDimsList() + " is too large");
                }
            }
            if (t.hasRawData()) {
                if (t.getRawData().size() != 4 * count) {
                    throw fail(where + ": tensor '" + name + "' of shape " + t.getDimsList() + " needs " + 4 * count
                            + " bytes of raw data, has " + t.getRawData().size());
                }
                float[] values = new float[(int) count];
                ByteBuffer bytes = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().get(values);
                return values;
            }
            if (t.getFloatDataCount() != count) {
                throw fail(where + ": tensor '" + name + "' of shape " + t.getDimsList() + " needs " + count
                        + " values, has " + t.getFloatDataCount());
            }
            float[] values = new float[(int) count];
            for (int i = 0; i < values.length; i++) {
                values[i] = t.getFloatData(i);
            }
            return values;
        }

        // ---- attributes and checks --------------------------------------------------------

        private void checkInputs(NodeProto node, String where, int min, int max) throws OnnxFormatException {
            int n = node.getInputCount();
            if (n < min || n > max) {
                throw fail(where + ": has " + n + " inputs, expected " + (min == max ? "" + min : min + " to " + max));
            }
        }

        private void checkAttributes(NodeProto node, String where, Set<String> known) throws OnnxFormatException {
            Set<String> seen = new HashSet<>();
            for (AttributeProto a : node.getAttributeList()) {
                if (!known.contains(a.getName())) {
                    throw fail(where + ": attribute '" + a.getName() + "' of " + node.getOpType() + " is not supported"
                            + (known.isEmpty() ? "" : " (known: " + String.join(", ", known) + ")"));
                }
                if (!seen.add(a.getName())) {
                    throw fail(where + ": attribute '" + a.getName() + "' is given twice");
                }
            }
        }

        private float floatAttribute(NodeProto node, String where, String name, float fallback)
                throws OnnxFormatException {
            for (AttributeProto a : node.getAttributeList()) {
                if (a.getName().equals(name)) {
                    if (a.getType() != AttributeProto.AttributeType.FLOAT) {
                        throw fail(where + ": attribute '" + name + "' is of type " + a.getType() + ", not FLOAT");
                    }
                    return a.getF();
                }
            }
            return fallback;
        }

        private long intAttribute(NodeProto node, String where, String name, long fallback)
                throws OnnxFormatException {
            for (AttributeProto a : node.getAttributeList()) {
                if (a.getName().equals(name)) {
                    if (a.getType() != AttributeProto.AttributeType.INT) {
                        throw fail(where + ": attribute '" + name + "' is of type " + a.getType() + ", not INT");
                    }
                    return a.getI();
                }
            }
            return fallback;
        }

        private OnnxFormatException notChain(NodeProto node, String where, String input) {
            return fail(where + ": reads '" + input + "', which is neither the output of " + currentNode + " ('"
                    + current + "') nor a constant; Gradus imports a plain chain of layers");
        }

        private OnnxFormatException fail(String problem) {
            return new OnnxFormatException(path, problem);
        }

        // ---- the model --------------------------------------------------------------------

        private Network network() throws OnnxFormatException {
            List<Dense> dense = new ArrayList<>();
            for (int m = 0; m < layers.size(); m++) {
                Layer l = layers.get(m);
                if (m > 0 && l.inputs != layers.get(m - 1).outputs) {
                    throw fail(l.node + ": reads " + l.inputs + " values per row but the layer before it ("
                            + layers.get(m - 1).node + ") writes " + layers.get(m - 1).outputs);
                }
                dense.add(new Dense(l.inputs, l.outputs, l.phi == null ? Activation.IDENTITY : l.phi));
            }
            Parameters p = Network.zeroParameters(dense);
            float[] theta = p.values();
            for (int m = 0; m < layers.size(); m++) {
                Layer l = layers.get(m);
                System.arraycopy(l.w, 0, theta, p.weightView(m).offset(), l.w.length);
                if (l.b != null) {
                    System.arraycopy(l.b, 0, theta, p.biasView(m).offset(), l.b.length);
                }
            }
            return Network.of(dense, p);
        }

        /** A scaler of {@code width} columns from stored shift and scale (either may be absent). */
        private Scaler scaler(float[] shift, float[] scale, int width, String what) throws OnnxFormatException {
            float[] s = columns(shift, width, 0f, what + " shift");
            float[] c = columns(scale, width, 1f, what + " scale");
            try {
                return new Scaler(s, c);
            } catch (IllegalArgumentException e) {
                throw fail(what + ": " + e.getMessage());
            }
        }

        private float[] columns(float[] values, int width, float fallback, String what) throws OnnxFormatException {
            float[] out = new float[width];
            if (values == null) {
                Arrays.fill(out, fallback);
            } else if (values.length == 1) {
                Arrays.fill(out, values[0]);
            } else if (values.length == width) {
                System.arraycopy(values, 0, out, 0, width);
            } else {
                throw fail(what + " has " + values.length + " values for " + width + " columns");
            }
            return out;
        }

        private Model assemble(Network network, Map<String, String> metadata) throws OnnxFormatException {
            int d = network.inputs();
            int k = network.outputs();
            Scaler features = scaler(featureShift, featureScale, d, "feature scaling (Sub/Div)");
            boolean unscales = targetScale != null || targetShift != null;
            Activation output = network.layer(network.layerCount() - 1).activation();

            ModelMetadata meta = gradusMetadata(metadata);
            Preprocessing prep;
            Loss loss;
            Map<String, String> training;
            if (meta != null) {
                Preprocessing stored = meta.preprocessing();
                if (task != null && task != stored.task()) {
                    throw new IllegalArgumentException(path + ": the file's Gradus metadata says the task is "
                            + stored.task() + ", but " + task + " was asked for");
                }
                if (stored.inputWidth() != d) {
                    throw fail("metadata '" + OnnxExport.KEY_PREPROCESSING + "' describes " + stored.inputWidth()
                            + " inputs, the graph reads " + d);
                }
                // The numbers of the scalings are the graph's; the rest is the stored preprocessing.
                prep = preprocessing(stored.task(), stored.features(), features, stored.targetNames(),
                        stored.classLabels(), k, unscales);
                loss = meta.loss();
                training = meta.training();
            } else {
                if (task == null) {
                    throw new IllegalArgumentException(path + ": the file has no Gradus metadata, so the task must be "
                            + "given (regression or classification)");
                }
                List<Preprocessing.Feature> columns = new ArrayList<>();
                for (int j = 0; j < d; j++) {
                    columns.add(new Preprocessing.Feature("x" + j, List.of()));
                }
                if (task == Task.CLASSIFICATION) {
                    // One sigmoid output is a two-class (bce) model: p(class "1").
                    boolean binary = k == 1 && output instanceof Activation.Sigmoid;
                    if (k < 2 && !binary) {
                        throw new IllegalArgumentException(path + ": the network has one " + output + " output; a "
                                + "classifier has one output per class, or one sigmoid output for two classes");
                    }
                    List<String> labels = new ArrayList<>();
                    for (int j = 0; j < (binary ? 2 : k); j++) {
                        labels.add(Integer.toString(j));
                    }
                    prep = preprocessing(task, columns, features, List.of("label"), labels, k, unscales);
                } else {
                    List<String> names = new ArrayList<>();
                    for (int j = 0; j < k; j++) {
                        names.add("y" + j);
                    }
                    prep = preprocessing(task, columns, features, names, List.of(), k, unscales);
                }
                // Without metadata: the loss that fits the output (cross-entropy for softmax, bce
                // for one sigmoid output of a classifier), else the seed's mse.
                loss = output instanceof Activation.Softmax ? Loss.CROSS_ENTROPY
                        : prep.task() == Task.CLASSIFICATION && k == 1 ? Loss.BCE : Loss.MSE;
                training = new LinkedHashMap<>();
                training.put("imported_from", "onnx");
                training.put("producer", (proto.getProducerName() + " " + proto.getProducerVersion()).strip());
            }
            try {
                return new Model(network, prep, loss, training,
                        meta == null ? java.util.Optional.empty() : meta.decision());
            } catch (IllegalArgumentException e) {
                throw fail("the graph and its metadata do not make a model: " + e.getMessage());
            }
        }

        /**
         * The Gradus metadata ({@code gradus.*} entries, as {@link OnnxExport} writes them) read by
         * the model file's codec, after the one format-version check; {@code null} for a file
         * without them.
         */
        private ModelMetadata gradusMetadata(Map<String, String> metadata) throws OnnxFormatException {
            String prefix = "gradus.";
            boolean any = metadata.keySet().stream()
                    .anyMatch(key -> key.startsWith(prefix) && !key.equals(OnnxExport.KEY_GRAPH_SHA256));
            if (!any) {
                return null;
            }
            try {
                int version = MetadataCodec.formatVersion(metadata.getOrDefault(OnnxExport.KEY_FORMAT_VERSION, "1"),
                        "Gradus model", "format_version");
                Map<String, String> entries = new LinkedHashMap<>();
                for (String key : List.of(MetadataCodec.LOSS, MetadataCodec.PREPROCESSING, MetadataCodec.TRAINING,
                        MetadataCodec.DECISION)) {
                    if (metadata.containsKey(prefix + key)) {
                        entries.put(key, metadata.get(prefix + key));
                    }
                }
                return MetadataCodec.decode(entries, new ModelMetadata.FileVersion(version,
                        (proto.getProducerName() + " " + proto.getProducerVersion()).strip()));
            } catch (MetadataException e) {
                throw fail("metadata '" + prefix + e.field() + "': " + e.problem());
            }
        }

        /**
         * A file Gradus wrote (its producer, or any {@code gradus.*} key) must end in the graph
         * checksum and match it: a file cut short loses the last metadata entry first.
         */
        private void checkGraphChecksum(Map<String, String> metadata) throws OnnxFormatException {
            boolean gradus = OnnxExport.PRODUCER.equals(proto.getProducerName())
                    || metadata.keySet().stream().anyMatch(key -> key.startsWith("gradus."));
            String stored = metadata.get(OnnxExport.KEY_GRAPH_SHA256);
            if (stored == null) {
                if (gradus) {
                    throw fail("written by Gradus but its metadata lacks '" + OnnxExport.KEY_GRAPH_SHA256
                            + "', the last entry Gradus writes: the file is truncated or was edited");
                }
                return;
            }
            String actual = OnnxExport.sha256Hex(graph.toByteArray());
            if (!actual.equalsIgnoreCase(stored)) {
                throw fail("the graph's SHA-256 is " + actual + " but the metadata '" + OnnxExport.KEY_GRAPH_SHA256
                        + "' says " + stored + ": the file is corrupted or its graph was changed after Gradus "
                        + "wrote it (remove that metadata entry to import a deliberately edited graph)");
            }
        }

        /**
         * The preprocessing with the graph's scalings: the feature scaling from Sub/Div, the
         * target un-scaling from Mul/Add (regression only; a classifier's is the identity over
         * its classes).
         */
        private Preprocessing preprocessing(Task t, List<Preprocessing.Feature> columns, Scaler features,
                                            List<String> targetNames, List<String> labels, int outputs,
                                            boolean unscales) throws OnnxFormatException {
            Scaler targets;
            if (t == Task.CLASSIFICATION) {
                if (unscales) {
                    throw fail("the graph ends in a target un-scaling (Mul/Add), which only a regression model has");
                }
                targets = Scaler.identity(labels.size());
            } else {
                if (targetNames.size() != outputs) {
                    throw fail("the metadata names " + targetNames.size() + " targets " + targetNames + ", the graph "
                            + "has " + outputs + " outputs");
                }
                targets = scaler(targetShift, targetScale, outputs, "target un-scaling (Mul/Add)");
            }
            try {
                return new Preprocessing(t, columns, features, targetNames, labels, targets);
            } catch (IllegalArgumentException e) {
                throw fail("the graph and its metadata do not make a model: " + e.getMessage());
            }
        }
    }

    static boolean isStandardDomain(String domain) {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }

    private static String describe(NodeProto node, int index) {
        String name = node.getName().isEmpty() ? "#" + index : "'" + node.getName() + "'";
        return "node " + name + " (" + node.getOpType() + ")";
    }

    private static String dataTypeName(int type) {
        return switch (type) {
            case 0 -> "UNDEFINED (0)";
            case 1 -> "FLOAT (1)";
            case 2 -> "UINT8 (2)";
            case 3 -> "INT8 (3)";
            case 6 -> "INT32 (6)";
            case 7 -> "INT64 (7)";
            case 10 -> "FLOAT16 (10)";
            case 11 -> "DOUBLE (11)";
            case 16 -> "BFLOAT16 (16)";
            default -> "code " + type;
        };
    }
}
