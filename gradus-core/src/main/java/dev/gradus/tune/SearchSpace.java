package dev.gradus.tune;

import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Activation;
import dev.gradus.train.TrainingSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The settings a search draws from, one {@link Dimension} per key:
 *
 * <table>
 *   <caption>Keys and the default space</caption>
 *   <tr><th>key</th><th>{@code gradus train} flag</th><th>default</th></tr>
 *   <tr><td>{@code depth}</td><td>{@code --layers} (how many)</td><td>{@code 1..3}</td></tr>
 *   <tr><td>{@code width}</td><td>{@code --layers} (each layer's width)</td><td>{@code 32..512}, log scale</td></tr>
 *   <tr><td>{@code lr}</td><td>{@code --lr}</td><td>{@code 1e-4..1e-2}, log scale</td></tr>
 *   <tr><td>{@code weight_decay}</td><td>{@code --weight-decay}</td><td>{@code 1e-6..1e-2}, log scale</td></tr>
 *   <tr><td>{@code batch_size}</td><td>{@code --batch-size}</td><td>{@code 32,64,128,256}</td></tr>
 *   <tr><td>{@code dropout}</td><td>{@code --dropout}</td><td>{@code 0,0.1,0.2,0.3}</td></tr>
 *   <tr><td>{@code activation}</td><td>{@code --activation}</td><td>{@code relu,tanh}</td></tr>
 * </table>
 *
 * <p>{@link #with(String, String)} narrows or widens one key ({@code "lr", "3e-4..3e-3"}) or
 * fixes it ({@code "activation", "relu"}). The learning rate and weight decay are those of the
 * default optimizer ({@code adam}). A trial's settings are {@link #sample}d from its seed alone.
 *
 * <pre>{@code
 * SearchSpace space = SearchSpace.defaults().with("depth", "1..2").with("activation", "relu");
 * Map<String, String> params = space.sample(1234);   // {depth=2, width=181, lr=0.00113, …}
 * ModelSpec spec = space.apply(ModelSpec.classification("label"), params, 1234);
 * }</pre>
 */
public record SearchSpace(Map<String, Dimension> dimensions) {

    /** The keys, in the order they are drawn and printed. */
    public static final List<String> KEYS = List.of("depth", "width", "lr", "weight_decay", "batch_size", "dropout",
            "activation");

    public SearchSpace {
        Map<String, Dimension> ordered = new LinkedHashMap<>();
        for (String key : KEYS) {
            Dimension d = dimensions.get(key);
            if (d == null) {
                throw new IllegalArgumentException("the search space has no '" + key + "'");
            }
            check(key, d);
            ordered.put(key, d);
        }
        for (String key : dimensions.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(unknown(key));
            }
        }
        dimensions = Collections.unmodifiableMap(ordered);
    }

    /** The default space (see the class comment). */
    public static SearchSpace defaults() {
        Map<String, Dimension> d = new LinkedHashMap<>();
        d.put("depth", new Dimension.IntRange(1, 3, false));
        d.put("width", new Dimension.IntRange(32, 512, true));
        d.put("lr", new Dimension.RealRange(1e-4, 1e-2, true));
        d.put("weight_decay", new Dimension.RealRange(1e-6, 1e-2, true));
        d.put("batch_size", new Dimension.Choice(List.of("32", "64", "128", "256")));
        d.put("dropout", new Dimension.Choice(List.of("0", "0.1", "0.2", "0.3")));
        d.put("activation", new Dimension.Choice(List.of("relu", "tanh")));
        return new SearchSpace(d);
    }

    /** This space with {@code key} replaced by {@code dimension}. */
    public SearchSpace with(String key, Dimension dimension) {
        if (!KEYS.contains(key)) {
            throw new IllegalArgumentException(unknown(key));
        }
        Map<String, Dimension> d = new LinkedHashMap<>(dimensions);
        d.put(key, Objects.requireNonNull(dimension, "dimension"));
        return new SearchSpace(d);
    }

    /**
     * This space with {@code key} read from {@code text} ({@link Dimension#parse}): {@code A..B},
     * {@code a,b,c} or one value.
     *
     * @throws IllegalArgumentException naming the key and what is wrong
     */
    public SearchSpace with(String key, String text) {
        if (!KEYS.contains(key)) {
            throw new IllegalArgumentException(unknown(key));
        }
        boolean real = key.equals("lr") || key.equals("weight_decay") || key.equals("dropout");
        boolean log = !key.equals("depth") && !key.equals("dropout");
        if (key.equals("activation") && text.contains("..")) {
            throw new IllegalArgumentException("activation: give names (relu,tanh), not a range");
        }
        try {
            return with(key, Dimension.parse(text, real, log));
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(key + ":") ? m : key + ": " + m);
        }
    }

    /** The dimension of {@code key}. */
    public Dimension get(String key) {
        Dimension d = dimensions.get(key);
        if (d == null) {
            throw new IllegalArgumentException(unknown(key));
        }
        return d;
    }

    /** The text form, {@code key=spec} joined by spaces, as the study file records it. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        dimensions.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(" ", parts);
    }

    /**
     * A trial's settings, drawn from {@code seed} alone: one draw per key, in {@link #KEYS}
     * order, so the same seed and space give the same settings.
     */
    public Map<String, String> sample(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, String> params = new LinkedHashMap<>();
        for (String key : KEYS) {
            params.put(key, dimensions.get(key).sample(random));
        }
        return Collections.unmodifiableMap(params);
    }

    /**
     * {@code base} with the settings {@code params} and the training seed {@code seed}: hidden
     * layers {@code depth × width}, the hidden activation, the default optimizer's {@code lr}
     * and {@code weight_decay}, the batch size and dropout.
     *
     * @throws IllegalArgumentException when {@code base} chooses its own optimizer (the space
     *     searches the default optimizer's hyperparameters)
     */
    public static ModelSpec apply(ModelSpec base, Map<String, String> params, long seed) {
        TrainingSpec t = base.training();
        if (t.optimizer().isPresent()) {
            throw new IllegalArgumentException("the search tunes the default optimizer's lr and weight_decay; the "
                    + "chosen optimizer " + t.optimizer().get() + " cannot be combined with it");
        }
        Map<String, String> hyper = new LinkedHashMap<>(t.hyperparameters());
        hyper.put("lr", params.get("lr"));
        hyper.put("weight_decay", params.get("weight_decay"));
        t = t.withHyperparameters(hyper)
                .withBatchSize(Integer.parseInt(params.get("batch_size")))
                .withDropout(Double.parseDouble(params.get("dropout")))
                .withSeed(seed);
        int depth = Integer.parseInt(params.get("depth"));
        int width = Integer.parseInt(params.get("width"));
        return base.withHidden(Collections.nCopies(depth, width))
                .withActivation(Activation.parse(params.get("activation")))
                .withTraining(t);
    }

    /**
     * The {@code gradus train} flags that choose {@code params}: {@code --layers},
     * {@code --activation}, {@code --lr}, {@code --weight-decay}, {@code --batch-size},
     * {@code --dropout}, each followed by its value.
     */
    public static List<String> trainFlags(Map<String, String> params) {
        int depth = Integer.parseInt(params.get("depth"));
        List<String> f = new ArrayList<>();
        f.add("--layers");
        f.add(String.join(",", Collections.nCopies(depth, params.get("width"))));
        f.add("--activation");
        f.add(params.get("activation"));
        f.add("--lr");
        f.add(params.get("lr"));
        f.add("--weight-decay");
        f.add(params.get("weight_decay"));
        f.add("--batch-size");
        f.add(params.get("batch_size"));
        f.add("--dropout");
        f.add(params.get("dropout"));
        return f;
    }

    private static String unknown(String key) {
        return "unknown search key '" + key + "'; the keys are " + String.join(", ", KEYS);
    }

    /** Every value the dimension can take is one that training accepts. */
    private static void check(String key, Dimension d) {
        if (d instanceof Dimension.Choice c) {
            for (String v : c.values()) {
                checkValue(key, v);
            }
        } else if (d instanceof Dimension.IntRange r) {
            checkValue(key, Integer.toString(r.lo()));
            checkValue(key, Integer.toString(r.hi()));
        } else if (d instanceof Dimension.RealRange r) {
            checkValue(key, Double.toString(r.lo()));
            checkValue(key, Double.toString(r.hi()));
        }
    }

    private static void checkValue(String key, String v) {
        try {
            switch (key) {
                case "depth" -> atLeast(key, Integer.parseInt(v), 1, 100);
                case "width" -> atLeast(key, Integer.parseInt(v), 1, 1_000_000);
                case "batch_size" -> atLeast(key, Integer.parseInt(v), 0, Integer.MAX_VALUE);
                case "lr" -> {
                    double x = Double.parseDouble(v);
                    if (!(x > 0) || !Double.isFinite(x)) {
                        throw new IllegalArgumentException(key + ": must be positive, got " + v);
                    }
                }
                case "weight_decay" -> {
                    double x = Double.parseDouble(v);
                    if (!(x >= 0) || !Double.isFinite(x)) {
                        throw new IllegalArgumentException(key + ": must be 0 or more, got " + v);
                    }
                }
                case "dropout" -> {
                    double x = Double.parseDouble(v);
                    if (!(x >= 0 && x < 1)) {
                        throw new IllegalArgumentException(key + ": must be in [0, 1), got " + v);
                    }
                }
                case "activation" -> {
                    Activation a = Activation.parse(v);
                    if (a.toString().equals("softmax")) {
                        throw new IllegalArgumentException(key + ": softmax is an output activation");
                    }
                }
                default -> throw new IllegalArgumentException(unknown(key));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not " + (key.equals("lr")
                    || key.equals("weight_decay") || key.equals("dropout") ? "a number" : "an integer"));
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(key + ":") ? m : key + ": " + m);
        }
    }

    private static void atLeast(String key, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(key + ": must be between " + lo + " and " + hi + ", got " + v);
        }
    }
}
