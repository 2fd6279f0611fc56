package dev.gradus.cli;

import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.onnx.OnnxImport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gradus import}: reads a plain-MLP ONNX file into a Gradus model file. */
@Command(name = "import", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Read an ONNX file holding a plain MLP (Gemm or MatMul+Add layers, Relu, Sigmoid, Tanh, "
                + "LeakyRelu, Elu, Softplus, Softmax; optional Sub/Div feature scaling and Mul/Add target "
                + "un-scaling) into a Gradus model file, to evaluate, predict or train further (--init).",
                "A file Gradus exported keeps its feature names, classes and scaling; any other file gets features "
                        + "x0, x1, … and needs --task."})
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The ONNX file to read.")
    Path onnx;

    @Option(names = "--out", required = true, paramLabel = "MODEL",
            description = "Where to write the Gradus model file (replaced atomically).")
    Path out;

    @Option(names = "--task", paramLabel = "TASK",
            description = "regression or classification; required when the file has no Gradus metadata, and "
                    + "must agree with it otherwise.")
    String task;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Task chosen = task == null ? null : Task.parse(task);
        Model m;
        try {
            m = OnnxImport.read(onnx, chosen);
        } catch (IllegalArgumentException e) {
            // The task is missing or contradicts the file's metadata: a usage problem.
            throw new IllegalArgumentException(e.getMessage() + " (--task " + (task == null ? "regression or "
                    + "classification)" : task + ")"), e);
        }
        m.save(out);
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = Json.object();
            o.put("model", out.toString());
            o.put("task", m.task().toString());
            o.put("inputs", m.network().inputs());
            o.put("outputs", m.network().outputs());
            o.put("parameters", m.network().parameters().size());
            o.put("layers", m.activations().stream().map(a -> (Object) a.toString()).toList());
            stdout.println(Json.write(o));
        } else {
            stdout.printf(Locale.ROOT, "imported %s: %s, %s%n", onnx, m.task(), m.network());
            stdout.println("model written to " + out);
        }
        stdout.flush();
        return Main.OK;
    }
}
