package dev.gradus.io;

import dev.gradus.data.Preprocessing;
import dev.gradus.nn.Loss;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a model file says about a model besides its tensors and activations: the schema
 * of its {@code __metadata__}, as a tree of records that {@link MetadataCodec} writes and reads.
 * <pre>
 * ModelMetadata
 * ├── version          FileVersion: format_version and the gradus_version that wrote the file
 * ├── loss             Loss: the loss trained with (it fixes the output layer's meaning)
 * ├── preprocessing    Preprocessing: task,
 * │   ├── features     Preprocessing.Feature per input column: name, categories, fill
 * │   ├── featureScaler / targetScaler   Scaler: shift and scale per column
 * │   ├── targetNames  the target columns
 * │   └── classLabels  the classes, in output order
 * ├── decision         Decision (optional, format version 3): the positive class and the
 * │                    probability threshold at which a two-class model predicts it
 * └── training         how it was trained: optimizer, learning_rate, epochs, seed, …
 * </pre>
 * Every field but {@code training} changes what the model predicts, so a file whose fields
 * this library does not know is refused (see {@code docs/model-file.md} for the
 * {@code format_version} rule). {@code training} is a record of provenance, string to string:
 * it changes no prediction, and a writer may add keys to it without a new format version.
 *
 * <pre>{@code
 * ModelMetadata m = ModelMetadata.of(Loss.CROSS_ENTROPY, prep, Map.of("seed", "42"));
 * ModelFile.write(path, network, m);
 * ModelMetadata back = ModelFile.readModel(path).metadata();   // equal fields, version stamped
 * }</pre>
 *
 * @param version the version stamp: of the file it was read from, or, for metadata about to
 *     be written, the one a writer stamps ({@link FileVersion#of(Preprocessing)}: the oldest
 *     format version that reads everything in it, with this library's version)
 * @param loss the loss the network was trained with
 * @param preprocessing the map from table rows to network inputs and back
 * @param training a record of how the model was trained, in key order
 * @param decision the stored binary decision of a two-class model, if any
 */
public record ModelMetadata(FileVersion version, Loss loss, Preprocessing preprocessing,
                            Map<String, String> training, Optional<Decision> decision) {

    /** The format version that added {@link #decision()}. */
    public static final int DECISION_FORMAT_VERSION = 3;

    public ModelMetadata {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(preprocessing, "preprocessing");
        training = Collections.unmodifiableMap(new LinkedHashMap<>(training));
        Objects.requireNonNull(decision, "decision");
    }

    /** Metadata without a stored decision. */
    public ModelMetadata(FileVersion version, Loss loss, Preprocessing preprocessing, Map<String, String> training) {
        this(version, loss, preprocessing, training, Optional.empty());
    }

    /** Metadata to write, with the version stamp a writer gives it. */
    public static ModelMetadata of(Loss loss, Preprocessing preprocessing, Map<String, String> training) {
        return of(loss, preprocessing, training, Optional.empty());
    }

    /** Metadata to write with a stored decision (or none), with the version stamp a writer gives it. */
    public static ModelMetadata of(Loss loss, Preprocessing preprocessing, Map<String, String> training,
                                   Optional<Decision> decision) {
        return new ModelMetadata(FileVersion.of(preprocessing, decision), loss, preprocessing, training, decision);
    }

    /**
     * The oldest format version that reads everything in this metadata: the preprocessing's
     * ({@link Preprocessing#formatVersion()}), or {@value #DECISION_FORMAT_VERSION} with a
     * stored decision. A writer stamps files with it, so older readers keep reading files that
     * use nothing newer.
     */
    public int formatVersion() {
        return FileVersion.of(preprocessing, decision).format();
    }

    /**
     * The binary decision stored with a two-class model: predict {@code positive} when its
     * probability is at least {@code threshold}, the other class otherwise. Without one, a model
     * predicts the more probable class.
     *
     * @param positive the positive class's label
     * @param threshold in {@code [0, 1]}
     */
    public record Decision(String positive, double threshold) {
        public Decision {
            Objects.requireNonNull(positive, "positive");
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException("the threshold must be between 0 and 1, got " + threshold);
            }
        }
    }

    /**
     * Which version of the file format a file was written in, and by which library.
     *
     * @param format the {@code format_version}, from 1 to {@link ModelFile#FORMAT_VERSION}
     * @param gradus the {@code gradus_version} of the library that wrote it (free text,
     *     {@code "unknown"} outside a Maven build)
     */
    public record FileVersion(int format, String gradus) {
        public FileVersion {
            if (format < 1 || format > ModelFile.FORMAT_VERSION) {
                throw new IllegalArgumentException("format version " + format + " is outside 1.."
                        + ModelFile.FORMAT_VERSION);
            }
            Objects.requireNonNull(gradus, "gradus");
        }

        /** This library's: {@link ModelFile#FORMAT_VERSION} and {@link ModelFile#gradusVersion()}. */
        public static FileVersion current() {
            return new FileVersion(ModelFile.FORMAT_VERSION, ModelFile.gradusVersion());
        }

        /**
         * The stamp a writer gives a file with {@code preprocessing}: the oldest format version
         * that reads everything in it ({@link Preprocessing#formatVersion()}), so that older
         * readers keep reading files that use nothing newer; and this library's version.
         */
        public static FileVersion of(Preprocessing preprocessing) {
            return new FileVersion(preprocessing.formatVersion(), ModelFile.gradusVersion());
        }

        /** As {@link #of(Preprocessing)}, at least {@value #DECISION_FORMAT_VERSION} with a stored decision. */
        public static FileVersion of(Preprocessing preprocessing, Optional<Decision> decision) {
            int format = preprocessing.formatVersion();
            if (decision.isPresent()) {
                format = Math.max(format, DECISION_FORMAT_VERSION);
            }
            return new FileVersion(format, ModelFile.gradusVersion());
        }
    }
}
