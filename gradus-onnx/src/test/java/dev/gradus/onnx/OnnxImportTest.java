package dev.gradus.onnx;

import static dev.gradus.onnx.Graphs.floatAttr;
import static dev.gradus.onnx.Graphs.floatData;
import static dev.gradus.onnx.Graphs.intAttr;
import static dev.gradus.onnx.Graphs.matrix;
import static dev.gradus.onnx.Graphs.node;
import static dev.gradus.onnx.Graphs.tensor;
import static dev.gradus.onnx.Graphs.tensorAttr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Scaler;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.onnx.proto.Onnx.GraphProto;
import dev.gradus.onnx.proto.Onnx.NodeProto;
import dev.gradus.onnx.proto.Onnx.TensorProto;
import dev.gradus.tensor.Matrix;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Import of graphs Gradus did not write: PyTorch's shapes, and everything outside the supported set. */
class OnnxImportTest {
    @TempDir
    Path dir;

    static final int IN = 4;
    static final int HIDDEN = 5;
    static final int OUT = 3;

    /** Seeded values in [-1, 1). */
    static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    static final float[] W1T = values(IN * HIDDEN, 1);    // [in, hidden], as MatMul reads it
    static final float[] B1 = values(HIDDEN, 2);
    static final float[] W2T = values(HIDDEN * OUT, 3);   // [hidden, out]
    static final float[] B2 = values(OUT, 4);

    /**
     * {@code MatMul → Add(bias, ·) → Relu → MatMul → Add(·, bias)}: nn.Linear as PyTorch exports
     * it when it does not fuse into Gemm, with weights stored transposed ({@code [in, out]}),
     * the bias first in one Add, and the last bias a Constant node.
     */
    static GraphProto pytorchStyle() {
        return GraphProto.newBuilder().setName("main_graph")
                .addInput(matrix("input", IN))
                .addInitializer(tensor("onnx::MatMul_10", new long[] {IN, HIDDEN}, W1T))
                .addInitializer(tensor("fc1.bias", new long[] {HIDDEN}, B1))
                .addInitializer(tensor("onnx::MatMul_11", new long[] {HIDDEN, OUT}, W2T))
                .addNode(node("Constant", "/fc2/Constant", List.of(), "fc2.bias",
                        tensorAttr("value", floatData("", new long[] {OUT}, B2))))
                .addNode(node("MatMul", "/fc1/MatMul", List.of("input", "onnx::MatMul_10"), "/fc1/MatMul_output_0"))
                .addNode(node("Add", "/fc1/Add", List.of("fc1.bias", "/fc1/MatMul_output_0"), "/fc1/Add_output_0"))
                .addNode(node("Relu", "/act/Relu", List.of("/fc1/Add_output_0"), "/act/Relu_output_0"))
                .addNode(node("MatMul", "/fc2/MatMul", List.of("/act/Relu_output_0", "onnx::MatMul_11"),
                        "/fc2/MatMul_output_0"))
                .addNode(node("Add", "/fc2/Add", List.of("/fc2/MatMul_output_0", "fc2.bias"), "output"))
                .addOutput(matrix("output", OUT))
                .build();
    }

    /** Rows of seeded inputs, {@code N × IN}. */
    static Matrix inputs(int rows) {
        return Matrix.wrap(rows, IN, values(rows * IN, 9));
    }

    static Table table(Matrix x) {
        float[][] columns = new float[x.cols()][x.rows()];
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.cols(); j++) {
                columns[j][i] = x.get(i, j);
            }
        }
        return Table.ofNumbers("inputs", List.of("x0", "x1", "x2", "x3"), columns);
    }

    @Test
    void pytorchMatMulAddGraphImports() throws Exception {
        Path file = Graphs.write(dir.resolve("torch.onnx"), Graphs.model(pytorchStyle(), 17));
        Model model = OnnxImport.read(file, Task.REGRESSION);

        // Wᵐ = Bᵀ bit for bit: Gradus's [out, in] from MatMul's [in, out].
        Matrix w1 = model.network().weights(0);
        for (int i = 0; i < IN; i++) {
            for (int j = 0; j < HIDDEN; j++) {
                assertEquals(Float.floatToRawIntBits(W1T[i * HIDDEN + j]), Float.floatToRawIntBits(w1.get(j, i)));
            }
        }
        assertArrayEquals(B1, model.network().bias(0).copy().data());
        assertArrayEquals(B2, model.network().bias(1).copy().data());
        assertEquals(List.of(Activation.RELU, Activation.IDENTITY), model.activations());
        assertEquals(List.of("x0", "x1", "x2", "x3"), model.preprocessing().featureNames());
        assertEquals(List.of("y0", "y1", "y2"), model.preprocessing().targetNames());
        assertTrue(model.preprocessing().featureScaler().isIdentity());
        assertEquals(Loss.MSE, model.loss());
        assertEquals("pytorch 2.3.0", model.training().get("producer"));

        // The oracle: ONNX Runtime evaluating the very file that was imported.
        Matrix x = inputs(25);
        Matrix expected = OrtRunner.run(file, "input", x);
        double difference = Models.maxDifference(model.predict(table(x)).outputs(), expected);
        assertTrue(difference <= OnnxRuntimeParityTest.TOLERANCE, "difference " + difference);
    }

    @Test
    void withoutMetadataTheTaskMustBeGiven() throws Exception {
        Path file = Graphs.write(dir.resolve("torch.onnx"), Graphs.model(pytorchStyle(), 17));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImport.read(file));
        assertTrue(e.getMessage().contains("task") && e.getMessage().contains(file.toString()), e.getMessage());

        Model classifier = OnnxImport.read(file, Task.CLASSIFICATION);
        assertEquals(List.of("0", "1", "2"), classifier.preprocessing().classLabels());
        assertEquals(List.of("label"), classifier.preprocessing().targetNames());
    }

    /**
     * Gemm with transB=0 (weights {@code [in, out]}), without a bias input, then an Add that
     * brings it; scaling Sub/Div in front, Mul/Add behind; LeakyRelu and Elu keep their alpha.
     */
    @Test
    void gemmWithScalingsAndAttributesImports() throws Exception {
        float[] shift = {0.5f, -1f, 2f, 0f};
        float[] scale = {2f, 0.5f, 4f, 1f};
        GraphProto graph = GraphProto.newBuilder()
                .addInput(matrix("x", 0))
                .addInitializer(tensor("shift", new long[] {1, IN}, shift))
                .addInitializer(tensor("scale", new long[] {IN}, scale))
                .addInitializer(tensor("w1", new long[] {IN, HIDDEN}, W1T))
                .addInitializer(tensor("b1", new long[] {1, HIDDEN}, B1))
                .addInitializer(tensor("w2", new long[] {HIDDEN, OUT}, W2T))
                .addInitializer(tensor("b2", new long[] {OUT}, B2))
                .addInitializer(tensor("ys", new long[] {OUT}, 3f, 0.25f, 10f))
                .addInitializer(tensor("yc", new long[] {1}, 7f))
                .addNode(node("Sub", "sub", List.of("x", "shift"), "t0"))
                .addNode(node("Div", "div", List.of("t0", "scale"), "t1"))
                .addNode(node("Gemm", "gemm1", List.of("t1", "w1"), "t2", intAttr("transB", 0)))
                .addNode(node("Add", "bias1", List.of("t2", "b1"), "t3"))
                .addNode(node("LeakyRelu", "leaky", List.of("t3"), "t4", floatAttr("alpha", 0.2f)))
                .addNode(node("Gemm", "gemm2", List.of("t4", "w2", "b2"), "t5", floatAttr("alpha", 1f),
                        floatAttr("beta", 1f), intAttr("transA", 0)))
                .addNode(node("Elu", "elu", List.of("t5"), "t6", floatAttr("alpha", 0.7f)))
                .addNode(node("Mul", "mul", List.of("ys", "t6"), "t7"))
                .addNode(node("Add", "add", List.of("t7", "yc"), "y"))
                .addOutput(matrix("y", OUT))
                .build();
        Path file = Graphs.write(dir.resolve("gemm.onnx"), Graphs.model(graph, 13));
        Model model = OnnxImport.read(file, Task.REGRESSION);

        assertEquals(List.of(new Activation.LeakyRelu(0.2f), new Activation.Elu(0.7f)), model.activations());
        assertEquals(new Scaler(shift, scale), model.preprocessing().featureScaler());
        assertEquals(new Scaler(new float[] {7f, 7f, 7f}, new float[] {3f, 0.25f, 10f}),
                model.preprocessing().targetScaler());
        Matrix x = inputs(20);
        double difference = Models.maxDifference(model.predict(table(x)).outputs(), OrtRunner.run(file, "x", x));
        assertTrue(difference <= OnnxRuntimeParityTest.TOLERANCE, "difference " + difference);

        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxImport.read(file, Task.CLASSIFICATION));
        assertTrue(e.getMessage().contains("regression"), e.getMessage());
    }

    /**
     * Softmax over the last axis is the softmax output activation; without metadata the
     * classifier gets the cross-entropy loss fused with it, and predicts probabilities.
     */
    @Test
    void softmaxOutput() throws Exception {
        GraphProto graph = pytorchStyle().toBuilder()
                .setNode(5, node("Add", "/fc2/Add", List.of("/fc2/MatMul_output_0", "fc2.bias"), "logits"))
                .addNode(node("Softmax", "/softmax", List.of("logits"), "output", intAttr("axis", -1)))
                .build();
        Path file = Graphs.write(dir.resolve("softmax.onnx"), Graphs.model(graph, 13));
        Model model = OnnxImport.read(file, Task.CLASSIFICATION);
        assertEquals(List.of(Activation.RELU, Activation.SOFTMAX), model.activations());
        assertEquals(Loss.CROSS_ENTROPY, model.loss());
        assertTrue(model.outputsProbabilities());
        Matrix x = inputs(20);
        double difference = Models.maxDifference(model.predict(table(x)).outputs(), OrtRunner.run(file, "input", x));
        assertTrue(difference <= OnnxRuntimeParityTest.TOLERANCE, "difference " + difference);

        // Softmax across the batch (axis 0) is no MLP output.
        GraphProto columns = graph.toBuilder().setNode(6, graph.getNode(6).toBuilder().setAttribute(0,
                intAttr("axis", 0))).build();
        assertRefused(columns, "'/softmax' (Softmax)", "axis 0");
    }

    /** One sigmoid output read as a classifier is a two-class bce model. */
    @Test
    void oneSigmoidOutputIsABinaryClassifier() throws Exception {
        GraphProto graph = GraphProto.newBuilder()
                .addInput(matrix("x", IN))
                .addInitializer(tensor("w", new long[] {1, IN}, 0.5f, -1f, 2f, 0.25f))
                .addInitializer(tensor("b", new long[] {1}, 0.1f))
                .addNode(node("Gemm", "g", List.of("x", "w", "b"), "z", intAttr("transB", 1)))
                .addNode(node("Sigmoid", "s", List.of("z"), "p"))
                .addOutput(matrix("p", 1))
                .build();
        Path file = Graphs.write(dir.resolve("binary.onnx"), Graphs.model(graph, 13));
        Model model = OnnxImport.read(file, Task.CLASSIFICATION);
        assertEquals(List.of("0", "1"), model.preprocessing().classLabels());
        assertEquals(Loss.BCE, model.loss());
        Matrix x = inputs(10);
        double difference = Models.maxDifference(model.outputs(table(x)), OrtRunner.run(file, "x", x));
        assertTrue(difference <= OnnxRuntimeParityTest.TOLERANCE, "difference " + difference);
    }

    // ---- refusals: each names the file, the node and the operator ---------------------------

    @Test
    void unsupportedOperatorIsRefusedByName() throws Exception {
        GraphProto graph = pytorchStyle().toBuilder()
                .setNode(3, node("Conv", "conv1", List.of("/fc1/Add_output_0", "onnx::MatMul_10"),
                        "/act/Relu_output_0"))
                .build();
        assertRefused(graph, "conv1", "unsupported operator Conv");
    }

    @Test
    void gemmWithAlphaIsRefused() throws Exception {
        assertRefused(gemmGraph(floatAttr("alpha", 0.5f)), "'g' (Gemm)", "alpha=0.5");
        assertRefused(gemmGraph(floatAttr("beta", 2f)), "'g' (Gemm)", "beta=2.0");
        assertRefused(gemmGraph(intAttr("transA", 1)), "'g' (Gemm)", "transA=1");
        assertRefused(gemmGraph(intAttr("broadcast", 1)), "'g' (Gemm)", "attribute 'broadcast'");
        assertRefused(gemmGraph(intAttr("alpha", 1)), "'g' (Gemm)", "not FLOAT");
    }

    @Test
    void graphsThatAreNotAChainAreRefused() throws Exception {
        // A residual connection: Add of two computed values.
        GraphProto residual = pytorchStyle().toBuilder()
                .setNode(5, node("Add", "skip", List.of("/fc2/MatMul_output_0", "/act/Relu_output_0"), "output"))
                .build();
        assertRefused(residual, "'skip' (Add)", "reads '/act/Relu_output_0'", "neither the output of");
        // Two graph inputs.
        assertRefused(pytorchStyle().toBuilder().addInput(matrix("mask", IN)).build(), "2 inputs", "input");
        // A dangling tail: the output is not the chain's end.
        GraphProto dangling = pytorchStyle().toBuilder().setOutput(0, matrix("/act/Relu_output_0", HIDDEN)).build();
        assertRefused(dangling, "'/fc2/Add' (Add)", "ends in 'output'");
        // Two activations in a row.
        GraphProto twice = pytorchStyle().toBuilder()
                .setNode(4, node("Tanh", "tanh", List.of("/act/Relu_output_0"), "t"))
                .addNode(5, node("MatMul", "/fc2/MatMul", List.of("t", "onnx::MatMul_11"), "/fc2/MatMul_output_0"))
                .build();
        assertRefused(twice, "'tanh' (Tanh)", "second activation");
        // Softmax on a hidden layer.
        GraphProto hidden = pytorchStyle().toBuilder()
                .setNode(3, node("Softmax", "sm", List.of("/fc1/Add_output_0"), "/act/Relu_output_0",
                        intAttr("axis", -1)))
                .build();
        assertRefused(hidden, "Softmax", "sm");
        // Scaling after a layer.
        GraphProto late = pytorchStyle().toBuilder()
                .setNode(3, node("Div", "late", List.of("/fc1/Add_output_0", "fc1.bias"), "/act/Relu_output_0"))
                .build();
        assertRefused(late, "'late' (Div)", "before the first");
    }

    @Test
    void unsupportedTensorsAndVersionsAreRefused() throws Exception {
        TensorProto doubles = TensorProto.newBuilder().setName("onnx::MatMul_10")
                .setDataType(TensorProto.DataType.DOUBLE_VALUE).addDims(IN).addDims(HIDDEN)
                .addAllDoubleData(java.util.Collections.nCopies(IN * HIDDEN, 0.5)).build();
        assertRefused(pytorchStyle().toBuilder().setInitializer(0, doubles).build(), "'onnx::MatMul_10'",
                "DOUBLE (11)");
        TensorProto external = tensor("onnx::MatMul_10", new long[] {IN, HIDDEN}).toBuilder().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL).build();
        assertRefused(pytorchStyle().toBuilder().setInitializer(0, external).build(), "'onnx::MatMul_10'",
                "external file");
        TensorProto shortData = tensor("onnx::MatMul_10", new long[] {IN, HIDDEN}, values(IN * HIDDEN - 1, 1));
        assertRefused(pytorchStyle().toBuilder().setInitializer(0, shortData).build(), "'onnx::MatMul_10'",
                "needs 80 bytes");
        TensorProto wrongShape = tensor("onnx::MatMul_11", new long[] {HIDDEN + 1, OUT}, values((HIDDEN + 1) * OUT,
                3));
        assertRefused(pytorchStyle().toBuilder().setInitializer(2, wrongShape).build(), "'/fc2/MatMul' (MatMul)",
                "reads 6 values per row");
        NodeProto custom = node("Relu", "/act/Relu", List.of("/fc1/Add_output_0"), "/act/Relu_output_0").toBuilder()
                .setDomain("com.microsoft").build();
        assertRefused(pytorchStyle().toBuilder().setNode(3, custom).build(), "com.microsoft", "Relu");

        Path old = Graphs.write(dir.resolve("old.onnx"), Graphs.model(pytorchStyle(), 6));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(old, Task.REGRESSION));
        assertTrue(e.getMessage().contains("operator set 6"), e.getMessage());
    }

    private GraphProto gemmGraph(dev.gradus.onnx.proto.Onnx.AttributeProto attribute) {
        return GraphProto.newBuilder()
                .addInput(matrix("x", IN))
                .addInitializer(tensor("w", new long[] {HIDDEN, IN}, W1T))
                .addInitializer(tensor("b", new long[] {HIDDEN}, B1))
                .addNode(node("Gemm", "g", List.of("x", "w", "b"), "y", intAttr("transB", 1), attribute))
                .addOutput(matrix("y", HIDDEN))
                .build();
    }

    private void assertRefused(GraphProto graph, String... fragments) throws Exception {
        Path file = Graphs.write(dir.resolve("refused.onnx"), Graphs.model(graph, 17));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(file, Task.REGRESSION));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        }
    }
}
