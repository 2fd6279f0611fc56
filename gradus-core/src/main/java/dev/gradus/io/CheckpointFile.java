package dev.gradus.io;

import dev.gradus.internal.AtomicFiles;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.tensor.Parameters;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.EpochStats;
import dev.gradus.train.History;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoint file: one {@link Checkpoint} in the safetensors layout of the
 * {@linkplain ModelFile model file}, written atomically and durably, and validated on reading
 * as strictly as a model file (sizes and offsets against the file's size before allocating,
 * the SHA-256 of the data section, every field), so a resumed run never starts from a damaged
 * or foreign state.
 *
 * <p>Tensors (all rank 1 but the weights):
 * <pre>
 * layers.{m}.weight, layers.{m}.bias   F32   the network after the epoch, as in a model file
 * last_good                            F32   [P]  θ before the last step
 * best                                 F32   [P]  the best epoch's θ, where the run keeps it
 * optimizer.{name}                     F32 / F64 / I64   the optimizer's {@link Optimizer.Snapshot}
 * </pre>
 * Metadata ({@link #RESERVED_KEYS}): {@code format} ({@code "gradus-checkpoint"}),
 * {@code format_version} ({@code "1"}), {@code gradus_version}, {@code activations} (as in a
 * model file), {@code data_sha256} and {@code checkpoint}: JSON text with the {@code settings}
 * object, {@code best_epoch}, {@code best_value}, {@code since_best}, {@code stopped_early} and
 * the {@code history} array of epochs ({@code epoch}, {@code loss}, {@code steps},
 * {@code seconds}, {@code learning_rate}, {@code validation_loss}, {@code metrics}), every
 * floating-point number written as a string by {@link Double#toString(double)} so that it
 * reads back exactly (NaN included). Other keys are the caller's, stored as given (the command
 * line records its command there). A checkpoint may carry the {@linkplain ModelMetadata model's
 * metadata} too, as a model file's {@code loss}, {@code preprocessing} and {@code training}
 * entries ({@link #write(Path, Checkpoint, ModelMetadata, Map)}).
 *
 * <pre>{@code
 * CheckpointFile.write(Path.of("run/latest.gradus-ckpt"), checkpoint, Map.of());
 * Checkpoint back = CheckpointFile.read(Path.of("run/latest.gradus-ckpt")).checkpoint();
 * }</pre>
 */
public final class CheckpointFile {

    /** The value of the {@code format} metadata key. */
    public static final String FORMAT = "gradus-checkpoint";

    /**
     * The format version this library writes, and the newest it reads: the model file's, one
     * number for both, since a checkpoint holds a model's metadata too.
     */
    public static final int FORMAT_VERSION = ModelFile.FORMAT_VERSION;

    /** The metadata keys of the file itself; callers may not use them. */
    public static final Set<String> RESERVED_KEYS = Set.of("format", "format_version", "gradus_version", "activations",
            Safetensors.KEY_DATA_SHA256, "checkpoint");

    private static final String OPTIMIZER_PREFIX = "optimizer.";
    private static final Pattern LAYER_TENSOR = Pattern.compile("layers\\.(0|[1-9][0-9]{0,8})\\.(weight|bias)");
    private static final Safetensors.Kind KIND = new Safetensors.Kind(FORMAT, "checkpoint",
            List.of(Safetensors.DType.F32, Safetensors.DType.F64, Safetensors.DType.I64));

    private CheckpointFile() {
    }

    /**
     * A loaded checkpoint, the model metadata written with it and the caller's metadata.
     *
     * @param checkpoint the checkpoint, bit-identical to the one written
     * @param model the model's metadata, if it was written with the checkpoint
     * @param metadata the caller's metadata, without {@link #RESERVED_KEYS} and the model's entries
     */
    public record Stored(Checkpoint checkpoint, Optional<ModelMetadata> model, Map<String, String> metadata) {
        public Stored {
            Objects.requireNonNull(checkpoint, "checkpoint");
            Objects.requireNonNull(model, "model");
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    private static final Set<String> MODEL_KEYS =
            Set.of(MetadataCodec.LOSS, MetadataCodec.PREPROCESSING, MetadataCodec.TRAINING);

    /**
     * Writes {@code checkpoint} and the caller's {@code metadata} to {@code path} atomically: a
     * temporary file in the same folder, synced, renamed over {@code path}, the folder synced.
     * A crash at any moment leaves the previous file whole.
     *
     * @throws IllegalArgumentException for a reserved metadata key, or a header over
     *     {@link ModelFile#MAX_HEADER_BYTES} (a history of about 100,000 epochs)
     * @throws IOException if the file cannot be written; {@code path} is then unchanged
     */
    public static void write(Path path, Checkpoint checkpoint, Map<String, String> metadata) throws IOException {
        write(path, checkpoint, null, metadata);
    }

    /**
     * Writes {@code checkpoint} with the metadata of the model it trains ({@link MetadataCodec#encode},
     * read back as {@link Stored#model()}) and the caller's {@code metadata}, atomically.
     *
     * @param model the model's metadata, or {@code null} for none
     * @throws IllegalArgumentException for a reserved metadata key, or one of the model's
     *     entries in {@code metadata} when {@code model} is given
     */
    public static void write(Path path, Checkpoint checkpoint, ModelMetadata model, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("format", FORMAT);
        all.put("format_version", Integer.toString(FORMAT_VERSION));
        all.put("gradus_version", ModelFile.gradusVersion());
        Network network = checkpoint.network();
        all.put("activations", MetadataCodec.activations(ModelFile.activations(network)));
        all.put("checkpoint", checkpointJson(checkpoint));
        Map<String, String> caller = new TreeMap<>(metadata);
        if (model != null) {
            for (String key : MODEL_KEYS) {
                if (caller.containsKey(key)) {
                    throw new IllegalArgumentException("metadata key '" + key + "' is the model's; it is written "
                            + "from the model metadata given");
                }
            }
            caller.putAll(MetadataCodec.encode(model));
        }
        for (Map.Entry<String, String> e : caller.entrySet()) {
            if (RESERVED_KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is reserved by the checkpoint "
                        + "file; reserved keys are " + new TreeSet<>(RESERVED_KEYS));
            }
            all.put(e.getKey(), Objects.requireNonNull(e.getValue(), "metadata value"));
        }
        List<Safetensors.Tensor> tensors = new ArrayList<>(ModelFile.layerTensors(network));
        tensors.add(Safetensors.Tensor.of("last_good", checkpoint.lastGood()));
        checkpoint.best().ifPresent(b -> tensors.add(Safetensors.Tensor.of("best", b.parameters().values())));
        Optimizer.Snapshot s = checkpoint.optimizer();
        s.floats().forEach((k, v) -> tensors.add(Safetensors.Tensor.of(OPTIMIZER_PREFIX + k, v)));
        s.doubles().forEach((k, v) -> tensors.add(Safetensors.Tensor.of(OPTIMIZER_PREFIX + k, v)));
        s.longs().forEach((k, v) -> tensors.add(Safetensors.Tensor.of(OPTIMIZER_PREFIX + k, v)));
        Safetensors.write(path, KIND, all, tensors, AtomicFiles.BeforeRename.NONE);
    }

    private static String checkpointJson(Checkpoint c) {
        return JsonCursor.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("settings");
            for (Map.Entry<String, String> e : c.settings().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("best_epoch", c.history().bestEpoch());
            g.writeStringField("best_value", Double.toString(c.bestValue()));
            g.writeNumberField("since_best", c.sinceBest());
            g.writeBooleanField("stopped_early", c.history().stoppedEarly());
            g.writeArrayFieldStart("history");
            for (EpochStats e : c.history().epochs()) {
                g.writeStartObject();
                g.writeNumberField("epoch", e.epoch());
                g.writeStringField("loss", Double.toString(e.loss()));
                g.writeNumberField("steps", e.steps());
                g.writeStringField("seconds", Double.toString(e.seconds()));
                g.writeStringField("learning_rate", Double.toString(e.learningRate()));
                g.writeStringField("validation_loss", Double.toString(e.validationLoss()));
                g.writeObjectFieldStart("metrics");
                for (Map.Entry<String, Double> m : new TreeMap<>(e.validationMetrics()).entrySet()) {
                    g.writeStringField(m.getKey(), Double.toString(m.getValue()));
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    // ------------------------------------------------------------------------------------------
    // Reading

    /**
     * Reads a checkpoint written by {@link #write} (format version {@value #FORMAT_VERSION} or
     * older), checking the layout, the checksum, the network's layer chain, the history and that
     * the optimizer state fits the optimizer named in the settings.
     *
     * @throws ModelFileException naming the file, byte offset and field when the file is not a
     *     valid checkpoint: truncated, corrupted, inconsistent, foreign or of a newer version
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException if the file cannot be read
     */
    public static Stored read(Path path) throws IOException {
        return new Decoder(path, Safetensors.read(path, KIND)).decode();
    }

    /** Turns the checked tensors and metadata into a {@link Checkpoint}. */
    private static final class Decoder {
        private final Path path;
        private final Safetensors.Contents contents;

        Decoder(Path path, Safetensors.Contents contents) {
            this.path = path;
            this.contents = contents;
        }

        private ModelFileException problem(String problem, String field) {
            return new ModelFileException(path, problem, -1, field);
        }

        private ModelFileException problem(String problem, Safetensors.Entry at, String field) {
            return new ModelFileException(path, problem, at.at(), field);
        }

        Stored decode() throws IOException {
            Map<String, Safetensors.Entry> entries = contents.entries();
            int layers = 0;
            for (Safetensors.Entry e : entries.values()) {
                String name = e.name();
                Matcher m = LAYER_TENSOR.matcher(name);
                if (m.matches()) {
                    if (m.group(2).equals("weight")) {
                        layers++;
                    }
                } else if (!name.equals("last_good") && !name.equals("best") && !name.startsWith(OPTIMIZER_PREFIX)) {
                    throw problem("unexpected tensor '" + name + "'; a checkpoint holds layers.{m}.weight, "
                            + "layers.{m}.bias, last_good, best and optimizer.{name}", e, name);
                }
                if (!name.startsWith(OPTIMIZER_PREFIX) && e.dtype() != Safetensors.DType.F32) {
                    throw problem("dtype is " + e.dtype() + ", expected F32", e, name + ".dtype");
                }
                if (!m.matches() && e.shape().length != 1) {
                    throw problem("shape " + Arrays.toString(e.shape()) + " must have one dimension", e, name + ".shape");
                }
            }
            Network network = network(entries, layers);
            int size = network.parameters().size();
            float[] lastGood = vector("last_good", size, true);
            float[] best = vector("best", size, false);

            Map<String, float[]> floats = new TreeMap<>();
            Map<String, double[]> doubles = new TreeMap<>();
            Map<String, long[]> longs = new TreeMap<>();
            for (Map.Entry<String, Safetensors.Values> e : contents.values().entrySet()) {
                if (e.getKey().startsWith(OPTIMIZER_PREFIX)) {
                    String name = e.getKey().substring(OPTIMIZER_PREFIX.length());
                    if (e.getValue() instanceof Safetensors.Values.F32 f) {
                        floats.put(name, f.array());
                    } else if (e.getValue() instanceof Safetensors.Values.F64 d) {
                        doubles.put(name, d.array());
                    } else {
                        longs.put(name, ((Safetensors.Values.I64) e.getValue()).array());
                    }
                }
            }
            Optimizer.Snapshot snapshot;
            try {
                snapshot = new Optimizer.Snapshot(floats, doubles, longs);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, e.getMessage(), -1, OPTIMIZER_PREFIX + "*", e);
            }

            State state;
            try {
                state = JsonCursor.read(contents.metadata().get("checkpoint"), "checkpoint",
                        in -> readState(in, "checkpoint"));
            } catch (MetadataException e) {
                throw new ModelFileException(path, e.problem(), -1, "__metadata__." + e.field(), e);
            }
            String optimizerText = state.settings.get("optimizer");
            if (optimizerText == null) {
                throw problem("has no optimizer", "__metadata__.checkpoint.settings");
            }
            try {
                Optimizer.parse(optimizerText).restore(size, snapshot);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, "the optimizer state does not fit " + optimizerText + ": "
                        + e.getMessage(), -1, OPTIMIZER_PREFIX + "*", e);
            }
            Checkpoint checkpoint;
            try {
                History h = new History(state.epochs, state.bestEpoch, state.stoppedEarly);
                checkpoint = new Checkpoint(state.settings, network, lastGood, snapshot, h, state.bestValue,
                        state.sinceBest, best == null ? Optional.empty()
                                : Optional.of(network.withParameters(network.parameters().withValues(best))));
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, e.getMessage(), -1, "__metadata__.checkpoint", e);
            }
            Map<String, String> caller = new LinkedHashMap<>(contents.metadata());
            caller.keySet().removeAll(RESERVED_KEYS);
            Optional<ModelMetadata> model = Optional.empty();
            if (caller.containsKey(MetadataCodec.PREPROCESSING)) {
                try {
                    model = Optional.of(MetadataCodec.decode(caller, contents.version()));
                } catch (MetadataException e) {
                    throw new ModelFileException(path, e.problem(), -1, "__metadata__." + e.field(), e);
                }
                caller.keySet().removeAll(MODEL_KEYS);
            }
            return new Stored(checkpoint, model, caller);
        }

        /** The {@code checkpoint} entry: where training stands. */
        private static final class State {
            Map<String, String> settings;
            Integer bestEpoch;
            Double bestValue;
            Integer sinceBest;
            Boolean stoppedEarly;
            List<EpochStats> epochs;
        }

        private static State readState(JsonCursor in, String path) throws IOException, MetadataException {
            State s = new State();
            in.object(path, (name, at) -> {
                switch (name) {
                    case "settings" -> s.settings = new TreeMap<>(in.stringMap(at));
                    case "best_epoch" -> s.bestEpoch = in.count(at);
                    case "best_value" -> s.bestValue = in.doubleText(at);
                    case "since_best" -> s.sinceBest = in.count(at);
                    case "stopped_early" -> s.stoppedEarly = in.bool(at);
                    case "history" -> {
                        s.epochs = new ArrayList<>();
                        in.array(at, (i, element) -> s.epochs.add(readEpoch(in, element)));
                    }
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            JsonCursor.require(s.settings, path + ".settings");
            JsonCursor.require(s.bestEpoch, path + ".best_epoch");
            JsonCursor.require(s.bestValue, path + ".best_value");
            JsonCursor.require(s.sinceBest, path + ".since_best");
            JsonCursor.require(s.stoppedEarly, path + ".stopped_early");
            JsonCursor.require(s.epochs, path + ".history");
            return s;
        }

        private static EpochStats readEpoch(JsonCursor in, String path) throws IOException, MetadataException {
            var e = new Object() {
                Integer epoch;
                Double loss;
                Integer steps;
                Double seconds;
                Double learningRate;
                Double validationLoss;
                Map<String, Double> metrics;
            };
            in.object(path, (name, at) -> {
                switch (name) {
                    case "epoch" -> e.epoch = in.count(at);
                    case "loss" -> e.loss = in.doubleText(at);
                    case "steps" -> e.steps = in.count(at);
                    case "seconds" -> e.seconds = in.doubleText(at);
                    case "learning_rate" -> e.learningRate = in.doubleText(at);
                    case "validation_loss" -> e.validationLoss = in.doubleText(at);
                    case "metrics" -> {
                        e.metrics = new TreeMap<>();
                        in.object(at, (metric, where) -> {
                            e.metrics.put(metric, in.doubleText(where));
                            return true;
                        });
                    }
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            JsonCursor.require(e.epoch, path + ".epoch");
            JsonCursor.require(e.loss, path + ".loss");
            JsonCursor.require(e.steps, path + ".steps");
            JsonCursor.require(e.seconds, path + ".seconds");
            JsonCursor.require(e.learningRate, path + ".learning_rate");
            JsonCursor.require(e.validationLoss, path + ".validation_loss");
            JsonCursor.require(e.metrics, path + ".metrics");
            try {
                return new EpochStats(e.epoch, e.loss, e.steps, e.seconds, e.learningRate, e.validationLoss, e.metrics);
            } catch (IllegalArgumentException x) {
                throw new MetadataException(path, x.getMessage(), x);
            }
        }

        /** The layers {@code 0..n}: weights {@code [out, in]} chained, biases {@code [out]}, activations. */
        private Network network(Map<String, Safetensors.Entry> entries, int layers) throws IOException {
            if (layers == 0) {
                throw problem("the file holds no layers.0.weight", null);
            }
            List<Dense> dense = new ArrayList<>();
            List<Activation> activations;
            try {
                activations = MetadataCodec.activations(contents.metadata().get("activations"), "activations", layers);
            } catch (MetadataException e) {
                throw new ModelFileException(path, e.problem(), -1, "__metadata__." + e.field(), e);
            }
            for (int m = 0; m < layers; m++) {
                Safetensors.Entry w = entries.get("layers." + m + ".weight");
                Safetensors.Entry b = entries.get("layers." + m + ".bias");
                if (w == null || b == null) {
                    throw problem("missing tensor layers." + m + (w == null ? ".weight" : ".bias"), null);
                }
                if (w.shape().length != 2) {
                    throw problem("shape " + Arrays.toString(w.shape()) + " must be [outputs, inputs]", w,
                            w.name() + ".shape");
                }
                if (b.shape().length != 1 || b.shape()[0] != w.shape()[0]) {
                    throw problem("shape " + Arrays.toString(b.shape()) + " must be [" + w.shape()[0] + "]", b,
                            b.name() + ".shape");
                }
                if (m > 0 && w.shape()[1] != dense.get(m - 1).outputs()) {
                    throw problem("shape " + Arrays.toString(w.shape()) + " reads " + w.shape()[1]
                            + " inputs, but layer " + (m - 1) + " writes " + dense.get(m - 1).outputs(), w,
                            w.name() + ".shape");
                }
                dense.add(new Dense((int) w.shape()[1], (int) w.shape()[0], activations.get(m)));
            }
            long total = 0;
            for (Dense d : dense) {
                total += (long) d.inputs() * d.outputs() + d.outputs();
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw problem("the network has " + total + " parameters; at most " + (Integer.MAX_VALUE - 8)
                        + " fit in one array", null);
            }
            Parameters parameters;
            try {
                parameters = Network.zeroParameters(dense);
                for (Parameters.View v : parameters.views()) {
                    float[] values = ((Safetensors.Values.F32) contents.values().get(v.name())).array();
                    System.arraycopy(values, 0, parameters.values(), v.offset(), v.size());
                }
                return Network.of(dense, parameters);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, e.getMessage(), -1, "__metadata__.activations", e);
            }
        }

        /** The F32 vector {@code name} of {@code size} values; {@code null} if absent and optional. */
        private float[] vector(String name, int size, boolean required) throws ModelFileException {
            Safetensors.Entry e = contents.entries().get(name);
            if (e == null) {
                if (required) {
                    throw problem("missing tensor " + name, null);
                }
                return null;
            }
            if (e.count() != size) {
                throw problem("has " + e.count() + " values, the network has " + size + " parameters", e,
                        name + ".shape");
            }
            return ((Safetensors.Values.F32) contents.values().get(name)).array();
        }
    }
}
