package dev.gradus.model;

import dev.gradus.data.ColumnStats;
import dev.gradus.data.Csv;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataException;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Split;
import dev.gradus.data.StreamingFit;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.data.TwoPassStats;
import dev.gradus.internal.AtomicFiles;
import dev.gradus.io.MetadataCodec;
import dev.gradus.io.MetadataException;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.GradientSource;
import dev.gradus.train.HealthReport;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;

/**
 * A CSV file's training rows encoded once into a float32 file on disk and memory-mapped, so that
 * training, scoring and the final loss read them a block at a time and a file larger than the
 * Java heap can be trained on.
 *
 * <p>The first read streams the CSV twice, a chunk of rows at a time: the first pass fits the
 * column decisions ({@link StreamingFit}), the second encodes every row (features before
 * scaling, then the class id or the regression targets in original units) into the cache file
 * and adds up the scalers' statistics, whose second pass runs over the mapped cache
 * ({@link TwoPassStats}). The result equals, bit for bit, what {@link Preprocessing#fit} and
 * {@link Preprocessing#features} give on the whole table, so training on the cache gives the
 * same weights as training in memory. The scaling is applied as rows are gathered.
 *
 * <p>The cache lives in {@link #directory()}, one {@code .rows} file (little-endian float32,
 * {@code rows × (inputs + t)}) and one {@code .json} file per key; the key is the CSV's absolute
 * path, size and modification time with the reading and preprocessing options, so a changed
 * file or other options encode again. Without {@code keep} ({@code --no-cache}), the rows go to
 * a temporary file that {@link #close()} deletes, and nothing is read from the cache.
 *
 * <pre>{@code
 * try (RowCache cache = RowCache.open(Path.of("big.csv"), CsvOptions.defaults(), spec, true, System.err::println)) {
 *     Model.Fit fit = cache.fit(start, listener);
 * }
 * }</pre>
 */
public final class RowCache implements AutoCloseable {
    /** The system property that overrides the cache directory (tests point it at a temporary folder). */
    public static final String DIRECTORY_PROPERTY = "gradus.cache.dir";

    /** Changes when the layout of the cache files changes, so old files are not read. */
    private static final int VERSION = 1;

    private static final long SEGMENT_BYTES = 1L << 30;

    private final Path source;
    private final Path rowsFile;
    private final boolean temporary;
    private final Preprocessing prep;
    private final int rows;
    private final int inputs;
    private final int targets;           // 1 for a class id, or the regression targets
    private final String weightColumn;   // the sample-weight column, kept as one more float per row; or null
    private final int stride;            // floats per cached row: inputs + targets (+ 1 sample weight)
    private final int rowsPerSegment;
    private final FloatBuffer[] segments;
    private final boolean reused;

    private RowCache(Path source, Path rowsFile, boolean temporary, Preprocessing prep, String weightColumn, int rows,
                     boolean reused) throws IOException {
        this.source = source;
        this.rowsFile = rowsFile;
        this.temporary = temporary;
        this.prep = prep;
        this.rows = rows;
        this.inputs = prep.inputWidth();
        this.targets = targetWidth(prep);
        this.weightColumn = weightColumn;
        this.stride = inputs + targets + (weightColumn == null ? 0 : 1);
        this.reused = reused;
        long rowBytes = 4L * stride;
        this.rowsPerSegment = (int) Math.max(1, SEGMENT_BYTES / rowBytes);
        int count = (int) ((rows + (long) rowsPerSegment - 1) / rowsPerSegment);
        this.segments = new FloatBuffer[count];
        try (FileChannel ch = FileChannel.open(rowsFile, StandardOpenOption.READ)) {
            if (ch.size() != rowBytes * rows) {
                throw new IOException(rowsFile + ": holds " + ch.size() + " bytes, expected " + rowBytes * rows);
            }
            for (int s = 0; s < count; s++) {
                long first = (long) s * rowsPerSegment;
                long n = Math.min(rowsPerSegment, rows - first);
                segments[s] = ch.map(FileChannel.MapMode.READ_ONLY, first * rowBytes, n * rowBytes)
                        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            }
        }
    }

    private static int targetWidth(Preprocessing prep) {
        return prep.task() == Task.CLASSIFICATION ? 1 : prep.targetNames().size();
    }

    /**
     * The cache directory: the {@value #DIRECTORY_PROPERTY} system property, else
     * {@code $XDG_CACHE_HOME/gradus}, else {@code ~/.cache/gradus}.
     */
    public static Path directory() {
        String property = System.getProperty(DIRECTORY_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "gradus");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "gradus");
    }

    /**
     * The encoded training rows of {@code csv} under {@code spec}: from the cache when it holds
     * them for this file as it is now (and {@code keep}), else read and encoded, and kept in the
     * cache when {@code keep}. Warnings (columns left out, categories merged) go to
     * {@code warnings}, also when the rows come from the cache.
     *
     * @throws DataException naming the file, line and column of bad data, as reading it whole would
     * @throws IOException when the cache cannot be written or read
     */
    public static RowCache open(Path csv, CsvOptions options, DataSpec spec, boolean keep, Consumer<String> warnings)
            throws DataException, IOException {
        return open(csv, options, spec, null, keep, warnings);
    }

    /**
     * As {@link #open(Path, CsvOptions, DataSpec, boolean, Consumer)}, keeping each row's sample
     * weight from column {@code weightColumn} ({@code null}: none) beside it, for training with
     * row weights ({@link TrainingStart#weights()}); {@code spec} leaves that column out of the
     * features ({@link dev.gradus.data.RowWeights#excludeFrom}).
     *
     * @throws DataException also naming the file, line and column of a sample weight that is
     *     missing, not a number, negative or infinite, or when every row weighs 0
     */
    public static RowCache open(Path csv, CsvOptions options, DataSpec spec, String weightColumn, boolean keep,
                                Consumer<String> warnings) throws DataException, IOException {
        return open(csv, options, spec, weightColumn, null, keep, warnings);
    }

    /**
     * As {@link #open(Path, CsvOptions, DataSpec, String, boolean, Consumer)} without the rows
     * numbered {@code excluded} (increasing, numbered from 0 in file order; {@code null}: none),
     * the test rows of a split ({@link dev.gradus.data.Split#randomTestRows},
     * {@link dev.gradus.data.Split.Classes#testRows}): the preprocessing is fitted on the rows
     * left, as {@link Preprocessing#fit} fits it on the training part of a split table, and only
     * they are cached.
     */
    public static RowCache open(Path csv, CsvOptions options, DataSpec spec, String weightColumn, int[] excluded,
                                boolean keep, Consumer<String> warnings) throws DataException, IOException {
        Path absolute = csv.toAbsolutePath().normalize();
        BasicFileAttributes before = attributes(csv);
        String key = sha256(VERSION + "\n" + absolute + "\n" + before.size() + "\n"
                + before.lastModifiedTime().toMillis() + "\n" + options + "\n" + spec
                + (weightColumn == null ? "" : "\nsample weight " + weightColumn) + excluding(excluded));
        Path dir = directory();
        Path meta = dir.resolve(key + ".json");
        Path cached = dir.resolve(key + ".rows");
        if (keep && Files.isRegularFile(meta) && Files.isRegularFile(cached)) {
            RowCache hit = reuse(csv, meta, cached, weightColumn, warnings);
            if (hit != null) {
                return hit;
            }
        }
        List<String> given = new ArrayList<>();
        StreamingFit fit = new StreamingFit(spec, w -> {
            given.add(w);
            warnings.accept(w);
        });
        Csv.stream(csv, options, List.of(), excluded == null ? fit : Split.allBut(excluded, fit));
        while (fit.anotherPass()) {   // --impute median: the exact medians take two more readings
            Csv.stream(csv, options, fit.textColumns(), excluded == null ? fit : Split.allBut(excluded, fit));
        }
        return write(csv, options, fit.textColumns(), fit.unscaled(), weightColumn, excluded, keep, key, before,
                MetadataCodec.strings(given), (raw, first) -> raw.fitScalers(first, spec, csv.toString()));
    }

    /** The part of a cache key that names the rows left out: a digest of their numbers; empty for none. */
    private static String excluding(int[] excluded) {
        if (excluded == null) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        for (int r : excluded) {
            s.append(r).append(',');
        }
        return "\nexcluding " + excluded.length + " rows " + sha256(s.toString());
    }

    /**
     * The rows of {@code csv} encoded for {@code prep}, which was fitted elsewhere: a
     * {@code --validation} file encoded for the training file's preprocessing, scored a chunk at a
     * time and never held whole, or the training rows of a model trained further or resumed
     * ({@link TrainingStart.FromModel}, {@link TrainingStart.Resume}). The rows are kept in the cache as training rows are (when {@code keep}), keyed by the
     * file's path, size and modification time, the reading options and {@code prep} itself; the
     * rows read from it, scaled as they are gathered, are those {@code prep.features} gives.
     *
     * @throws DataException naming the file, line and column of a row {@code prep} cannot encode
     *     (a missing target, an unknown class or category), as encoding it whole would
     * @throws IOException when the cache cannot be written or read
     */
    public static RowCache encode(Path csv, CsvOptions options, Preprocessing prep, boolean keep)
            throws DataException, IOException {
        return encode(csv, options, prep, null, keep);
    }

    /**
     * As {@link #encode(Path, CsvOptions, Preprocessing, boolean)}, keeping each row's sample
     * weight from column {@code weightColumn} ({@code null}: none) beside it.
     */
    public static RowCache encode(Path csv, CsvOptions options, Preprocessing prep, String weightColumn, boolean keep)
            throws DataException, IOException {
        return encode(csv, options, prep, weightColumn, null, keep);
    }

    /**
     * As {@link #encode(Path, CsvOptions, Preprocessing, String, boolean)} without the rows
     * numbered {@code excluded} (increasing, from 0 in file order; {@code null}: none): the
     * training part of a split.
     */
    public static RowCache encode(Path csv, CsvOptions options, Preprocessing prep, String weightColumn,
                                  int[] excluded, boolean keep) throws DataException, IOException {
        Path absolute = csv.toAbsolutePath().normalize();
        BasicFileAttributes before = attributes(csv);
        String key = sha256(VERSION + "\nencoded\n" + absolute + "\n" + before.size() + "\n"
                + before.lastModifiedTime().toMillis() + "\n" + options + "\n" + MetadataCodec.preprocessing(prep)
                + (weightColumn == null ? "" : "\nsample weight " + weightColumn) + excluding(excluded));
        Path meta = directory().resolve(key + ".json");
        Path cached = directory().resolve(key + ".rows");
        if (keep && Files.isRegularFile(meta) && Files.isRegularFile(cached)) {
            RowCache hit = reuse(csv, meta, cached, weightColumn, w -> { });
            if (hit != null && hit.prep.equals(prep)) {
                return hit;
            }
        }
        List<String> text = new ArrayList<>();
        if (prep.task() == Task.CLASSIFICATION) {
            text.addAll(prep.targetNames());
        }
        prep.features().stream().filter(Preprocessing.Feature::isCategorical).forEach(f -> text.add(f.name()));
        return write(csv, options, text, prep.unscaled(), weightColumn, excluded, keep, key, before,
                MetadataCodec.strings(List.of()), (raw, first) -> prep);
    }

    /** The scaled preprocessing of rows just encoded, from the cache holding them unscaled and their first pass. */
    @FunctionalInterface
    private interface Scaled {
        Preprocessing of(RowCache raw, TwoPassStats first) throws DataException;
    }

    /**
     * Encodes every row of {@code csv} but those numbered {@code excluded} (null: none) with
     * {@code unscaled} into a new rows file (in the cache under {@code key} when {@code keep}, else
     * a temporary file), checks that the file did not change while it was read, and opens it with
     * the preprocessing {@code scaled} gives.
     */
    private static RowCache write(Path csv, CsvOptions options, List<String> text, Preprocessing unscaled,
                                  String weightColumn, int[] excluded, boolean keep, String key,
                                  BasicFileAttributes before, String warnings, Scaled scaled)
            throws DataException, IOException {
        Path dir = directory();
        if (keep) {
            Files.createDirectories(dir);
        }
        Path partial = keep ? Files.createTempFile(dir, key, ".partial")
                : Files.createTempFile("gradus-rows", ".partial");
        boolean done = false;
        try {
            Writer writer = new Writer(partial, unscaled, weightColumn);
            try {
                Csv.stream(csv, options, text, excluded == null ? writer : Split.allBut(excluded, writer));
            } finally {
                writer.close();
            }
            BasicFileAttributes after = attributes(csv);
            if (after.size() != before.size() || !after.lastModifiedTime().equals(before.lastModifiedTime())) {
                throw new DataException(csv + ": the file changed while it was being read; run again");
            }
            if (weightColumn != null && !writer.positive && writer.rows > 0) {
                throw new DataException(csv + ": every row weighs 0 (sample weights in column '" + weightColumn
                        + "'); at least one row must weigh more than 0");
            }
            RowCache raw = new RowCache(csv, partial, !keep, unscaled, weightColumn, writer.rows, false);
            Preprocessing prep = scaled.of(raw, writer.first);
            Path rowsFile = partial;
            if (keep) {
                Path cached = dir.resolve(key + ".rows");
                Files.move(partial, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                rowsFile = cached;
                Map<String, String> entries = new LinkedHashMap<>();
                entries.put("source", csv.toAbsolutePath().normalize().toString());
                entries.put("rows", Integer.toString(writer.rows));
                entries.put("preprocessing", MetadataCodec.preprocessing(prep));
                entries.put("warnings", warnings);
                if (weightColumn != null) {
                    entries.put("sample_weight", weightColumn);
                }
                byte[] bytes = MetadataCodec.stringMap(entries).getBytes(StandardCharsets.UTF_8);
                AtomicFiles.write(dir.resolve(key + ".json"), o -> o.write(bytes));
            }
            RowCache result = new RowCache(csv, rowsFile, !keep, prep, weightColumn, writer.rows, false);
            done = true;
            return result;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
    }

    private static RowCache reuse(Path csv, Path meta, Path cached, String weightColumn, Consumer<String> warnings)
            throws IOException {
        try {
            Map<String, String> entries = MetadataCodec.stringMap(Files.readString(meta), "cache");
            Preprocessing prep = MetadataCodec.preprocessing(entries.get("preprocessing"));
            int rows = Integer.parseInt(entries.get("rows"));
            if (!java.util.Objects.equals(weightColumn, entries.get("sample_weight"))) {
                return null;
            }
            RowCache hit = new RowCache(csv, cached, false, prep, weightColumn, rows, true);
            MetadataCodec.strings(entries.get("warnings"), "warnings").forEach(warnings);
            return hit;
        } catch (MetadataException | RuntimeException | IOException e) {
            return null;   // a damaged or foreign cache entry: encode again (and replace it)
        }
    }

    private static BasicFileAttributes attributes(Path csv) throws DataException {
        try {
            return Files.readAttributes(csv, BasicFileAttributes.class);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataException(csv + ": file not found");
        } catch (IOException e) {
            throw new DataException(csv + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Second pass of the scalers' statistics over the cached rows; the fitted preprocessing. */
    private Preprocessing fitScalers(TwoPassStats first, DataSpec spec, String name) throws DataException {
        float[] block = new float[BLOCK * stride];
        for (int from = 0; from < rows; from += BLOCK) {
            int n = Math.min(BLOCK, rows - from);
            readRaw(from, n, block);
            first.second(block, 0, n, stride);
        }
        int t = targets;
        ColumnStats[] x = new ColumnStats[inputs];
        ColumnStats[] y = new ColumnStats[t];
        for (int j = 0; j < inputs; j++) {
            x[j] = first.column(j);
        }
        for (int j = 0; j < t; j++) {
            y[j] = first.column(inputs + j);
        }
        return prep.scaled(spec.scaling(), x, y, name);
    }

    /** Rows read at a time by the passes over the cache. */
    static final int BLOCK = 1 << 13;

    /** Encodes chunks of rows into the cache file and adds up the first pass of their statistics. */
    private static final class Writer implements Csv.Chunks {
        private final Path file;
        private final Preprocessing unscaled;
        private final int inputs;
        private final int stride;
        private final int targets;
        private final String weightColumn;
        private FileChannel out;
        private ByteBuffer buffer;
        TwoPassStats first;
        int rows;
        boolean positive;   // some sample weight is above 0

        Writer(Path file, Preprocessing unscaled, String weightColumn) throws IOException {
            this.file = file;
            this.unscaled = unscaled;
            this.inputs = unscaled.inputWidth();
            this.targets = targetWidth(unscaled);
            this.weightColumn = weightColumn;
            this.stride = inputs + targets + (weightColumn == null ? 0 : 1);
            restart();
        }

        @Override
        public void restart() throws IOException {
            if (out != null) {
                out.close();
            }
            out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            first = new TwoPassStats(stride);
            rows = 0;
            positive = false;
        }

        @Override
        public void accept(Table chunk) throws DataException, IOException {
            int n = chunk.rows();
            float[] x = unscaled.features(chunk).data();
            float[] rowsOut = new float[n * stride];
            for (int r = 0; r < n; r++) {
                System.arraycopy(x, r * inputs, rowsOut, r * stride, inputs);
            }
            if (unscaled.task() == Task.CLASSIFICATION) {
                int[] ids = unscaled.classIds(chunk);
                for (int r = 0; r < n; r++) {
                    rowsOut[r * stride + inputs] = ids[r];
                }
            } else {
                float[] y = unscaled.targetValues(chunk).data();
                for (int r = 0; r < n; r++) {
                    System.arraycopy(y, r * targets, rowsOut, r * stride + inputs, targets);
                }
            }
            if (weightColumn != null) {
                float[] w = dev.gradus.data.RowWeights.sampleWeights(chunk, weightColumn);
                for (int r = 0; r < n; r++) {
                    rowsOut[r * stride + inputs + targets] = w[r];
                    positive |= w[r] > 0;
                }
            }
            first.first(rowsOut, 0, n, stride);
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            }
            for (int at = 0; at < rowsOut.length; ) {
                int take = Math.min(rowsOut.length - at, buffer.capacity() / 4);
                buffer.clear();
                buffer.asFloatBuffer().put(rowsOut, at, take);
                buffer.limit(take * 4);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                at += take;
            }
            rows = Math.addExact(rows, n);
        }

        void close() throws IOException {
            out.close();
        }
    }

    /**
     * Trains from {@code start} on the cached rows (a validation fraction holds out the same rows
     * as in memory), scoring {@code validation} rows (may be {@code null}) after every epoch: the
     * same run, bit for bit, as {@link Model#fit(TrainingStart, Table, Table, TrainingListener...)}
     * on the whole table. A new network starts from rows {@link #open opened} with their own
     * preprocessing; an existing model ({@link TrainingStart.FromModel}) or a resumed checkpoint
     * ({@link TrainingStart.Resume}, which continues after the checkpoint's epoch as there) from
     * rows {@link #encode encoded} for its preprocessing.
     *
     * @throws IllegalArgumentException when the start's preprocessing is not the cache's (the
     *     rows are encoded for this one)
     */
    public Model.Fit fit(TrainingStart start, Table validation, TrainingListener... listeners) throws DataException {
        Preprocessing p = start.preprocessing();
        return fit(start, validation == null ? null
                : (trainer, network, rows, perClass) -> trainer.fit(network, rows, p.features(validation),
                        Model.networkTargets(p, start.options().loss(), validation),
                        start.weights().rowWeights(validation, p, perClass)), listeners);
    }

    /**
     * As {@link #fit(TrainingStart, Table, TrainingListener...)}, scoring the rows of
     * {@code validation} (a file encoded for this cache's preprocessing by {@link #encode}) after
     * every epoch, read from its cache a block at a time: the same history, early stopping and
     * weights, bit for bit, as those rows in memory.
     *
     * @throws IllegalArgumentException when the start's or the validation rows' preprocessing is
     *     not the cache's
     */
    public Model.Fit fitValidatingOn(TrainingStart start, RowCache validation, TrainingListener... listeners)
            throws DataException {
        if (!validation.prep.equals(prep)) {
            throw new IllegalArgumentException("the validation rows of " + validation.source + " are encoded for "
                    + "another preprocessing than the training rows of " + source);
        }
        if (!Objects.equals(validation.weightColumn, weightColumn)) {
            throw new IllegalArgumentException("the validation rows of " + validation.source + " are weighted by "
                    + (validation.weightColumn == null ? "nothing" : "column '" + validation.weightColumn + "'")
                    + ", the training rows by " + (weightColumn == null ? "nothing" : "column '" + weightColumn + "'"));
        }
        return fit(start, (trainer, network, rows, perClass) -> trainer.fit(network, rows,
                new CachedRows(validation, null, start.options().loss(), perClass)), listeners);
    }

    /** How a run validates: the trainer's fit on the training rows with its validation rows. */
    @FunctionalInterface
    private interface Validated {
        Trainer.Result fit(Trainer trainer, dev.gradus.nn.Network network, GradientSource rows, double[] perClass)
                throws DataException;
    }

    private Model.Fit fit(TrainingStart start, Validated validated, TrainingListener... listeners)
            throws DataException {
        if (!start.preprocessing().equals(prep)) {
            throw new IllegalArgumentException("the rows of " + source + " are encoded for their own preprocessing, "
                    + "not the one this run starts from");
        }
        RowWeights weights = start.weights();
        if (!Objects.equals(weights.column(), weightColumn)) {
            throw new IllegalArgumentException("the rows of " + source + " are cached with "
                    + (weightColumn == null ? "no sample weights" : "the sample weights of column '" + weightColumn + "'")
                    + "; this run weighs them by " + (weights.column() == null ? "nothing" : "column '"
                    + weights.column() + "'"));
        }
        double[] perClass = classWeights(weights);
        TrainingOptions options = start.options();
        Trainer trainer = new Trainer(options);
        for (TrainingListener l : Model.resuming(start, listeners)) {
            trainer.addListener(l);
        }
        Trainer.Result result;
        try (GradientSource rows = new CachedRows(this, null, options.loss(), perClass)) {
            result = validated == null ? trainer.fit(start.network(), rows)
                    : validated.fit(trainer, start.network(), rows, perClass);
        }
        Map<String, String> record = Model.describe(options);
        record.putAll(Model.describe(weights));
        return new Model.Fit(new Model(result.network(), prep, options.loss(), record), result.history());
    }

    /**
     * The class weights of {@code weights} fitted on every cached row, as
     * {@link RowWeights#classWeights} fits them on the rows in memory; null without class weights.
     */
    public double[] classWeights(RowWeights weights) {
        if (weights.classes() instanceof dev.gradus.data.ClassWeights.Uniform) {
            return null;
        }
        if (prep.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("class weights are for classification; this is a " + prep.task());
        }
        int[] ids = new int[weights.classes() instanceof dev.gradus.data.ClassWeights.Balanced ? rows : 0];
        for (int r = 0; r < ids.length; r++) {
            ids[r] = classId(r);
        }
        return weights.classes().resolve(prep.classLabels(), ids);
    }

    /**
     * How {@code model} scores on cached rows: its loss (original units for regression, as
     * {@link Model#loss} measures it), and accuracy, or the mean over targets of r² and RMSE.
     *
     * @param rows the rows, the number of rows scored
     * @param loss the row-weighted mean of the loss over blocks of rows
     * @param accuracy classification only (else NaN)
     * @param r2 regression only (else NaN)
     * @param rmse regression only (else NaN)
     */
    public record Score(int rows, double loss, double accuracy, double r2, double rmse) {}

    /**
     * {@code model}'s score on the cached rows {@code rows} (in increasing order), or on all of them
     * when {@code rows} is null, read a block at a time.
     */
    public Score score(Model model, int[] rows) {
        return score(model, rows, RowWeights.NONE);
    }

    /**
     * As {@link #score(Model, int[])} with the loss weighted by {@code weights} (their sample-weight
     * column must be the cache's): {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ}, summed over blocks of rows. The
     * accuracy, r² and RMSE are unweighted, as the training score in memory.
     */
    public Score score(Model model, int[] rows, RowWeights weights) {
        int n = rows == null ? this.rows : rows.length;
        Preprocessing p = model.preprocessing();
        CachedRows source = new CachedRows(this, rows, model.loss(), weights.any() ? classWeights(weights) : null);
        boolean weighted = weights.any();
        int k = source.outputs();
        int block = BlockedPass.BLOCK_ROWS;
        float[] x = new float[block * inputs];
        float[] y = new float[block * k];
        float[] w = new float[block];
        double weightSum = 0;
        double lossSum = 0;
        long correct = 0;
        int targets = p.task() == Task.REGRESSION ? p.targetNames().size() : 0;
        double[] squares = new double[targets];
        double[] sum = new double[targets];
        double[] sumSquares = new double[targets];
        for (int from = 0; from < n; from += block) {
            int m = Math.min(block, n - from);
            source.gather(null, from, m, x, y);
            float[] rowWeights = weighted && source.gatherWeights(null, from, m, w) ? w : null;
            double blockWeight = dev.gradus.nn.Loss.weightSum(rowWeights, m);
            weightSum += blockWeight;
            Matrix out = model.network().predict(Matrix.wrap(m, inputs, java.util.Arrays.copyOf(x, m * inputs)));
            float[] yhat = out.contiguous().data();
            if (p.task() == Task.REGRESSION) {
                p.targetScaler().invert(yhat, m);
                p.targetScaler().invert(y, m);
                lossSum += model.loss().value(yhat, y, 0, rowWeights, m, k) * blockWeight;
                for (int r = 0; r < m; r++) {
                    for (int j = 0; j < k; j++) {
                        double actual = y[r * k + j];
                        double d = yhat[r * k + j] - actual;
                        squares[j] += d * d;
                        sum[j] += actual;
                        sumSquares[j] += actual * actual;
                    }
                }
            } else {
                lossSum += model.loss().value(yhat, y, 0, rowWeights, m, k) * blockWeight;
                for (int r = 0; r < m; r++) {
                    int predicted;
                    int actual;
                    if (k == 1) {
                        predicted = yhat[r] > 1f - yhat[r] ? 1 : 0;
                        actual = y[r] == 1f ? 1 : 0;
                    } else {
                        predicted = 0;
                        actual = 0;
                        for (int j = 1; j < k; j++) {
                            predicted = yhat[r * k + j] > yhat[r * k + predicted] ? j : predicted;
                            actual = y[r * k + j] > y[r * k + actual] ? j : actual;
                        }
                    }
                    correct += predicted == actual ? 1 : 0;
                }
            }
        }
        if (p.task() == Task.CLASSIFICATION) {
            return new Score(n, lossSum / weightSum, (double) correct / n, Double.NaN, Double.NaN);
        }
        double r2 = 0;
        double rmse = 0;
        for (int j = 0; j < targets; j++) {
            double total = sumSquares[j] - sum[j] * sum[j] / n;
            r2 += total <= 0 ? (squares[j] == 0 ? 1 : 0) : 1 - squares[j] / total;
            rmse += Math.sqrt(squares[j] / n);
        }
        return new Score(n, lossSum / weightSum, Double.NaN, r2 / targets, rmse / targets);
    }

    /**
     * {@link HealthReport#check} of {@code model} on the first {@link HealthReport#MAX_ROWS} of the
     * cached rows {@code rows} (increasing; null: all), gathered and scaled as training gathers
     * them: the report the same rows give in memory.
     */
    public HealthReport health(Model model, int[] rows) {
        CachedRows source = new CachedRows(this, rows, model.loss(), null);
        int n = Math.min(HealthReport.MAX_ROWS, source.rows());
        float[] x = new float[n * inputs];
        float[] y = new float[n * source.outputs()];
        source.read(0, n, x, y);
        return HealthReport.check(model.network(), Matrix.wrap(n, inputs, x), Matrix.wrap(n, source.outputs(), y),
                model.loss());
    }

    /** The file the rows were read from. */
    public Path source() {
        return source;
    }

    /** Whether the rows came from the cache (no CSV was read). */
    public boolean reused() {
        return reused;
    }

    /** The preprocessing fitted on all rows (scalers included). */
    public Preprocessing preprocessing() {
        return prep;
    }

    /** The number of rows. */
    public int rows() {
        return rows;
    }

    /** Rows {@code [from, from + n)} as cached (features before scaling, then targets) into {@code out}. */
    void readRaw(long from, int n, float[] out) {
        int at = 0;
        while (n > 0) {
            int s = (int) (from / rowsPerSegment);
            int inSegment = (int) (from - (long) s * rowsPerSegment);
            int take = Math.min(n, rowsPerSegment - inSegment);
            segments[s].get(inSegment * stride, out, at, take * stride);
            at += take * stride;
            from += take;
            n -= take;
        }
    }

    /** Row {@code row}'s features before scaling into {@code x} at {@code xOff}, and returns nothing. */
    void readRow(int row, float[] x, int xOff, float[] t, int tOff) {
        int s = row / rowsPerSegment;
        int inSegment = row - s * rowsPerSegment;
        FloatBuffer b = segments[s];
        b.get(inSegment * stride, x, xOff, inputs);
        b.get(inSegment * stride + inputs, t, tOff, targets);
    }

    /** Row {@code row}'s sample weight, 1 when the rows have none. */
    float sampleWeight(int row) {
        if (weightColumn == null) {
            return 1f;
        }
        int s = row / rowsPerSegment;
        return segments[s].get((row - s * rowsPerSegment) * stride + inputs + targets);
    }

    /** Row {@code row}'s class id (classification). */
    int classId(int row) {
        return (int) firstTarget(row);
    }

    /** Row {@code row}'s first target as cached: a regression's value before scaling, a class id. */
    private float firstTarget(int row) {
        int s = row / rowsPerSegment;
        return segments[s].get((row - s * rowsPerSegment) * stride + inputs);
    }

    /**
     * The first target of every row, in row order, as cached: a regression's values before
     * scaling, or the class ids; read from the file as the stream is consumed.
     */
    public DoubleStream firstTargets() {
        return IntStream.range(0, rows).mapToDouble(this::firstTarget);
    }

    /** The sample-weight column kept beside the rows, or null. */
    public String weightColumn() {
        return weightColumn;
    }

    int targets() {
        return targets;
    }

    int stride() {
        return stride;
    }

    int inputs() {
        return inputs;
    }

    /** Deletes the rows file when it is temporary ({@code --no-cache}). */
    @Override
    public void close() throws IOException {
        if (temporary) {
            Files.deleteIfExists(rowsFile);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
