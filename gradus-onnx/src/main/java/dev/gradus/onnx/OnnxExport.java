package dev.gradus.onnx;

import com.google.protobuf.ByteString;
import dev.gradus.data.DataException;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaler;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.io.MetadataCodec;
import dev.gradus.io.ModelFile;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import dev.gradus.onnx.proto.Onnx.AttributeProto;
import dev.gradus.onnx.proto.Onnx.GraphProto;
import dev.gradus.onnx.proto.Onnx.ModelProto;
import dev.gradus.onnx.proto.Onnx.NodeProto;
import dev.gradus.onnx.proto.Onnx.OperatorSetIdProto;
import dev.gradus.onnx.proto.Onnx.StringStringEntryProto;
import dev.gradus.onnx.proto.Onnx.TensorProto;
import dev.gradus.onnx.proto.Onnx.TensorShapeProto;
import dev.gradus.onnx.proto.Onnx.TypeProto;
import dev.gradus.onnx.proto.Onnx.ValueInfoProto;
import dev.gradus.tensor.Matrix;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a {@link Model} as a standard ONNX graph that any ONNX runtime evaluates to the same
 * numbers as {@link Model#predict}.
 *
 * <p>The graph, for a network of layers {@code m = 0..n} reading {@code d} inputs and writing
 * {@code k} outputs (operator set {@value #OPSET_VERSION}, IR version {@value #IR_VERSION}):
 * <pre>
 * features  [N, d] float        the encoded inputs (see below), before scaling
 * Sub(x, feature_shift)  [d]    x − shift        } the stored feature scaling,
 * Div(x, feature_scale)  [d]    (x − shift)/scale } each node left out when it changes nothing
 * Gemm(x, layers.m.weight [out, in], layers.m.bias [out], transB=1)   Zᵐ = Aᵐ⁻¹ Wᵐᵀ + bᵐ
 * φᵐ: Relu | Sigmoid | Tanh | LeakyRelu(alpha) | Elu(alpha) | Softplus | Softmax(axis=-1),
 *     no node for identity                                              Aᵐ = φᵐ(Zᵐ)
 * Mul(x, target_scale) [k], Add(x, target_shift) [k]   regression only: ŷ·scale + shift
 * scores [N, k] (classification) or predictions [N, k] (regression)
 * </pre>
 * The weights are stored exactly as Gradus holds them ({@code Wᵐ} row-major
 * {@code [outputs, inputs]}, hence {@code transB=1}), as raw little-endian float32.
 *
 * <p><b>What the input is.</b> Categorical one-hot encoding and the filling of missing cells
 * happen before the graph: {@code features} holds, per row, one value per numeric feature
 * column and one 0/1 value per category of each categorical column, in
 * {@link Preprocessing#features()} order, unscaled. {@link #graphInputs} computes it from a
 * table. The feature names, categories, class labels and target names are stored in the
 * model's {@code metadata_props} (keys {@code feature_names}, {@code feature_categories},
 * {@code input_columns}, {@code class_labels}, {@code target_names}, {@code task}), together
 * with the full Gradus preprocessing, loss and training record ({@code gradus.*} keys) so that
 * {@link OnnxImport} restores the model as it was.
 *
 * <p><b>What the output is.</b> {@code scores}: the network's outputs, one column per class
 * label in {@code class_labels} order (the predicted class is the largest); with a softmax
 * output layer (cross-entropy) they are probabilities. A two-class model trained with
 * {@code bce} has one sigmoid output, the probability of the second class label
 * ({@code scores} is {@code [N, 1]}). {@code predictions}: one column per target in original
 * units.
 *
 * <pre>{@code
 * Model model = Model.load(Path.of("iris.gradus"));
 * OnnxExport.write(model, Path.of("iris.onnx"));
 * }</pre>
 */
public final class OnnxExport {
    /** The name of the graph's input. */
    public static final String INPUT = "features";
    /** The name of a classifier's output. */
    public static final String SCORES = "scores";
    /** The name of a regression model's output. */
    public static final String PREDICTIONS = "predictions";
    /** The version of the standard operator set the graph uses. */
    public static final int OPSET_VERSION = 13;
    /** The ONNX IR version released with operator set 13. */
    public static final int IR_VERSION = 7;
    /** {@code producer_name} of the files written here. */
    public static final String PRODUCER = "gradus";

    /**
     * Metadata key: the Gradus model format version of the {@code gradus.*} entries (the model
     * file's {@code format_version}); a Gradus that reads an older version refuses the file.
     * Files without it were written in version 1.
     */
    public static final String KEY_FORMAT_VERSION = "gradus.format_version";
    /** Metadata key: the full preprocessing as Gradus JSON. */
    public static final String KEY_PREPROCESSING = "gradus.preprocessing";
    /** Metadata key: the loss's name. */
    public static final String KEY_LOSS = "gradus.loss";
    /** Metadata key: the training record as a flat JSON object. */
    public static final String KEY_TRAINING = "gradus.training";
    /** Metadata key: the stored decision threshold of a two-class model (format version 3), when it has one. */
    public static final String KEY_DECISION = "gradus.decision";
    /** Metadata key: the activations as Gradus names, a JSON array. */
    public static final String KEY_ACTIVATIONS = "gradus.activations";
    /**
     * Metadata key, always the last entry: lower-case hex SHA-256 of the serialized graph
     * (field 7). {@link OnnxImport} checks it, so a flipped byte or a file cut short is
     * reported rather than used.
     */
    public static final String KEY_GRAPH_SHA256 = "gradus.graph_sha256";

    private OnnxExport() {
    }

    /**
     * Writes {@code model} to {@code path} as an ONNX file, atomically: a temporary file in the
     * same folder is written, synced and renamed over {@code path}, so a failure leaves any
     * previous file intact.
     *
     * @throws IllegalArgumentException if a layer's activation has no ONNX operator, or the
     *     model encodes a column in a way the graph's documented inputs cannot express (a date
     *     column, a shared "other" category, ignored unseen categories), naming the column
     * @throws IOException if the file cannot be written
     */
    public static void write(Model model, Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        byte[] bytes = toProto(model).toByteArray();
        dev.gradus.internal.AtomicFiles.write(path, out -> out.write(bytes));
    }

    /** The ONNX model as bytes, exactly what {@link #write} stores. */
    public static byte[] toBytes(Model model) {
        return toProto(model).toByteArray();
    }

    /** The name of the graph's output for this task: {@value #SCORES} or {@value #PREDICTIONS}. */
    public static String outputName(Task task) {
        return task == Task.CLASSIFICATION ? SCORES : PREDICTIONS;
    }

    /**
     * The graph's {@code features} input for the rows of {@code table}: the encoded inputs
     * (one value per numeric column, one-hot per categorical column, missing cells filled as
     * the model fills them) before the feature scaling, which the graph applies itself.
     *
     * @return {@code N × d}, {@code d = model.network().inputs()}
     * @throws DataException as {@link Preprocessing#features} does
     */
    public static Matrix graphInputs(Model model, Table table) throws DataException {
        Preprocessing p = model.preprocessing();
        Preprocessing unscaled = new Preprocessing(p.task(), p.features(), Scaler.identity(p.inputWidth()),
                p.targetNames(), p.classLabels(), p.targetScaler(), p.unknown(), p.leftOut());
        return unscaled.features(table);
    }

    static ModelProto toProto(Model model) {
        Objects.requireNonNull(model, "model");
        Network network = model.network();
        Preprocessing prep = model.preprocessing();
        checkExportable(prep);
        Graph g = new Graph();
        int d = network.inputs();
        int k = network.outputs();

        // The stored feature scaling x ← (x − shift) / scale, as Gradus applies it (float32).
        String x = INPUT;
        Scaler features = prep.featureScaler();
        if (!allEqual(features.shift(), 0f)) {
            g.initializer("feature_shift", new long[] {d}, features.shift());
            x = g.node("Sub", "scale_features_shift", List.of(x, "feature_shift"), "features_shifted");
        }
        if (!allEqual(features.scale(), 1f)) {
            g.initializer("feature_scale", new long[] {d}, features.scale());
            x = g.node("Div", "scale_features_divide", List.of(x, "feature_scale"), "features_scaled");
        }

        // Zᵐ = Aᵐ⁻¹ Wᵐᵀ + bᵐ   (N, out);   Aᵐ = φᵐ(Zᵐ)
        for (int m = 0; m < network.layerCount(); m++) {
            Dense layer = network.layer(m);
            String w = "layers." + m + ".weight";
            String b = "layers." + m + ".bias";
            // Wᵐ exactly as Gradus holds it: row-major [out, in], so Gemm reads it with transB=1.
            g.initializer(w, new long[] {layer.outputs(), layer.inputs()}, network.weights(m).copy().data());
            g.initializer(b, new long[] {layer.outputs()}, network.bias(m).copy().data());
            x = g.node("Gemm", "layer" + m + "_gemm", List.of(x, w, b), "z" + m, intAttribute("transB", 1));
            x = activation(g, layer.activation(), m, x);
        }

        // Regression: the network learnt scaled targets; ŷ = out · scale + shift.
        Scaler targets = prep.targetScaler();
        if (prep.task() == Task.REGRESSION && !targets.isIdentity()) {
            g.initializer("target_scale", new long[] {k}, targets.scale());
            g.initializer("target_shift", new long[] {k}, targets.shift());
            x = g.node("Mul", "unscale_targets_multiply", List.of(x, "target_scale"), "outputs_scaled");
            x = g.node("Add", "unscale_targets_shift", List.of(x, "target_shift"), "outputs_shifted");
        }
        String output = outputName(prep.task());
        g.renameLastOutput(x, output);

        GraphProto graph = GraphProto.newBuilder()
                .setName("gradus_mlp")
                .setDocString("Gradus feed-forward network " + network)
                .addAllNode(g.nodes)
                .addAllInitializer(g.initializers)
                .addInput(floatMatrix(INPUT, d, "Encoded inputs (one-hot categories, missing cells filled), "
                        + "before scaling: " + String.join(", ", inputColumns(prep))))
                .addOutput(floatMatrix(output, k, prep.task() == Task.CLASSIFICATION
                        ? "Scores per class: " + String.join(", ", prep.classLabels())
                        : "Predictions in original units: " + String.join(", ", prep.targetNames())))
                .build();
        ModelProto.Builder out = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET_VERSION))
                .setProducerName(PRODUCER)
                .setProducerVersion(ModelFile.gradusVersion())
                .setDomain("dev.gradus")
                .setModelVersion(1)
                .setDocString("A Gradus " + prep.task() + " model. Input '" + INPUT + "' [N, " + d + "]: the "
                        + "encoded feature columns before scaling (categorical columns one-hot, in the order of "
                        + "metadata 'input_columns'); output '" + output + "' [N, " + k + "].")
                .setGraph(graph);
        Map<String, String> metadata = metadata(model);
        // Last, so that a file cut short anywhere lacks it: the checksum of the graph's bytes.
        metadata.put(KEY_GRAPH_SHA256, sha256Hex(graph.toByteArray()));
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            out.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return out.build();
    }

    /** Appends the node for {@code φᵐ} (none for identity) and returns the tensor it writes. */
    private static String activation(Graph g, Activation phi, int m, String z) {
        String a = "a" + m;
        String name = "layer" + m + "_";
        if (phi instanceof Activation.Identity) {
            return z;
        } else if (phi instanceof Activation.Relu) {
            return g.node("Relu", name + "relu", List.of(z), a);
        } else if (phi instanceof Activation.Sigmoid) {
            return g.node("Sigmoid", name + "sigmoid", List.of(z), a);
        } else if (phi instanceof Activation.Tanh) {
            return g.node("Tanh", name + "tanh", List.of(z), a);
        } else if (phi instanceof Activation.LeakyRelu leaky) {
            return g.node("LeakyRelu", name + "leaky_relu", List.of(z), a, floatAttribute("alpha", leaky.slope()));
        } else if (phi instanceof Activation.Elu elu) {
            return g.node("Elu", name + "elu", List.of(z), a, floatAttribute("alpha", elu.alpha()));
        } else if (phi instanceof Activation.Softplus) {
            return g.node("Softplus", name + "softplus", List.of(z), a);
        } else if (phi instanceof Activation.Softmax) {
            // The row-wise output activation softmax(z)ⱼ = e^zⱼ / Σₗ e^zₗ over each sample's
            // outputs: ONNX Softmax over the last axis of [N, k].
            return g.node("Softmax", name + "softmax", List.of(z), a, intAttribute("axis", -1));
        }
        throw new IllegalArgumentException("layer " + m + ": activation " + phi + " has no ONNX operator here; "
                + "supported: identity, relu, sigmoid, tanh, leaky_relu, elu, softplus, softmax");
    }

    /** The human-readable and the Gradus metadata, in a fixed order. */
    private static Map<String, String> metadata(Model model) {
        Preprocessing p = model.preprocessing();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("task", p.task().toString());
        m.put("input", INPUT);
        m.put("output", outputName(p.task()));
        m.put("feature_names", MetadataCodec.strings(p.featureNames()));
        Map<String, List<String>> categories = new LinkedHashMap<>();
        for (Preprocessing.Feature f : p.features()) {
            if (f.isCategorical()) {
                categories.put(f.name(), f.categories());
            }
        }
        m.put("feature_categories", MetadataCodec.stringListMap(categories));
        m.put("input_columns", MetadataCodec.strings(inputColumns(p)));
        m.put("target_names", MetadataCodec.strings(p.targetNames()));
        if (p.task() == Task.CLASSIFICATION) {
            m.put("class_labels", MetadataCodec.strings(p.classLabels()));
        }
        // The model file's own entries, written by the one metadata codec.
        Map<String, String> entries = MetadataCodec.encode(model.metadata());
        m.put(KEY_FORMAT_VERSION, Integer.toString(model.metadata().formatVersion()));
        m.put(KEY_PREPROCESSING, entries.get(MetadataCodec.PREPROCESSING));
        m.put(KEY_LOSS, entries.get(MetadataCodec.LOSS));
        m.put(KEY_TRAINING, entries.get(MetadataCodec.TRAINING));
        if (entries.containsKey(MetadataCodec.DECISION)) {
            m.put(KEY_DECISION, entries.get(MetadataCodec.DECISION));
        }
        m.put(KEY_ACTIVATIONS, MetadataCodec.activations(model.activations()));
        return m;
    }

    /** The meaning of each input column: the feature's name, or {@code name=category} when one-hot. */
    /**
     * The graph's inputs are the encoded columns a client builds from {@code feature_categories}
     * and {@code input_columns}; a column whose encoding those cannot describe is refused.
     */
    private static void checkExportable(Preprocessing p) {
        for (Preprocessing.Feature f : p.features()) {
            if (f.date()) {
                throw new IllegalArgumentException("column '" + f.name() + "' is a date (days, month, day of week): "
                        + "ONNX export does not cover date features yet; drop the column or train it as numbers");
            }
            if (f.other()) {
                throw new IllegalArgumentException("column '" + f.name() + "' shares an '" + Preprocessing.OTHER
                        + "' input among its rarer categories: ONNX export does not cover it yet; train with a larger "
                        + "--max-categories");
            }
        }
        if (p.unknown() != dev.gradus.data.UnknownCategory.ERROR) {
            throw new IllegalArgumentException("the model ignores unseen categories (--unknown " + p.unknown()
                    + "): ONNX export does not cover it yet");
        }
    }

    static List<String> inputColumns(Preprocessing p) {
        return p.features().stream()
                .flatMap(f -> f.isCategorical()
                        ? f.categories().stream().map(c -> f.name() + "=" + c)
                        : java.util.stream.Stream.of(f.name()))
                .toList();
    }

    private static boolean allEqual(float[] values, float v) {
        for (float x : values) {
            if (Float.compare(x, v) != 0) {
                return false;
            }
        }
        return true;
    }

    private static ValueInfoProto floatMatrix(String name, int cols, String doc) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(cols))
                .build();
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setDocString(doc)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto floatAttribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    /** Raw little-endian float32, as ONNX's {@code raw_data} requires. */
    static TensorProto floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long dim : dims) {
            t.addDims(dim);
        }
        return t.build();
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The nodes and initializers of a chain graph, built in order. */
    private static final class Graph {
        final List<NodeProto> nodes = new java.util.ArrayList<>();
        final List<TensorProto> initializers = new java.util.ArrayList<>();

        void initializer(String name, long[] dims, float[] values) {
            initializers.add(floatTensor(name, dims, values));
        }

        /** Appends a node and returns the name of its one output. */
        String node(String op, String name, List<String> inputs, String output, AttributeProto... attributes) {
            nodes.add(NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output)
                    .addAllAttribute(List.of(attributes)).build());
            return output;
        }

        /** Makes the last node write {@code output}, the graph's output name. */
        void renameLastOutput(String current, String output) {
            NodeProto last = nodes.get(nodes.size() - 1);
            if (!last.getOutput(0).equals(current)) {
                throw new IllegalStateException("the chain ends in " + current + ", not in the last node's output");
            }
            nodes.set(nodes.size() - 1, last.toBuilder().setOutput(0, output).build());
        }
    }
}
