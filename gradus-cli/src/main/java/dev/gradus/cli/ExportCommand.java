package dev.gradus.cli;

import dev.gradus.model.Model;
import dev.gradus.onnx.OnnxExport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gradus export}: writes a model as an ONNX graph. */
@Command(name = "export", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Write a model as an ONNX file (opset 13) that ONNX Runtime and other ONNX tools can run.",
                "Input 'features' [N, d]: the encoded feature columns before scaling (categorical columns one-hot, "
                        + "as listed in the metadata 'input_columns'); output 'scores' (classification) or "
                        + "'predictions' (regression, original units) [N, k]."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A Gradus model file.")
    Path model;

    @Option(names = "--onnx", required = true, paramLabel = "FILE",
            description = "The ONNX file to write (replaced atomically).")
    Path onnx;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Model m = Model.load(model);
        OnnxExport.write(m, onnx);
        String output = OnnxExport.outputName(m.task());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = Json.object();
            o.put("onnx", onnx.toString());
            o.put("opset", OnnxExport.OPSET_VERSION);
            o.put("ir_version", OnnxExport.IR_VERSION);
            o.put("input", OnnxExport.INPUT);
            o.put("inputs", m.network().inputs());
            o.put("output", output);
            o.put("outputs", m.network().outputs());
            out.println(Json.write(o));
        } else {
            out.printf(Locale.ROOT, "ONNX model written to %s (opset %d): input '%s' [N, %d], output '%s' [N, %d]%n",
                    onnx, OnnxExport.OPSET_VERSION, OnnxExport.INPUT, m.network().inputs(), output,
                    m.network().outputs());
        }
        out.flush();
        return Main.OK;
    }
}
