package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Activation;
import dev.gradus.onnx.OnnxFormatException;
import dev.gradus.onnx.OnnxImport;
import dev.gradus.onnx.proto.Onnx;
import dev.gradus.optim.Sgd;
import dev.gradus.train.TrainingOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gradus export} and {@code gradus import}, run as picocli commands. */
class OnnxCommandsTest {
    @TempDir
    Path dir;

    /** Runs {@code command} with {@code args}; returns stdout, failing on a non-zero exit. */
    private static String run(Object command, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        assertEquals(0, code, out + "\n" + err);
        return out.toString();
    }

    /** Parses {@code args} and calls the command, so that its exception reaches the test. */
    private static Exception failure(Callable<Integer> command, String... args) {
        new CommandLine(command).parseArgs(args);
        return assertThrows(Exception.class, command::call);
    }

    private Path irisModel() throws Exception {
        Table train = Csv.read(Cli.DATA.resolve("iris_train.csv"));
        ModelSpec spec = ModelSpec.classification("label").withHidden(List.of(8)).withActivation(Activation.TANH)
                .withTraining(TrainingOptions.plain().withOptimizer(new Sgd(0.1)).withEpochs(20).withThreads(1));
        Path file = dir.resolve("iris.gradus");
        Model.fit(train, spec).model().save(file);
        return file;
    }

    @Test
    void exportThenImportGivesTheSameModel() throws Exception {
        Path model = irisModel();
        Path onnx = dir.resolve("iris.onnx");
        String exported = run(new ExportCommand(), "--model", model.toString(), "--onnx", onnx.toString());
        assertTrue(exported.contains("input 'features' [N, 4], output 'scores' [N, 3]"), exported);

        Path back = dir.resolve("back.gradus");
        String imported = run(new ImportCommand(), "--onnx", onnx.toString(), "--out", back.toString());
        assertTrue(imported.contains("classification") && imported.contains("model written to " + back), imported);

        Model original = Model.load(model);
        Model reloaded = Model.load(back);
        assertArrayEquals(original.network().parameters().values(), reloaded.network().parameters().values());
        assertEquals(original.preprocessing(), reloaded.preprocessing());
        Table test = Csv.read(Cli.DATA.resolve("iris_test.csv"));
        assertArrayEquals(original.predict(test).labels(), reloaded.predict(test).labels());

        // The imported model works with the other commands.
        Cli evaluate = Cli.run("evaluate", "--model", back.toString(), "--data", Cli.data("iris_test.csv"), "--json");
        assertEquals(0, evaluate.code(), evaluate.toString());

        String json = run(new ExportCommand(), "--model", back.toString(), "--onnx", onnx.toString(), "--json");
        assertTrue(json.contains("\"opset\":13") && json.contains("\"output\":\"scores\""), json);
    }

    @Test
    void aForeignGraphNeedsTheTask() throws Exception {
        Path onnx = dir.resolve("linear.onnx");
        Files.write(onnx, linearGraph().toByteArray());
        Path out = dir.resolve("linear.gradus");

        Exception e = failure(new ImportCommand(), "--onnx", onnx.toString(), "--out", out.toString());
        assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("--task"), e.toString());
        e = failure(new ImportCommand(), "--onnx", onnx.toString(), "--out", out.toString(), "--task", "clustering");
        assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("clustering"), e.toString());

        String imported = run(new ImportCommand(), "--onnx", onnx.toString(), "--out", out.toString(), "--task",
                "regression", "--json");
        assertTrue(imported.contains("\"task\":\"regression\"") && imported.contains("\"parameters\":3"), imported);
        assertEquals(List.of("x0", "x1"), Model.load(out).preprocessing().featureNames());
        assertEquals(OnnxImport.read(onnx, dev.gradus.data.Task.REGRESSION).network().parameters().size(), 3);
    }

    @Test
    void fileProblemsAreIoExceptions() throws Exception {
        Path missing = dir.resolve("missing.gradus");
        Exception e = failure(new ExportCommand(), "--model", missing.toString(), "--onnx", dir.resolve("m.onnx")
                .toString());
        assertTrue(e instanceof NoSuchFileException, e.toString());

        Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "sepal_length,label\n5.1,setosa\n");
        e = failure(new ImportCommand(), "--onnx", garbage.toString(), "--out", dir.resolve("m.gradus").toString(),
                "--task", "regression");
        assertTrue(e instanceof OnnxFormatException && e.getMessage().startsWith(garbage + ": "), e.toString());
        assertTrue(!Files.exists(dir.resolve("m.gradus")));
    }

    /** {@code y = x W + b}: one Gemm (transB=0), two inputs, one output, no Gradus metadata. */
    private static Onnx.ModelProto linearGraph() {
        ByteBuffer w = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-2f);
        Onnx.TensorShapeProto shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("d")).build();
        Onnx.TypeProto type = Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(1).setShape(shape)).build();
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder()
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(type))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y").setType(type))
                .addInitializer(Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addDims(2).addDims(1)
                        .setRawData(ByteString.copyFrom(w.array())))
                .addInitializer(Onnx.TensorProto.newBuilder().setName("b").setDataType(1).addDims(1).addFloatData(3f))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Gemm").setName("linear").addInput("x").addInput("w")
                        .addInput("b").addOutput("y"))
                .build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("hand")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(graph).build();
    }
}
