package dev.gradus.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The column decisions of {@link Preprocessing#fit(Table, DataSpec, Consumer)}, taken from rows
 * that arrive a chunk at a time ({@link Csv#stream}) instead of from a whole table: the task,
 * the feature columns and their types, categories, fill values and the class labels. The
 * scalers are left out ({@link #unscaled()} has identity scalers): they are fitted from the
 * encoded rows by {@link FeatureStats}, so that preprocessing fitted this way equals, bit for
 * bit, the one fitted on the whole table.
 *
 * <p>What it keeps is per column: a sum and count for numeric columns, the category counts of
 * text columns ({@link ColumnStats}, merged chunk by chunk) and the class labels. A text column
 * whose distinct values pass {@link #DISTINCT_LIMIT} stops being counted and is left out as an
 * id (a whole table would leave it out too unless it has more than twice as many rows); with
 * {@code --categorical} it is an error. Median imputation takes the exact median of each numeric
 * column from more readings of the rows ({@link #anotherPass()}: a {@link RadixSelect}, 16 KB a
 * column), as the whole column's sorted values give it.
 */
public final class StreamingFit implements Csv.Chunks {

    /** Distinct values of one text column beyond which it is left out without being counted further. */
    public static final int DISTINCT_LIMIT = 100_000;

    private final DataSpec spec;
    private final Consumer<String> warnings;
    private String source;
    private List<String> names;
    private boolean[] numeric;
    private List<Integer> targets;
    private List<Integer> featureColumns;
    private Task task;
    private long rows;
    private long[] present;            // numeric features: present cells
    private double[] sums;             // numeric features: Σ present cells, in file order (as numericFill sums)
    private ColumnStats[] texts;       // text (or forced categorical) features: category counts; null past the limit
    private long[] textRows;           // rows seen by a text feature once it passed the limit
    private String[] firstText;        // text features: the first cell that is not a number, "line N: cell"
    private boolean[] anyNumber;       // text features: some cell is a number
    private Set<String> labels;
    private RadixSelect medians;       // --impute median: the numeric features' exact medians; else null
    private int pass;                  // readings of the rows ended so far

    /** A fit of {@code spec}; warnings (columns left out, categories merged) go to {@code warnings}. */
    public StreamingFit(DataSpec spec, Consumer<String> warnings) {
        this.spec = spec;
        this.warnings = warnings;
    }

    @Override
    public void restart() {
        if (pass > 0) {
            medians.restart();
            return;
        }
        names = null;
        rows = 0;
    }

    /**
     * Ends a reading of the rows and says whether the fit needs them once more, with the same
     * columns read as text ({@link #textColumns()}): median imputation reads them three times in
     * all. Call it after every reading, until it is false.
     */
    public boolean anotherPass() {
        if (medians == null) {
            return false;
        }
        pass++;
        return medians.endPass();
    }

    @Override
    public void accept(Table chunk) throws DataException {
        if (pass > 0) {   // a further reading for the medians: the numeric features only
            for (int f = 0; f < featureColumns.size(); f++) {
                if (texts[f] == null && textRows[f] < 0) {
                    medians.add(f, chunk.numbers(featureColumns.get(f)));
                }
            }
            return;
        }
        if (names == null) {
            start(chunk);
        }
        rows += chunk.rows();
        for (int f = 0; f < featureColumns.size(); f++) {
            int c = featureColumns.get(f);
            if (texts[f] == null && textRows[f] < 0) {
                float[] v = chunk.numbers(c);
                if (medians != null) {
                    medians.add(f, v);
                }
                for (float x : v) {
                    if (!Float.isNaN(x)) {
                        present[f]++;
                        sums[f] += x;
                    }
                }
                continue;
            }
            if (texts[f] == null) {
                textRows[f] += chunk.rows();
                continue;
            }
            ColumnStats s = chunk.isNumeric(c) ? Preprocessing.textStats(chunk, c)
                    : ColumnStats.ofCodes(chunk.codes(c), chunk.dictionary(c));
            texts[f] = texts[f].merge(s);
            String name = names.get(c);
            if (!chunk.isNumeric(c) && !spec.categorical().contains(name)) {
                noteMixed(chunk, f, c);
            }
            if (texts[f].categories().size() > DISTINCT_LIMIT) {
                if (spec.categorical().contains(name)) {
                    throw new DataException(source + ": --categorical " + name + ": more than "
                            + String.format(java.util.Locale.ROOT, "%,d", DISTINCT_LIMIT) + " distinct values "
                            + "(by line " + chunk.line(chunk.rows() - 1) + "); too many to one-hot encode");
                }
                textRows[f] = texts[f].count() + texts[f].missing();
                texts[f] = null;
            }
        }
        if (task == Task.CLASSIFICATION) {
            int c = targets.get(0);
            for (int r = 0; r < chunk.rows(); r++) {
                if (chunk.text(r, c) == null) {
                    throw Preprocessing.missingTarget(chunk, r, c);
                }
                labels.add(Preprocessing.labelOf(chunk, r, c));
            }
        }
    }

    private void start(Table chunk) throws DataException {
        source = chunk.source();
        names = chunk.names();
        for (String name : spec.categorical()) {
            if (chunk.indexOf(name) < 0) {
                throw new DataException(source + ": --categorical " + name + ": no such column; available: "
                        + String.join(", ", names));
            }
        }
        numeric = new boolean[names.size()];
        for (int c = 0; c < numeric.length; c++) {
            numeric[c] = chunk.isNumeric(c);
        }
        targets = Preprocessing.resolveTargets(chunk, spec.targets());
        task = spec.task() != null ? spec.task()
                : targets.stream().allMatch(c -> numeric[c]) ? Task.REGRESSION : Task.CLASSIFICATION;
        if (task == Task.CLASSIFICATION && targets.size() != 1) {
            throw new DataException(source + ": classification takes one target column, got "
                    + targets.stream().map(names::get).toList());
        }
        featureColumns = Preprocessing.resolveFeatures(chunk, spec, targets);
        int n = featureColumns.size();
        present = new long[n];
        sums = new double[n];
        texts = new ColumnStats[n];
        textRows = new long[n];
        firstText = new String[n];
        anyNumber = new boolean[n];
        for (int f = 0; f < n; f++) {
            int c = featureColumns.get(f);
            boolean asText = !numeric[c] || spec.categorical().contains(names.get(c));
            texts[f] = asText ? ColumnStats.empty() : null;
            textRows[f] = asText ? 0 : -1;
        }
        labels = new LinkedHashSet<>();
        medians = spec.impute() == Impute.MEDIAN ? new RadixSelect(n) : null;
    }

    /** Remembers whether text column {@code c} has cells that are numbers, and its first one that is not. */
    private void noteMixed(Table chunk, int f, int c) {
        List<String> dictionary = chunk.dictionary(c);
        boolean[] text = new boolean[dictionary.size()];
        for (int k = 0; k < text.length; k++) {
            text[k] = Float.isNaN(Table.parseNumber(dictionary.get(k)));
            anyNumber[f] |= !text[k];
        }
        if (firstText[f] == null) {
            int[] codes = chunk.codes(c);
            for (int r = 0; r < codes.length; r++) {
                if (codes[r] >= 0 && text[codes[r]]) {
                    firstText[f] = source + ": line " + chunk.line(r) + ", column '" + names.get(c) + "': '"
                            + dictionary.get(codes[r]) + "' is not a finite number";
                    break;
                }
            }
        }
    }

    /** The number of rows read. */
    public long rows() {
        return rows;
    }

    /** The task, known once a row has been read. */
    public Task task() {
        return task;
    }

    /** The target columns, known once a row has been read. */
    public List<String> targetNames() {
        return targets.stream().map(names::get).toList();
    }

    /** The columns read as text (for reading the file again with the same types). */
    public List<String> textColumns() {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < numeric.length; c++) {
            if (!numeric[c]) {
                out.add(names.get(c));
            }
        }
        return out;
    }

    /**
     * The preprocessing of every row read, with identity scalers; warnings are given here. With
     * median imputation, once {@link #anotherPass()} is false.
     *
     * @throws DataException as {@link Preprocessing#fit(Table, DataSpec, Consumer)} would, naming
     *     the file, and the line and column where one is at fault
     */
    public Preprocessing unscaled() throws DataException {
        if (names == null) {
            throw new DataException("no rows were read");
        }
        List<Preprocessing.Feature> features = new ArrayList<>();
        List<Preprocessing.LeftOut> leftOut = new ArrayList<>();
        for (int f = 0; f < featureColumns.size(); f++) {
            String name = names.get(featureColumns.get(f));
            boolean forced = spec.categorical().contains(name);
            if (textRows[f] < 0) {
                String fill = null;
                if (spec.impute() != Impute.NONE) {
                    if (present[f] == 0) {
                        throw new DataException(source + ": column '" + name + "' has no values to impute from");
                    }
                    fill = Float.toString((float) (spec.impute() == Impute.MEDIAN ? medians.median(f)
                            : sums[f] / present[f]));
                }
                features.add(new Preprocessing.Feature(name, List.of(), fill));
                continue;
            }
            if (texts[f] == null) {
                Preprocessing.leaveOut(name, String.format(java.util.Locale.ROOT, "more than %,d distinct values in "
                        + "%,d rows (an id or a name?)", DISTINCT_LIMIT, textRows[f]), warnings, leftOut);
                continue;
            }
            if (!forced && anyNumber[f] && firstText[f] != null) {
                throw new DataException(firstText[f]);
            }
            Preprocessing.Feature feature = Preprocessing.textFeature(source, name, texts[f], forced, spec, warnings,
                    leftOut);
            if (feature != null) {
                features.add(feature);
            }
        }
        if (features.isEmpty()) {
            throw new DataException(source + ": no feature columns are left: "
                    + leftOut.stream().map(l -> l.name() + " (" + l.reason() + ")").collect(
                            java.util.stream.Collectors.joining(", "))
                    + "; --categorical COL keeps a column");
        }
        List<String> targetNames = targets.stream().map(names::get).toList();
        List<String> classLabels = task == Task.CLASSIFICATION
                ? Preprocessing.sortLabels(source, targetNames.get(0), labels) : List.of();
        int width = features.stream().mapToInt(Preprocessing.Feature::width).sum();
        return new Preprocessing(task, features, Scaler.identity(width), targetNames, classLabels,
                Scaler.identity(task == Task.CLASSIFICATION ? classLabels.size() : targetNames.size()), spec.unknown(),
                leftOut);
    }
}
