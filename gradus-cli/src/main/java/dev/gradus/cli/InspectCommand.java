package dev.gradus.cli;

import dev.gradus.data.Preprocessing;
import dev.gradus.model.Model;
import dev.gradus.nn.Dense;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gradus inspect}: shows a model's architecture and metadata. */
@Command(name = "inspect", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Show a model file's layers, parameter count, preprocessing and training record.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model file.")
    Path model;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Model m = Model.load(model);
        Preprocessing p = m.preprocessing();
        List<Dense> layers = m.network().layers();
        if (json) {
            Map<String, Object> o = describe(m);
            out.println(Json.write(o));
            out.flush();
            return Main.OK;
        }
        out.println(model);
        out.printf(Locale.ROOT, "task        %s, loss %s%n", m.task(), m.loss().name());
        out.printf(Locale.ROOT, "parameters  %d%n", m.network().parameters().size());
        out.println("layers      m   inputs  outputs  activation");
        for (int i = 0; i < layers.size(); i++) {
            Dense d = layers.get(i);
            out.printf(Locale.ROOT, "            %-3d %7d  %7d  %s%n", i, d.inputs(), d.outputs(), d.activation());
        }
        out.printf(Locale.ROOT, "features    %d column%s: %s%n", p.features().size(), p.features().size() == 1 ? "" : "s",
                abbreviate(p.featureNames()));
        boolean plain = p.leftOut().isEmpty() && p.features().stream().noneMatch(f -> f.date() || f.other()
                || f.fill() != null);
        if (!plain) {
            for (Map.Entry<String, String> e : columns(p).entrySet()) {
                out.printf(Locale.ROOT, "            %-12s %s%n", e.getKey(), e.getValue());
            }
        }
        if (p.unknown() != dev.gradus.data.UnknownCategory.ERROR) {
            out.printf(Locale.ROOT, "unknown     categories unseen in training: %s%n", p.unknown());
        }
        out.printf(Locale.ROOT, "scaling     %s%n", p.featureScaler().isIdentity() ? "none" : "fitted on training rows");
        out.printf(Locale.ROOT, "targets     %s%n", String.join(", ", p.targetNames()));
        if (!p.classLabels().isEmpty()) {
            out.printf(Locale.ROOT, "classes     %s%n", String.join(", ", p.classLabels()));
        }
        m.decision().ifPresent(d -> out.printf(Locale.ROOT, "threshold   %s: predicts %s when p(%s) >= %s, else %s%n",
                d.threshold(), d.positive(), d.positive(), d.threshold(),
                p.classLabels().get(1 - p.classLabels().indexOf(d.positive()))));
        Map<String, String> t = m.training();
        if (t.containsKey(Outcome.EPOCHS_TRAINED)) {
            boolean stopped = Boolean.parseBoolean(t.get(Outcome.STOPPED_EARLY));
            String kept = t.getOrDefault(Outcome.KEPT_EPOCH, "0");
            out.printf(Locale.ROOT, "trained     %s epochs%s%s%s%n", t.get(Outcome.EPOCHS_TRAINED),
                    t.containsKey("epochs") ? " (at most " + t.get("epochs") + ")" : "",
                    stopped ? ", stopped early" : "",
                    kept.equals(t.get(Outcome.EPOCHS_TRAINED)) || kept.equals("0") ? "" : ", keeping epoch " + kept);
        }
        if (t.containsKey(Outcome.FINAL_LOSS)) {
            out.printf(Locale.ROOT, "final loss  %s (%s) on all training rows%s%s%n",
                    Progress.formatLoss(Double.parseDouble(t.get(Outcome.FINAL_LOSS))), m.loss().name(),
                    p.targetScaler().isIdentity() ? "" : ", in the targets' own units",
                    t.containsKey("sample_weight") || t.containsKey("class_weight") ? ", weighted" : "");
        }
        Map<String, String> options = new java.util.LinkedHashMap<>(t);
        options.keySet().removeAll(List.of(Outcome.EPOCHS_TRAINED, Outcome.STOPPED_EARLY, Outcome.KEPT_EPOCH,
                Outcome.FINAL_LOSS));
        out.printf(Locale.ROOT, "training    %s%n", String.join(", ", options.entrySet().stream()
                .map(e -> (e.getKey().equals("epochs") ? "max_epochs" : e.getKey()) + "=" + e.getValue()).toList()));
        out.flush();
        return Main.OK;
    }

    /** What {@code inspect --json} prints (also {@code gradus serve}'s {@code /metadata}). */
    static Map<String, Object> describe(Model m) {
        Preprocessing p = m.preprocessing();
        List<Dense> layers = m.network().layers();
        Map<String, Object> o = Json.object();
        o.put("task", m.task().toString());
        o.put("inputs", m.network().inputs());
        o.put("outputs", m.network().outputs());
        o.put("parameters", m.network().parameters().size());
        o.put("layers", layers.stream().map(d -> {
            Map<String, Object> l = Json.object();
            l.put("inputs", d.inputs());
            l.put("outputs", d.outputs());
            l.put("activation", d.activation().toString());
            return (Object) l;
        }).toList());
        o.put("loss", m.loss().name());
        o.put("features", p.featureNames());
        o.put("columns", columns(p).entrySet().stream().map(e -> {
            Map<String, Object> c = Json.object();
            c.put("name", e.getKey());
            c.put("encoding", e.getValue());
            return (Object) c;
        }).toList());
        o.put("targets", p.targetNames());
        o.put("classes", p.classLabels());
        m.decision().ifPresent(d -> {
            Map<String, Object> decision = Json.object();
            decision.put("positive", d.positive());
            decision.put("threshold", d.threshold());
            o.put("decision", decision);
        });
        o.put("training", m.training());
        return o;
    }

    /** What was done to every input column (left-out ones included), in the model's order. */
    private static Map<String, String> columns(Preprocessing p) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Preprocessing.Feature f : p.features()) {
            out.put(f.name(), f.describe() + (f.fill() == null ? "" : ", missing -> " + f.fill()));
        }
        for (Preprocessing.LeftOut l : p.leftOut()) {
            out.put(l.name(), "left out: " + l.reason());
        }
        return out;
    }

    private static String abbreviate(List<String> names) {
        if (names.size() <= 12) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, 5)) + ", …, " + String.join(", ", names.subList(names.size() - 3,
                names.size()));
    }
}
