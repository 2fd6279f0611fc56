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
                            List<String> classLabels, Scaler targetScaler) {

    /**
     * One input column: numeric when {@code categories} is empty, else categorical with one
     * network input per category (one-hot, in this order).
     *
     * @param fill what a missing cell becomes (a number's text, or a category), or
     *     {@code null} when a missing cell is an error
     */
    public record Feature(String name, List<String> categories, String fill) {
        public Feature {
            Objects.requireNonNull(name, "name");
            categories = List.copyOf(categories);
            if (fill != null && (categories.isEmpty() ? Float.isNaN(Table.parseNumber(fill)) : !categories.contains(fill))) {
                throw new IllegalArgumentException("feature '" + name + "': fill value '" + fill + "' is not "
                        + (categories.isEmpty() ? "a finite number" : "one of its categories"));
            }
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
            return isCategorical() ? categories.size() : 1;
        }
    }

    public Preprocessing {
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
     * Fits the preprocessing to training rows.
     *
     * @throws DataException naming the file, and the line and column where one is at fault
     */
    public static Preprocessing fit(Table table, DataSpec spec) throws DataException {
        List<Integer> targetColumns = resolveTargets(table, spec.targets());
        List<String> targetNames = targetColumns.stream().map(c -> table.names().get(c)).toList();
        Task task = spec.task();
        if (task == null) {
            task = targetColumns.stream().allMatch(table::isNumeric) ? Task.REGRESSION : Task.CLASSIFICATION;
        }
        List<Integer> featureColumns = resolveFeatures(table, spec, targetColumns);

        List<Feature> features = new ArrayList<>();
        for (int c : featureColumns) {
            String name = table.names().get(c);
            if (table.isNumeric(c)) {
                features.add(new Feature(name, List.of(), numericFill(table, c, spec.impute())));
            } else {
                checkNotMixed(table, c);
                Map<String, Integer> counts = new TreeMap<>();
                for (int r = 0; r < table.rows(); r++) {
                    String cell = table.text(r, c);
                    if (cell != null) {   // a missing cell is reported, or filled, by features(table)
                        counts.merge(cell.strip(), 1, Integer::sum);
                    }
                }
                String mode = null;
                for (Map.Entry<String, Integer> e : counts.entrySet()) {
                    if (mode == null || e.getValue() > counts.get(mode)) {
                        mode = e.getKey();
                    }
                }
                features.add(new Feature(name, new ArrayList<>(counts.keySet()),
                        spec.impute() == Impute.NONE ? null : mode));
            }
        }
        List<String> labels = task == Task.CLASSIFICATION ? classLabels(table, targetColumns) : List.of();
        Preprocessing unscaled = new Preprocessing(task, features,
                Scaler.identity(features.stream().mapToInt(Feature::width).sum()), targetNames, labels,
                Scaler.identity(task == Task.CLASSIFICATION ? labels.size() : targetNames.size()));
        Matrix x = unscaled.features(table);
        boolean[] oneHot = new boolean[x.cols()];
        int j = 0;
        for (Feature f : features) {
            for (int k = 0; k < f.width(); k++) {
                oneHot[j++] = f.isCategorical();
            }
        }
        Scaler featureScaler = fitScaler(table, spec.scaling(), x, oneHot, unscaled.inputNames());
        Scaler targetScaler = unscaled.targetScaler;
        if (task == Task.REGRESSION && spec.scaling() != Scaling.NONE) {
            targetScaler = fitScaler(table, Scaling.STANDARD, unscaled.targets(table), null, targetNames);
        }
        return new Preprocessing(task, features, featureScaler, targetNames, unscaled.classLabels, targetScaler);
    }

    /**
     * The scaled network inputs for the rows of {@code table}; its columns are matched by name.
     *
     * @throws DataException if a feature column is absent, holds a missing or non-numeric cell,
     *     or an unknown category
     */
    public Matrix features(Table table) throws DataException {
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
        checkNoMissing(table, columns);
        int width = inputWidth();
        Matrix x = Matrix.zeros(table.rows(), width);
        float[] data = x.data();
        int j = 0;
        for (int f = 0; f < features.size(); f++) {
            Feature feature = features.get(f);
            int c = columns[f];
            if (!feature.isCategorical()) {
                if (!table.isNumeric(c)) {
                    throw nonNumeric(table, c);
                }
                float[] values = table.numbers(c);
                float fill = feature.fill() == null ? Float.NaN : Float.parseFloat(feature.fill());
                for (int r = 0; r < table.rows(); r++) {
                    float v = values[r];
                    if (Float.isNaN(v)) {
                        if (Float.isNaN(fill)) {
                            throw missing(table, r, c);
                        }
                        v = fill;
                    }
                    data[r * width + j] = v;
                }
            } else {
                Map<String, Integer> index = new HashMap<>();
                for (int k = 0; k < feature.categories().size(); k++) {
                    index.put(feature.categories().get(k), k);
                }
                for (int r = 0; r < table.rows(); r++) {
                    String cell = table.text(r, c);
                    if (cell == null) {
                        if (feature.fill() == null) {
                            throw missing(table, r, c);
                        }
                        cell = feature.fill();
                    }
                    Integer k = index.get(cell.strip());
                    if (k == null) {
                        throw new DataException(at(table, r, c) + ": unknown category '" + cell + "' (known: "
                                + String.join(", ", feature.categories()) + ")");
                    }
                    data[r * width + j + k] = 1f;
                }
            }
            j += feature.width();
        }
        featureScaler.apply(data, table.rows());
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
            if (!table.isNumeric(c)) {
                throw nonNumeric(table, c);
            }
            float[] values = table.numbers(c);
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
            if (f.isCategorical()) {
                f.categories().forEach(c -> names.add(f.name() + "=" + c));
            } else {
                names.add(f.name());
            }
        }
        return names;
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

    /** Reports the first missing cell, in file order, of a feature that has no fill value. */
    private void checkNoMissing(Table table, int[] columns) throws DataException {
        for (int r = 0; r < table.rows(); r++) {
            for (int f = 0; f < features.size(); f++) {
                if (features.get(f).fill() == null && table.text(r, columns[f]) == null) {
                    throw missing(table, r, columns[f]);
                }
            }
        }
    }

    // ---- fitting helpers ------------------------------------------------------------------

    private static List<Integer> resolveTargets(Table table, List<String> requested) throws DataException {
        if (requested.isEmpty()) {
            return List.of(table.columnCount() - 1);
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (String name : requested) {
            int c = table.indexOf(name);
            if (c < 0) {
                try {
                    int i = Integer.parseInt(name.strip());
                    c = i < 0 ? table.columnCount() + i : i;
                    if (c < 0 || c >= table.columnCount()) {
                        throw new DataException(table.source() + ": target column index " + name + " is outside 0.."
                                + (table.columnCount() - 1));
                    }
                } catch (NumberFormatException e) {
                    throw new DataException(table.source() + ": no target column '" + name + "'; available: "
                            + String.join(", ", table.names()));
                }
            }
            if (!out.add(c)) {
                throw new DataException(table.source() + ": target column '" + table.names().get(c) + "' named twice");
            }
        }
        return List.copyOf(out);
    }

    private static List<Integer> resolveFeatures(Table table, DataSpec spec, List<Integer> targets)
            throws DataException {
        for (String name : spec.drop()) {
            if (table.indexOf(name) < 0) {
                throw new DataException(table.source() + ": cannot drop column '" + name + "': no such column; available: "
                        + String.join(", ", table.names()));
            }
        }
        List<Integer> out = new ArrayList<>();
        if (!spec.features().isEmpty()) {
            for (String name : spec.features()) {
                int c = table.indexOf(name);
                if (c < 0) {
                    throw new DataException(table.source() + ": no feature column '" + name + "'; available: "
                            + String.join(", ", table.names()));
                }
                if (targets.contains(c)) {
                    throw new DataException(table.source() + ": column '" + name + "' is both a feature and a target");
                }
                if (!spec.drop().contains(name) && !out.contains(c)) {
                    out.add(c);
                }
            }
        } else {
            for (int c = 0; c < table.columnCount(); c++) {
                if (!targets.contains(c) && !spec.drop().contains(table.names().get(c))) {
                    out.add(c);
                }
            }
        }
        if (out.isEmpty()) {
            throw new DataException(table.source() + ": no feature columns are left (columns: "
                    + String.join(", ", table.names()) + ")");
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
        List<String> sorted = new ArrayList<>(labels);
        boolean numeric = sorted.stream().allMatch(l -> !Float.isNaN(Table.parseNumber(l)));
        // Numerically when every label is a number (ties, such as 1 and 1.0, by their text), else as text.
        sorted.sort(numeric ? Comparator.comparing((String l) -> new java.math.BigDecimal(l))
                .thenComparing(Comparator.naturalOrder()) : Comparator.naturalOrder());
        if (sorted.size() < 2) {
            throw new DataException(table.source() + ": target column '" + table.names().get(c)
                    + "' has only one class (" + sorted.get(0) + "); classification needs at least two");
        }
        return sorted;
    }

    /** A class label: the cell as written (without surrounding spaces), so {@code 007} stays {@code 007}. */
    private static String labelOf(Table table, int r, int c) {
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

    private static void checkNotMixed(Table table, int c) throws DataException {
        int firstNumber = -1;
        int firstText = -1;
        for (int r = 0; r < table.rows() && (firstNumber < 0 || firstText < 0); r++) {
            String cell = table.text(r, c);
            if (cell == null) {
                continue;
            }
            if (Float.isNaN(Table.parseNumber(cell))) {
                firstText = firstText < 0 ? r : firstText;
            } else {
                firstNumber = firstNumber < 0 ? r : firstNumber;
            }
        }
        if (firstNumber >= 0 && firstText >= 0) {
            throw nonNumeric(table, c);
        }
    }

    private static DataException nonNumeric(Table table, int c) {
        for (int r = 0; r < table.rows(); r++) {
            String cell = table.text(r, c);
            if (cell != null && Float.isNaN(Table.parseNumber(cell))) {
                return new DataException(at(table, r, c) + ": '" + cell + "' is not a finite number");
            }
        }
        return new DataException(table.source() + ": column '" + table.names().get(c) + "' is not numeric");
    }

    private static DataException missing(Table table, int r, int c) {
        return new DataException(at(table, r, c) + ": missing value (no imputation was chosen)");
    }

    /** A missing target cell: never filled, whatever {@code --impute} says. */
    private static DataException missingTarget(Table table, int r, int c) {
        return new DataException(at(table, r, c) + ": missing target value (targets are never imputed; --impute "
                + "fills missing feature cells only): remove the row or fill in its target");
    }

    private static String at(Table table, int r, int c) {
        return table.source() + ": line " + table.line(r) + ", column '" + table.names().get(c) + "'";
    }
}
