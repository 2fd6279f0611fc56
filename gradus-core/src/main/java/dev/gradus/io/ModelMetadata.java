package dev.gradus.io;

import dev.gradus.data.Preprocessing;
import dev.gradus.nn.Loss;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
 */
public record ModelMetadata(FileVersion version, Loss loss, Preprocessing preprocessing,
                            Map<String, String> training) {

    public ModelMetadata {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(preprocessing, "preprocessing");
        training = Collections.unmodifiableMap(new LinkedHashMap<>(training));
    }

    /** Metadata to write, with the version stamp a writer gives it. */
    public static ModelMetadata of(Loss loss, Preprocessing preprocessing, Map<String, String> training) {
        return new ModelMetadata(FileVersion.of(preprocessing), loss, preprocessing, training);
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
    }
}
