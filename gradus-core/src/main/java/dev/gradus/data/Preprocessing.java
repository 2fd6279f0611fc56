package dev.gradus.data;

import dev.gradus.tensor.Matrix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fitted map from a {@link Table} to the matrices a network reads and writes, stored with
 * every model so that prediction applies exactly what training did (the model file's
 * {@code preprocessing} entry; {@code dev.gradus.io.MetadataCodec} writes and reads it).
 *
 * <p>Features: the named input columns in order; a numeric column gives one input, a text
 * (categorical) column gives one 0/1 input per category; then {@link #featureScaler()} is
 * applied (one-hot inputs keep shift 0 and scale 1). Targets: for classification, one output
 * per class label in {@link #classLabels()} order (one-hot); for regression, one output per
 * target column, mapped by {@link #targetScaler()}.
 *
 * <pre>{@code
 * Preprocessing prep = Preprocessing.fit(train, DataSpec.classification("label"));
 * Matrix x = prep.features(test);   // N × inputWidth(), scaled as the training rows were
 * }</pre>
 *
 * @param task regression or classification
 * @param features the input columns, in network input order
 * @param featureScaler applied to the encoded inputs ({@code inputWidth()} columns)
 * @param targetNames the target columns
 * @param classLabels for classification, the labels in output order (sorted numerically when
 *     all are numbers, else as strings); empty for regression
 * @param targetScaler for regression, maps targets to what the network learns; identity for
 *     classification
 */
public record Preprocessing(Task task, List<Feature> features, Scaler featureScaler, List<String> targetNames,
                            List<String> classLabels, Scaler targetScaler, UnknownCategory unknown,
                            List<LeftOut> leftOut) {

    /** The name of the shared input of a column's rarer categories: {@code COL=<other>}. */
    public static final String OTHER = "<other>";

    /**
     * One input column: numeric when {@code categories} is empty (one input), categorical with
     * one network input per category (one-hot, in this order) and, with {@code other}, one more
     * input shared by every other category; or a date ({@code date}): three numeric inputs, days
     * since 1970-01-01, month and day of week (see {@code docs/training.md}).
     *
     * @param fill what a missing cell becomes (a number's text, a category, or an ISO date), or
     *     {@code null} when a missing cell is an error
     * @param other categorical only: rarer categories (and, at prediction, unseen ones) share one
     *     last input
     * @param date an ISO-8601 date or date-time column
     */
    public record Feature(String name, List<String> categories, String fill, boolean other, boolean date) {
        public Feature {
            Objects.requireNonNull(name, "name");
            categories = List.copyOf(categories);
            if (date && !categories.isEmpty()) {
                throw new IllegalArgumentException("feature '" + name + "': a date column has no categories");
            }
            if (other && categories.isEmpty()) {
                throw new IllegalArgumentException("feature '" + name + "': an 'other' input needs categories");
            }
            boolean badFill = fill != null && (date ? IsoDates.values(fill) == null
                    : categories.isEmpty() ? Float.isNaN(Table.parseNumber(fill)) : !categories.contains(fill));
            if (badFill) {
                throw new IllegalArgumentException("feature '" + name + "': fill value '" + fill + "' is not "
                        + (date ? "an ISO date" : categories.isEmpty() ? "a finite number" : "one of its categories"));
            }
        }

        /** A numeric or one-hot feature. */
        public Feature(String name, List<String> categories, String fill) {
            this(name, categories, fill, false, false);
        }

        /** A feature whose missing cells are an error. */
        public Feature(String name, List<String> categories) {
            this(name, categories, null);
        }

        public boolean isCategorical() {
            return !categories.isEmpty();
        }

        /** The number of network inputs this column gives. */
        public int width() {
            return date ? IsoDates.WIDTH : isCategorical() ? categories.size() + (other ? 1 : 0) : 1;
        }

        /** What is done to the column, in words (for {@code gradus inspect}). */
        public String describe() {
            if (date) {
                return "date: days since 1970-01-01, month, day of week";
            }
            if (isCategorical()) {
                return "one-hot, " + categories.size() + " categor" + (categories.size() == 1 ? "y" : "ies")
                        + (other ? " + other" : "");
            }
            return "number";
        }
    }

    /**
     * A column that training left out, and why (a text column of nearly all distinct values: an
     * id or a name).
     */
    public record LeftOut(String name, String reason) {
        public LeftOut {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** A preprocessing whose unseen categories are an error and that left no column out. */
    public Preprocessing(Task task, List<Feature> features, Scaler featureScaler, List<String> targetNames,
                         List<String> classLabels, Scaler targetScaler) {
        this(task, features, featureScaler, targetNames, classLabels, targetScaler, UnknownCategory.ERROR, List.of());
    }

    public Preprocessing {
        Objects.requireNonNull(unknown, "unknown");
        leftOut = List.copyOf(leftOut);
        Objects.requireNonNull(task, "task");
        features = List.copyOf(features);
        targetNames = List.copyOf(targetNames);
        classLabels = List.copyOf(classLabels);
        int width = features.stream().mapToInt(Feature::width).sum();
        if (featureScaler.columns() != width) {
            throw new IllegalArgumentException("feature scaler has " + featureScaler.columns()
                    + " columns but the features encode to " + width);
        }
        if (task == Task.CLASSIFICATION && (classLabels.size() < 2 || targetNames.size() != 1)) {
            throw new IllegalArgumentException("classification needs one target and at least two classes, got "
                    + targetNames + " and " + classLabels);
        }
        int outputs = task == Task.CLASSIFICATION ? classLabels.size() : targetNames.size();
        if (targetScaler.columns() != outputs) {
            throw new IllegalArgumentException("target scaler has " + targetScaler.columns() + " columns, expected "
                    + outputs);
        }
    }

    /**
     * The oldest model format version that reads this preprocessing correctly: 2 when it uses a
     * date feature, an "other" input or ignores unseen categories, else 1.
     */
    public int formatVersion() {
        boolean newer = unknown != UnknownCategory.ERROR || features.stream().anyMatch(f -> f.date() || f.other());
        return newer ? 2 : 1;
    }

    /**
     * This preprocessing with identity scalers: {@link #features} gives the inputs before
     * scaling, and {@link #featureScaler()} of this one maps them to what it gives here, bit for
     * bit (rows encoded once and scaled as they are read: {@code dev.gradus.model.RowCache}).
     */
    public Preprocessing unscaled() {
        return new Preprocessing(task, features, Scaler.identity(inputWidth()), targetNames, classLabels,
                Scaler.identity(task == Task.CLASSIFICATION ? classLabels.size() : targetNames.size()), unknown, leftOut);
    }

    /** The number of network inputs. */
    public int inputWidth() {
        return featureScaler.columns();
    }

    /** The number of network outputs: classes, or target columns. */
    public int outputWidth() {
        return targetScaler.columns();
    }

    /** The names of the feature columns. */
    public List<String> featureNames() {
        return features.stream().map(Feature::name).toList();
    }

    /**
     * Fits the preprocessing to training rows; its warnings (columns left out, categories
     * merged into "other") go to {@link System.Logger} {@code dev.gradus.data}.
     *
     * @throws DataException naming the file, and the line and column where one is at fault
     */
    public static Preprocessing fit(Table table, DataSpec spec) throws DataException {
        return fit(table, spec, warning -> System.getLogger("dev.gradus.data").log(System.Logger.Level.WARNING, warning));
    }

    /**
     * Fits the preprocessing to training rows, telling {@code warnings} (one line each) about
     * columns left out and categories merged into "other".
     *
     * <p>Column types, one policy: a numeric column is a number; a text column whose cells are
     * all ISO-8601 dates is a date (three numeric inputs); a text column with more distinct
     * values than half its present cells (an id, a name) is left out; any other text column is
     * one-hot, its {@link DataSpec#maxCategories()} most frequent categories with an input each
     * and the rest sharing an "other" input. {@link DataSpec#categorical()} makes a column
     * one-hot whatever it holds.
     *
     * @throws DataException naming the file, and the line and column where one is at fault
     */
    public static Preprocessing fit(Table table, DataSpec spec, java.util.function.Consumer<String> warnings)
            throws DataException {
        for (String name : spec.categorical()) {
            if (table.indexOf(name) < 0) {
                throw new DataException(table.source() + ": --categorical " + name + ": no such column; available: "
                        + String.join(", ", table.names()));
            }
        }
        List<Integer> targetColumns = resolveTargets(table.source(), table.names(), spec.targets());
        List<String> targetNames = targetColumns.stream().map(c -> table.names().get(c)).toList();
        Task task = spec.task();
        if (task == null) {
            task = targetColumns.stream().allMatch(table::isNumeric) ? Task.REGRESSION : Task.CLASSIFICATION;
        }
        List<Integer> featureColumns = resolveFeatures(table.source(), table.names(), spec, targetColumns);

        List<Feature> features = new ArrayList<>();
        List<LeftOut> leftOut = new ArrayList<>();
        for (int c : featureColumns) {
            String name = table.names().get(c);
            boolean forced = spec.categorical().contains(name);
            if (table.isNumeric(c) && !forced) {
                features.add(new Feature(name, List.of(), numericFill(table, c, spec.impute())));
                continue;
            }
            ColumnStats stats = table.isNumeric(c) ? textStats(table, c)
                    : ColumnStats.ofCodes(table.codes(c), table.dictionary(c));
            if (!forced) {
                checkNotMixed(table, c);
            }
            Feature feature = textFeature(table.source(), name, stats, forced, spec, warnings, leftOut);
            if (feature != null) {
                features.add(feature);
            }
        }
        checkSomeFeature(table.source(), features, leftOut);
        List<String> labels = task == Task.CLASSIFICATION ? classLabels(table, targetColumns) : List.of();
        Preprocessing unscaled = new Preprocessing(task, features,
                Scaler.identity(features.stream().mapToInt(Feature::width).sum()), targetNames, labels,
                Scaler.identity(task == Task.CLASSIFICATION ? labels.size() : targetNames.size()), spec.unknown(),
                leftOut);
        Scaler featureScaler = unscaled.fitFeatureScaler(table, spec.scaling());
        Scaler targetScaler = unscaled.targetScaler;
        if (task == Task.REGRESSION && spec.scaling() != Scaling.NONE) {
            targetScaler = fitScaler(table, Scaling.STANDARD, unscaled.targets(table), null, targetNames);
        }
        return new Preprocessing(task, features, featureScaler, targetNames, unscaled.classLabels, targetScaler,
                spec.unknown(), leftOut);
    }

    /**
     * The feature of text column {@code name} (or of a numeric one made categorical,
     * {@code forced}) summarised by {@code stats}: a date, one-hot inputs (with "other" beyond
     * {@link DataSpec#maxCategories()}), or null when it is left out (added to {@code leftOut},
     * with a warning) as an id or a name.
     */
    static Feature textFeature(String source, String name, ColumnStats stats, boolean forced, DataSpec spec,
                               java.util.function.Consumer<String> warnings, List<LeftOut> leftOut)
            throws DataException {
        if (!forced) {
            double[] days = dates(stats);
            if (days != null) {
                String fill = spec.impute() == Impute.NONE || days.length == 0 ? null
                        : IsoDates.ofEpochDays(spec.impute() == Impute.MEDIAN ? days[days.length / 2]
                                : java.util.Arrays.stream(days).average().orElse(0));
                return new Feature(name, List.of(), fill, false, true);
            }
            int distinct = stats.categories().size();
            if (distinct > stats.count() / 2.0) {
                leaveOut(name, String.format(java.util.Locale.ROOT, "%,d distinct values in %,d rows (an id or "
                        + "a name?)", distinct, stats.count()), warnings, leftOut);
                return null;
            }
        }
        if (stats.categories().isEmpty()) {
            throw new DataException(source + ": column '" + name + "' has no values to take categories from");
        }
        List<String> categories = new ArrayList<>(stats.categories().keySet());
        boolean other = categories.size() > spec.maxCategories();
        if (other) {
            List<String> byCount = new ArrayList<>(categories);
            byCount.sort(java.util.Comparator.comparing((String k) -> -stats.categories().get(k)));
            List<String> kept = new ArrayList<>(byCount.subList(0, spec.maxCategories()));
            long rest = 0;
            for (String k : byCount.subList(spec.maxCategories(), byCount.size())) {
                rest += stats.categories().get(k);
            }
            java.util.Collections.sort(kept);
            warnings.accept(String.format(java.util.Locale.ROOT, "column '%s' has %,d categories: the %,d most "
                    + "frequent get an input each, the other %,d (%,d rows) share one '%s' input "
                    + "(--max-categories N changes the limit)", name, categories.size(), kept.size(),
                    categories.size() - kept.size(), rest, OTHER));
            categories = kept;
        }
        return new Feature(name, categories, spec.impute() == Impute.NONE ? null : stats.mode(), other, false);
    }

    private static void checkSomeFeature(String source, List<Feature> features, List<LeftOut> leftOut)
            throws DataException {
        if (features.isEmpty()) {
            throw new DataException(source + ": no feature columns are left: "
                    + leftOut.stream().map(l -> l.name() + " (" + l.reason() + ")").collect(
                            java.util.stream.Collectors.joining(", "))
                    + "; --categorical COL keeps a column");
        }
    }

    /**
     * Fits the preprocessing to rows summarised column by column instead of held in a table:
     * Spark's executors summarise the rows they read ({@link ColumnSummary#of}), the driver
     * merges the summaries ({@link ColumnSummary#merge}) and fits here. The column rules are
     * those of {@link #fit(Table, DataSpec, java.util.function.Consumer)}, read from the
     * summaries, so the features, categories, fills, labels and columns left out are the same;
     * the scalers and a mean fill come from the merged statistics, equal to the table's within
     * rounding (the sums run in another order).
     *
     * <p>Where a rule needs a column's cells and the summary kept none (more distinct cells than
     * it keeps), the fit fails naming the column, except for a text column with more distinct
     * cells than half its rows, which the id rule leaves out as it would from the table.
     *
     * @param source the data's name, for messages
     * @param names the columns, in order
     * @param columns each column's summary, in the order of {@code names}; for
     *     {@link Impute#MEDIAN}, numeric feature columns carry their median
     * @throws DataException naming the column at fault (a summary knows no lines)
     */
    public static Preprocessing fit(String source, List<String> names, List<ColumnSummary> columns, DataSpec spec,
                                    java.util.function.Consumer<String> warnings) throws DataException {
        if (names.size() != columns.size()) {
            throw new IllegalArgumentException(names.size() + " names for " + columns.size() + " column summaries");
        }
        for (String name : spec.categorical()) {
            if (!names.contains(name)) {
                throw new DataException(source + ": --categorical " + name + ": no such column; available: "
                        + String.join(", ", names));
            }
        }
        List<Integer> targetColumns = resolveTargets(source, names, spec.targets());
        List<String> targetNames = targetColumns.stream().map(names::get).toList();
        Task task = spec.task();
        if (task == null) {
            task = targetColumns.stream().allMatch(c -> columns.get(c).numeric()) ? Task.REGRESSION
                    : Task.CLASSIFICATION;
        }
        List<Integer> featureColumns = resolveFeatures(source, names, spec, targetColumns);

        List<Feature> features = new ArrayList<>();
        List<LeftOut> leftOut = new ArrayList<>();
        for (int c : featureColumns) {
            String name = names.get(c);
            ColumnSummary s = columns.get(c);
            boolean forced = spec.categorical().contains(name);
            if (s.numeric() && !forced) {
                features.add(new Feature(name, List.of(), numericFill(source, name, s, spec.impute())));
                continue;
            }
            if (s.cells() == null) {
                if (!forced && !s.numeric() && s.present() <= 2L * s.maxCells()) {
                    // More than maxCells distinct cells, at least half the rows: the id rule's case.
                    String reason = String.format(java.util.Locale.ROOT, "more than %,d distinct values in %,d rows "
                            + "(an id or a name?)", s.maxCells(), s.present());
                    leftOut.add(new LeftOut(name, reason));
                    warnings.accept("column '" + name + "' is left out: " + reason + "; --categorical " + name
                            + " keeps it as one-hot inputs");
                    continue;
                }
                throw new DataException(source + ": column '" + name + "' has more than " + s.maxCells()
                        + " distinct values, too many to take categories from here; leave it out with --drop "
                        + name);
            }
            if (!forced) {
                checkNotMixed(source, name, s);
            }
            Feature feature = textFeature(source, name, s.cells(), forced, spec, warnings, leftOut);
            if (feature != null) {
                features.add(feature);
            }
        }
        checkSomeFeature(source, features, leftOut);
        List<String> labels = List.of();
        if (task == Task.CLASSIFICATION) {
            if (targetColumns.size() != 1) {
                throw new DataException(source + ": classification takes one target column, got " + targetNames);
            }
            ColumnSummary t = columns.get(targetColumns.get(0));
            if (t.missing() > 0) {
                throw new DataException(source + ": target column '" + targetNames.get(0) + "': " + t.missing()
                        + " missing values (targets are never imputed)");
            }
            if (t.cells() == null) {
                throw new DataException(source + ": target column '" + targetNames.get(0) + "' has more than "
                        + t.maxCells() + " distinct values: too many classes (a regression target? --task regression)");
            }
            labels = sortLabels(source, targetNames.get(0), t.cells().categories().keySet());
        }
        Preprocessing unscaled = new Preprocessing(task, features,
                Scaler.identity(features.stream().mapToInt(Feature::width).sum()), targetNames, labels,
                Scaler.identity(task == Task.CLASSIFICATION ? labels.size() : targetNames.size()), spec.unknown(),
                leftOut);
        Scaler featureScaler = unscaled.fitFeatureScaler(source, names, columns, spec.scaling());
        Scaler targetScaler = unscaled.targetScaler;
        if (task == Task.REGRESSION) {
            ColumnStats[] stats = new ColumnStats[targetNames.size()];
            for (int t = 0; t < stats.length; t++) {
                ColumnSummary s = columns.get(targetColumns.get(t));
                if (!s.numeric()) {
                    throw new DataException(source + ": target column '" + targetNames.get(t) + "' is not numeric");
                }
                if (s.missing() > 0) {
                    throw new DataException(source + ": target column '" + targetNames.get(t) + "': " + s.missing()
                            + " missing values (targets are never imputed)");
                }
                stats[t] = s.numbers();
            }
            if (spec.scaling() != Scaling.NONE) {
                try {
                    targetScaler = Scaler.fit(Scaling.STANDARD, stats);
                } catch (Scaler.ColumnException e) {
                    throw new DataException(source + ": column '" + targetNames.get(e.column()) + "': " + e.getMessage());
                }
            }
        }
        return new Preprocessing(task, features, featureScaler, targetNames, labels, targetScaler, spec.unknown(),
                leftOut);
    }

    /** The fill of a numeric column from its summary: the mean, or the median computed apart, or null. */
    private static String numericFill(String source, String name, ColumnSummary s, Impute impute)
            throws DataException {
        if (impute == Impute.NONE) {
            return null;
        }
        if (s.numbers().count() == 0) {
            throw new DataException(source + ": column '" + name + "' has no values to impute from");
        }
        if (impute == Impute.MEAN) {
            return Float.toString((float) s.numbers().mean());
        }
        if (Double.isNaN(s.median())) {
            throw new IllegalArgumentException("column '" + name + "': --impute median needs the median in its "
                    + "summary (ColumnSummary.withMedian)");
        }
        return Float.toString((float) s.median());
    }

    /** A text column some of whose cells are numbers and some not is an error naming a text cell. */
    private static void checkNotMixed(String source, String name, ColumnSummary s) throws DataException {
        String number = null;
        String text = null;
        for (String cell : s.cells().categories().keySet()) {
            if (Float.isNaN(Table.parseNumber(cell))) {
                text = text == null ? cell : text;
            } else {
                number = number == null ? cell : number;
            }
        }
        if (number != null && text != null) {
            throw new DataException(source + ": column '" + name + "': '" + text + "' is not a finite number (the "
                    + "column also holds numbers such as " + number + ")");
        }
    }

    /**
     * The feature scaler from the columns' summaries: a numeric input's statistics with its
     * missing cells counted at the fill, a date's three inputs from its cells' counts; one-hot
     * inputs keep shift 0 and scale 1. A missing cell without a fill is an error.
     */
    private Scaler fitFeatureScaler(String source, List<String> names, List<ColumnSummary> columns, Scaling kind)
            throws DataException {
        ColumnStats[] stats = new ColumnStats[inputWidth()];
        int j = 0;
        for (Feature feature : features) {
            ColumnSummary s = columns.get(names.indexOf(feature.name()));
            if (s.missing() > 0 && feature.fill() == null) {
                throw new DataException(source + ": column '" + feature.name() + "': " + s.missing()
                        + " missing values, and the column has no fill value (train with --impute mean or --impute "
                        + "median to fill missing feature cells, or leave the column out with --drop)");
            }
            if (kind != Scaling.NONE && feature.date()) {
                ColumnStats[] inputs = new ColumnStats[IsoDates.WIDTH];
                java.util.Arrays.fill(inputs, ColumnStats.empty());
                float[] one = new float[IsoDates.WIDTH];
                Map<String, Long> counts = new TreeMap<>(s.cells().categories());
                if (s.missing() > 0) {
                    counts.merge(feature.fill(), s.missing(), Long::sum);
                }
                for (Map.Entry<String, Long> e : counts.entrySet()) {
                    IsoDates.encode(e.getKey(), one, 0);
                    for (int k = 0; k < IsoDates.WIDTH; k++) {
                        inputs[k] = inputs[k].merge(constant(one[k], e.getValue()));
                    }
                }
                System.arraycopy(inputs, 0, stats, j, IsoDates.WIDTH);
            } else if (kind != Scaling.NONE && !feature.isCategorical()) {
                ColumnStats numbers = s.numbers();
                if (feature.fill() != null && s.missing() > 0) {
                    numbers = numbers.merge(constant(Float.parseFloat(feature.fill()), s.missing()));
                }
                stats[j] = numbers;
            }
            j += feature.width();
        }
        try {
            return Scaler.fit(kind, stats);
        } catch (Scaler.ColumnException e) {
            throw new DataException(source + ": column '" + inputNames().get(e.column()) + "': " + e.getMessage());
        }
    }

    /** The statistics of {@code n} cells that all hold {@code v}. */
    private static ColumnStats constant(double v, long n) {
        return new ColumnStats(n, 0, v, 0, v, v, Map.of());
    }

    /** Records that column {@code name} is left out for {@code reason}, with a warning. */
    static void leaveOut(String name, String reason, java.util.function.Consumer<String> warnings,
                         List<LeftOut> leftOut) {
        leftOut.add(new LeftOut(name, reason));
        warnings.accept("column '" + name + "' is left out: " + reason + "; --categorical " + name
                + " keeps it as one-hot inputs");
    }

    /**
     * This preprocessing (fitted with identity scalers, as {@link StreamingFit#unscaled()} is)
     * with its scalers fitted as {@link #fit(Table, DataSpec)} fits them, from the statistics of
     * every encoded input column ({@code inputs}, entries of one-hot inputs ignored) and of the
     * regression targets in original units ({@code targets}; ignored for classification).
     *
     * @throws DataException naming {@code source} and the column whose values cannot be scaled
     */
    public Preprocessing scaled(Scaling kind, ColumnStats[] inputs, ColumnStats[] targets, String source)
            throws DataException {
        ColumnStats[] stats = new ColumnStats[inputWidth()];
        int j = 0;
        for (Feature f : features) {
            for (int k = 0; k < f.width(); k++) {
                stats[j + k] = f.isCategorical() || kind == Scaling.NONE ? null : inputs[j + k];
            }
            j += f.width();
        }
        Scaler x;
        Scaler y = targetScaler;
        try {
            x = Scaler.fit(kind, stats);
        } catch (Scaler.ColumnException e) {
            throw new DataException(source + ": column '" + inputNames().get(e.column()) + "': " + e.getMessage());
        }
        if (task == Task.REGRESSION && kind != Scaling.NONE) {
            try {
                y = Scaler.fit(Scaling.STANDARD, targets);
            } catch (Scaler.ColumnException e) {
                throw new DataException(source + ": column '" + targetNames.get(e.column()) + "': " + e.getMessage());
            }
        }
        return new Preprocessing(task, features, x, targetNames, classLabels, y, unknown, leftOut);
    }

    /** The categories of a numeric column made categorical: its cells as written. */
    static ColumnStats textStats(Table table, int c) {
        Map<String, Long> counts = new TreeMap<>();
        long missing = 0;
        for (int r = 0; r < table.rows(); r++) {
            String cell = table.text(r, c);
            if (cell == null) {
                missing++;
            } else {
                counts.merge(cell, 1L, Long::sum);
            }
        }
        return new ColumnStats(table.rows() - missing, missing, 0, 0, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, counts);
    }

    /**
     * The days since 1970 of every present cell, sorted, when every category is an ISO date;
     * else null.
     */
    static double[] dates(ColumnStats stats) {
        if (stats.categories().isEmpty()) {
            return null;
        }
        List<double[]> values = new ArrayList<>();
        long n = 0;
        for (Map.Entry<String, Long> e : stats.categories().entrySet()) {
            double[] v = IsoDates.values(e.getKey());
            if (v == null) {
                return null;
            }
            values.add(new double[] {v[0], e.getValue()});
            n += e.getValue();
        }
        double[] days = new double[(int) Math.min(n, Integer.MAX_VALUE - 8)];
        int at = 0;
        for (double[] v : values) {
            for (long k = 0; k < (long) v[1] && at < days.length; k++) {
                days[at++] = v[0];
            }
        }
        java.util.Arrays.sort(days);
        return days;
    }

    /**
     * The scaled network inputs for the rows of {@code table}; its columns are matched by name.
     *
     * @throws DataException if a feature column is absent, holds a missing or non-numeric cell,
     *     or an unknown category
     */
    public Matrix features(Table table) throws DataException {
        return features(table, 0, table.rows());
    }

    /**
     * The scaled network inputs for rows {@code [from, to)} of {@code table}, as
     * {@link #features(Table)} encodes them (row {@code from} is row 0 of the result).
     */
    public Matrix features(Table table, int from, int to) throws DataException {
        java.util.Objects.checkFromToIndex(from, to, table.rows());
        int[] columns = columnsOf(table);
        checkNoMissing(table, columns, from, to);
        int width = inputWidth();
        Matrix x = Matrix.zeros(to - from, width);
        float[] data = x.data();
        int j = 0;
        for (int f = 0; f < features.size(); f++) {
            Feature feature = features.get(f);
            int c = columns[f];
            if (feature.date()) {
                float[][] inputs = dateInputs(table, c, feature, from, to);
                for (int r = from; r < to; r++) {
                    for (int k = 0; k < IsoDates.WIDTH; k++) {
                        data[(r - from) * width + j + k] = inputs[k][r - from];
                    }
                }
            } else if (!feature.isCategorical()) {
                float[] values = numbers(table, c);
                float fill = feature.fill() == null ? Float.NaN : Float.parseFloat(feature.fill());
                for (int r = from; r < to; r++) {
                    float v = values[r];
                    if (Float.isNaN(v)) {
                        if (Float.isNaN(fill)) {
                            throw missing(table, r, c);
                        }
                        v = fill;
                    }
                    data[(r - from) * width + j] = v;
                }
            } else {
                Map<String, Integer> index = new HashMap<>();
                for (int k = 0; k < feature.categories().size(); k++) {
                    index.put(feature.categories().get(k), k);
                }
                if (table.isNumeric(c)) {
                    // Numbers where categories were trained (a category column read as numbers): by their text.
                    for (int r = from; r < to; r++) {
                        int k = category(table, r, c, feature, index, table.text(r, c));
                        if (k >= 0) {
                            data[(r - from) * width + j + k] = 1f;
                        }
                    }
                } else {
                    // Each distinct cell is looked up once: dictionary code → category (-1: none, all zeros).
                    List<String> dictionary = table.dictionary(c);
                    int[] codes = table.codes(c);
                    int[] toCategory = new int[dictionary.size()];
                    java.util.Arrays.fill(toCategory, NOT_LOOKED_UP);
                    for (int r = from; r < to; r++) {
                        int code = codes[r];
                        int k;
                        if (code < 0) {
                            k = category(table, r, c, feature, index, null);
                        } else {
                            k = toCategory[code];
                            if (k == NOT_LOOKED_UP) {
                                k = category(table, r, c, feature, index, dictionary.get(code));
                                toCategory[code] = k;
                            }
                        }
                        if (k >= 0) {
                            data[(r - from) * width + j + k] = 1f;
                        }
                    }
                }
            }
            j += feature.width();
        }
        featureScaler.apply(data, to - from);
        return x;
    }

    /**
     * The network's targets for the rows of {@code table}: one-hot classes, or target columns
     * mapped by {@link #targetScaler()}.
     *
     * @throws DataException if a target column is absent, or a cell is missing, non-numeric
     *     (regression) or an unknown class
     */
    public Matrix targets(Table table) throws DataException {
        if (task == Task.CLASSIFICATION) {
            int[] ids = classIds(table);
            Matrix y = Matrix.zeros(table.rows(), classLabels.size());
            for (int r = 0; r < ids.length; r++) {
                y.data()[r * classLabels.size() + ids[r]] = 1f;
            }
            return y;
        }
        Matrix y = targetValues(table);
        targetScaler.apply(y.data(), y.rows());
        return y;
    }

    /** The class id (index into {@link #classLabels()}) of every row. */
    public int[] classIds(Table table) throws DataException {
        if (task != Task.CLASSIFICATION) {
            throw new IllegalStateException("class ids exist for classification only");
        }
        int c = targetColumn(table, targetNames.get(0));
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < classLabels.size(); k++) {
            index.put(classLabels.get(k), k);
        }
        int[] ids = new int[table.rows()];
        for (int r = 0; r < table.rows(); r++) {
            String cell = table.text(r, c);
            if (cell == null) {
                throw missingTarget(table, r, c);
            }
            Integer k = index.get(labelOf(table, r, c));
            if (k == null) {
                throw new DataException(at(table, r, c) + ": class '" + cell + "' was not seen in training (known: "
                        + String.join(", ", classLabels) + ")");
            }
            ids[r] = k;
        }
        return ids;
    }

    /** The regression targets in original units, {@code N × targets}. */
    public Matrix targetValues(Table table) throws DataException {
        if (task != Task.REGRESSION) {
            throw new IllegalStateException("target values exist for regression only");
        }
        Matrix y = Matrix.zeros(table.rows(), targetNames.size());
        for (int t = 0; t < targetNames.size(); t++) {
            int c = targetColumn(table, targetNames.get(t));
            float[] values = numbers(table, c);
            for (int r = 0; r < table.rows(); r++) {
                if (Float.isNaN(values[r])) {
                    throw missingTarget(table, r, c);
                }
                y.data()[r * targetNames.size() + t] = values[r];
            }
        }
        return y;
    }

    /** True when {@code table} has every target column (so it can be evaluated). */
    public boolean hasTargets(Table table) {
        return targetNames.stream().allMatch(n -> table.indexOf(n) >= 0);
    }

    /** The name of every network input: the column, or {@code column=category} for one-hot inputs. */
    public List<String> inputNames() {
        List<String> names = new ArrayList<>();
        for (Feature f : features) {
            if (f.date()) {
                for (String suffix : IsoDates.INPUTS) {
                    names.add(f.name() + "." + suffix);
                }
            } else if (f.isCategorical()) {
                f.categories().forEach(c -> names.add(f.name() + "=" + c));
                if (f.other()) {
                    names.add(f.name() + "=" + OTHER);
                }
            } else {
                names.add(f.name());
            }
        }
        return names;
    }

    /**
     * The feature scaler, fitted column by column from {@link ColumnStats} (one-hot inputs keep
     * shift 0 and scale 1), without building the input matrix; a missing cell is filled as
     * {@link #features} fills it, or reported.
     */
    private Scaler fitFeatureScaler(Table table, Scaling kind) throws DataException {
        int[] columns = columnsOf(table);
        checkNoMissing(table, columns);
        ColumnStats[] stats = new ColumnStats[inputWidth()];
        int j = 0;
        for (int f = 0; f < features.size(); f++) {
            Feature feature = features.get(f);
            if (feature.date()) {
                float[][] inputs = dateInputs(table, columns[f], feature, 0, table.rows());
                for (int k = 0; k < IsoDates.WIDTH; k++) {
                    stats[j + k] = kind == Scaling.NONE ? null : ColumnStats.of(inputs[k]);
                }
            } else if (!feature.isCategorical()) {
                int c = columns[f];
                float[] values = numbers(table, c);
                if (feature.fill() != null) {
                    float fill = Float.parseFloat(feature.fill());
                    values = values.clone();
                    for (int r = 0; r < values.length; r++) {
                        if (Float.isNaN(values[r])) {
                            values[r] = fill;
                        }
                    }
                }
                stats[j] = kind == Scaling.NONE ? null : ColumnStats.of(values);
            }
            j += feature.width();
        }
        try {
            return Scaler.fit(kind, stats);
        } catch (Scaler.ColumnException e) {
            throw new DataException(table.source() + ": column '" + inputNames().get(e.column()) + "': " + e.getMessage());
        }
    }

    /** The index in {@code table} of every feature column; absent columns are an error naming them. */
    private int[] columnsOf(Table table) throws DataException {
        int[] columns = new int[features.size()];
        List<String> absent = new ArrayList<>();
        for (int f = 0; f < features.size(); f++) {
            columns[f] = table.indexOf(features.get(f).name());
            if (columns[f] < 0) {
                absent.add(features.get(f).name());
            }
        }
        if (!absent.isEmpty()) {
            throw new DataException(table.source() + ": missing feature column" + (absent.size() > 1 ? "s " : " ")
                    + String.join(", ", absent) + " (the model reads " + String.join(", ", featureNames())
                    + "; the file has " + String.join(", ", table.names()) + ")");
        }
        return columns;
    }

    /** True when row r of column c is missing. */
    private static boolean isMissing(Table table, int r, int c) {
        return table.isNumeric(c) ? Float.isNaN(table.numbers(c)[r]) : table.codes(c)[r] < 0;
    }

    /** Fits a scaler, reporting a column whose values cannot be scaled in float32 with its name. */
    private static Scaler fitScaler(Table table, Scaling kind, Matrix m, boolean[] fixed, List<String> names)
            throws DataException {
        try {
            return Scaler.fit(kind, m.data(), m.rows(), m.cols(), fixed);
        } catch (Scaler.ColumnException e) {
            throw new DataException(table.source() + ": column '" + names.get(e.column()) + "': " + e.getMessage());
        }
    }

    private static final int NOT_LOOKED_UP = -2;

    /** Known categories an unknown-category message lists before "… and N more". */
    private static final int KNOWN_SHOWN = 5;

    /**
     * The one-hot index of one cell: its category; the "other" input for any other category
     * when the feature has one; else -1 (all zeros) under {@link UnknownCategory#IGNORE}, or an
     * error naming the column, line, value and a few known categories. A missing cell takes
     * the fill value, or is an error.
     */
    private int category(Table table, int r, int c, Feature feature, Map<String, Integer> index, String cell)
            throws DataException {
        if (cell == null) {
            if (feature.fill() == null) {
                throw missing(table, r, c);
            }
            cell = feature.fill();
        }
        Integer k = index.get(cell.strip());
        if (k != null) {
            return k;
        }
        if (feature.other()) {
            return feature.categories().size();
        }
        if (unknown == UnknownCategory.IGNORE) {
            return -1;
        }
        List<String> known = feature.categories();
        String shown = String.join(", ", known.subList(0, Math.min(KNOWN_SHOWN, known.size())));
        if (known.size() > KNOWN_SHOWN) {
            shown += String.format(java.util.Locale.ROOT, " … and %,d more", known.size() - KNOWN_SHOWN);
        }
        throw new DataException(at(table, r, c) + ": unknown category '" + cell + "' (known: " + shown
                + "); train with --unknown ignore to encode unseen categories as all zeros");
    }

    /**
     * The three inputs (days, month, weekday) of date feature column {@code c} for rows
     * {@code [from, to)}; each distinct cell is parsed once.
     */
    private static float[][] dateInputs(Table table, int c, Feature feature, int from, int to) throws DataException {
        float[][] out = new float[IsoDates.WIDTH][to - from];
        float[] one = new float[IsoDates.WIDTH];
        float[] fill = null;
        if (feature.fill() != null) {
            fill = new float[IsoDates.WIDTH];
            IsoDates.encode(feature.fill(), fill, 0);
        }
        Map<String, float[]> parsed = new HashMap<>();
        for (int r = from; r < to; r++) {
            String cell = table.text(r, c);
            float[] v;
            if (cell == null) {
                if (fill == null) {
                    throw missing(table, r, c);
                }
                v = fill;
            } else {
                v = parsed.get(cell);
                if (v == null) {
                    if (!IsoDates.encode(cell, one, 0)) {
                        throw new DataException(at(table, r, c) + ": '" + cell + "' is not an ISO-8601 date "
                                + "(yyyy-mm-dd, optionally with a time)");
                    }
                    v = one.clone();
                    parsed.put(cell, v);
                }
            }
            for (int k = 0; k < IsoDates.WIDTH; k++) {
                out[k][r - from] = v[k];
            }
        }
        return out;
    }

    /** Reports the first missing cell, in file order, of a feature that has no fill value. */
    private void checkNoMissing(Table table, int[] columns) throws DataException {
        checkNoMissing(table, columns, 0, table.rows());
    }

    /** As {@link #checkNoMissing(Table, int[])}, for rows {@code [from, to)}. */
    private void checkNoMissing(Table table, int[] columns, int from, int to) throws DataException {
        int firstRow = Integer.MAX_VALUE;
        int firstColumn = -1;
        for (int f = 0; f < features.size(); f++) {
            if (features.get(f).fill() != null) {
                continue;
            }
            int c = columns[f];
            for (int r = from; r < to && r <= firstRow; r++) {
                if (isMissing(table, r, c)) {
                    if (r < firstRow) {   // the earliest row; among equal rows, the first feature
                        firstRow = r;
                        firstColumn = c;
                    }
                    break;
                }
            }
        }
        if (firstColumn >= 0) {
            throw missing(table, firstRow, firstColumn);
        }
    }

    // ---- fitting helpers ------------------------------------------------------------------

    static List<Integer> resolveTargets(Table table, List<String> requested) throws DataException {
        return resolveTargets(table.source(), table.names(), requested);
    }

    private static List<Integer> resolveTargets(String source, List<String> names, List<String> requested) throws DataException {
        if (requested.isEmpty()) {
            return List.of(names.size() - 1);
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (String name : requested) {
            int c = names.indexOf(name);
            if (c < 0) {
                try {
                    int i = Integer.parseInt(name.strip());
                    c = i < 0 ? names.size() + i : i;
                    if (c < 0 || c >= names.size()) {
                        throw new DataException(source + ": target column index " + name + " is outside 0.."
                                + (names.size() - 1));
                    }
                } catch (NumberFormatException e) {
                    throw new DataException(source + ": no target column '" + name + "'; available: "
                            + String.join(", ", names));
                }
            }
            if (!out.add(c)) {
                throw new DataException(source + ": target column '" + names.get(c) + "' named twice");
            }
        }
        return List.copyOf(out);
    }

    static List<Integer> resolveFeatures(Table table, DataSpec spec, List<Integer> targets) throws DataException {
        return resolveFeatures(table.source(), table.names(), spec, targets);
    }

    private static List<Integer> resolveFeatures(String source, List<String> names, DataSpec spec,
                                                 List<Integer> targets)
            throws DataException {
        for (String name : spec.drop()) {
            if (names.indexOf(name) < 0) {
                throw new DataException(source + ": cannot drop column '" + name + "': no such column; available: "
                        + String.join(", ", names));
            }
        }
        List<Integer> out = new ArrayList<>();
        if (!spec.features().isEmpty()) {
            for (String name : spec.features()) {
                int c = names.indexOf(name);
                if (c < 0) {
                    throw new DataException(source + ": no feature column '" + name + "'; available: "
                            + String.join(", ", names));
                }
                if (targets.contains(c)) {
                    throw new DataException(source + ": column '" + name + "' is both a feature and a target");
                }
                if (!spec.drop().contains(name) && !out.contains(c)) {
                    out.add(c);
                }
            }
        } else {
            for (int c = 0; c < names.size(); c++) {
                if (!targets.contains(c) && !spec.drop().contains(names.get(c))) {
                    out.add(c);
                }
            }
        }
        if (out.isEmpty()) {
            throw new DataException(source + ": no feature columns are left (columns: "
                    + String.join(", ", names) + ")");
        }
        return out;
    }

    /** The fill of a numeric column: mean or median of its present training values, or null. */
    private static String numericFill(Table table, int c, Impute impute) throws DataException {
        if (impute == Impute.NONE) {
            return null;
        }
        float[] values = table.numbers(c);
        float[] present = new float[values.length];
        int n = 0;
        double sum = 0;
        for (float v : values) {
            if (!Float.isNaN(v)) {
                present[n++] = v;
                sum += v;
            }
        }
        if (n == 0) {
            throw new DataException(table.source() + ": column '" + table.names().get(c)
                    + "' has no values to impute from");
        }
        if (impute == Impute.MEAN) {
            return Float.toString((float) (sum / n));
        }
        float[] sorted = java.util.Arrays.copyOf(present, n);
        java.util.Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
        return Float.toString((float) median);
    }

    private static List<String> classLabels(Table table, List<Integer> targets) throws DataException {
        if (targets.size() != 1) {
            throw new DataException(table.source() + ": classification takes one target column, got "
                    + targets.stream().map(c -> table.names().get(c)).toList());
        }
        int c = targets.get(0);
        Set<String> labels = new LinkedHashSet<>();
        for (int r = 0; r < table.rows(); r++) {
            if (table.text(r, c) == null) {
                throw missingTarget(table, r, c);
            }
            labels.add(labelOf(table, r, c));
        }
        return sortLabels(table.source(), table.names().get(c), labels);
    }

    /**
     * Class labels in output order: numerically when every label is a number, else as text.
     *
     * @throws DataException when there are fewer than two
     */
    static List<String> sortLabels(String source, String column, Set<String> labels) throws DataException {
        List<String> sorted = new ArrayList<>(labels);
        boolean numeric = sorted.stream().allMatch(l -> !Float.isNaN(Table.parseNumber(l)));
        // Numerically when every label is a number (ties, such as 1 and 1.0, by their text), else as text.
        sorted.sort(numeric ? Comparator.comparing((String l) -> new java.math.BigDecimal(l))
                .thenComparing(Comparator.naturalOrder()) : Comparator.naturalOrder());
        if (sorted.size() < 2) {
            throw new DataException(source + ": target column '" + column + "' has only one class ("
                    + (sorted.isEmpty() ? "none" : sorted.get(0)) + "); classification needs at least two");
        }
        return sorted;
    }

    /** A class label: the cell as written (without surrounding spaces), so {@code 007} stays {@code 007}. */
    static String labelOf(Table table, int r, int c) {
        return table.text(r, c).strip();
    }

    private static int targetColumn(Table table, String name) throws DataException {
        int c = table.indexOf(name);
        if (c < 0) {
            throw new DataException(table.source() + ": no target column '" + name + "'; available: "
                    + String.join(", ", table.names()));
        }
        return c;
    }

    /** A text column some of whose cells are numbers and some not is an error naming the first text cell. */
    private static void checkNotMixed(Table table, int c) throws DataException {
        boolean anyNumber = false;
        boolean anyText = false;
        for (String cell : table.dictionary(c)) {
            boolean number = !Float.isNaN(Table.parseNumber(cell));
            anyNumber |= number;
            anyText |= !number;
        }
        if (anyNumber && anyText) {
            throw nonNumeric(table, c);
        }
    }

    /**
     * Column {@code c}'s numbers (NaN where missing): a numeric column as read, or a column read
     * as text whose cells here are all numbers, by their text — a chunk of a streamed file whose
     * column holds text further on, where the error names the line.
     */
    static float[] numbers(Table table, int c) throws DataException {
        if (table.isNumeric(c)) {
            return table.numbers(c);
        }
        List<String> dictionary = table.dictionary(c);
        float[] byCode = new float[dictionary.size()];
        for (int k = 0; k < byCode.length; k++) {
            byCode[k] = Table.parseNumber(dictionary.get(k));
        }
        int[] codes = table.codes(c);
        float[] out = new float[table.rows()];
        for (int r = 0; r < out.length; r++) {
            if (codes[r] < 0) {
                out[r] = Float.NaN;
            } else if (Float.isNaN(out[r] = byCode[codes[r]])) {
                throw nonNumeric(table, c);
            }
        }
        return out;
    }

    static DataException nonNumeric(Table table, int c) {
        if (!table.isNumeric(c)) {
            List<String> dictionary = table.dictionary(c);
            boolean[] text = new boolean[dictionary.size()];
            for (int k = 0; k < text.length; k++) {
                text[k] = Float.isNaN(Table.parseNumber(dictionary.get(k)));
            }
            int[] codes = table.codes(c);
            for (int r = 0; r < table.rows(); r++) {
                if (codes[r] >= 0 && text[codes[r]]) {
                    return new DataException(at(table, r, c) + ": '" + dictionary.get(codes[r])
                            + "' is not a finite number");
                }
            }
        }
        return new DataException(table.source() + ": column '" + table.names().get(c) + "' is not numeric");
    }

    static DataException missing(Table table, int r, int c) {
        return new DataException(at(table, r, c) + ": missing value, and the column has no fill value (train with "
                + "--impute mean or --impute median to fill missing feature cells, or leave the column out with --drop)");
    }

    /** A missing target cell: never filled, whatever {@code --impute} says. */
    static DataException missingTarget(Table table, int r, int c) {
        return new DataException(at(table, r, c) + ": missing target value (targets are never imputed; --impute "
                + "fills missing feature cells only): remove the row or fill in its target");
    }

    private static String at(Table table, int r, int c) {
        return table.source() + ": line " + table.line(r) + ", column '" + table.names().get(c) + "'";
    }
}
