package dev.gradus.data;

import java.util.List;
import java.util.Objects;

/**
 * Where the row weights {@code wᵢ} of the weighted loss {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} come from: a
 * sample-weight column of the table (scikit-learn's {@code sample_weight}), class weights
 * (its {@code class_weight}), or both, multiplied. The sample-weight column is never a feature.
 *
 * <pre>{@code
 * RowWeights w = RowWeights.NONE.withColumn("importance").withClasses(ClassWeights.BALANCED);
 * double[] perClass = w.classWeights(prep, train);        // fitted on the training rows
 * float[] wTrain = w.rowWeights(train, prep, perClass);   // null when nothing is weighted
 * }</pre>
 *
 * @param column the sample-weight column's name, or {@code null} for none
 * @param classes the class weights ({@link ClassWeights#NONE} for none)
 */
public record RowWeights(String column, ClassWeights classes) {

    /** Every row weighs 1. */
    public static final RowWeights NONE = new RowWeights(null, ClassWeights.NONE);

    public RowWeights {
        Objects.requireNonNull(classes, "classes");
        if (column != null && column.isBlank()) {
            throw new IllegalArgumentException("the sample-weight column name is empty");
        }
    }

    /** With sample weights from {@code value} (a column name; {@code null}: none). */
    public RowWeights withColumn(String value) {
        return new RowWeights(value, classes);
    }

    public RowWeights withClasses(ClassWeights value) {
        return new RowWeights(column, value);
    }

    /** Whether any row may weigh other than 1. */
    public boolean any() {
        return column != null || !(classes instanceof ClassWeights.Uniform);
    }

    /**
     * {@code spec} with the sample-weight column kept out of the features.
     *
     * @throws IllegalArgumentException when the spec lists the column as a feature or target
     */
    public DataSpec excludeFrom(DataSpec spec) {
        if (column == null) {
            return spec;
        }
        if (spec.features().contains(column)) {
            throw new IllegalArgumentException("column '" + column + "' holds the sample weights; it cannot also be a "
                    + "feature");
        }
        if (spec.targets().contains(column)) {
            throw new IllegalArgumentException("column '" + column + "' holds the sample weights; it cannot also be a "
                    + "target");
        }
        if (spec.drop().contains(column)) {
            return spec;
        }
        List<String> drop = new java.util.ArrayList<>(spec.drop());
        drop.add(column);
        return spec.withDrop(drop);
    }

    /**
     * Checks that {@code table} has the sample-weight column, before preprocessing is fitted
     * without it.
     *
     * @throws DataException naming the table and its columns when it does not
     */
    public void checkColumn(Table table) throws DataException {
        checkColumn(table.source(), table.names());
    }

    /**
     * Checks that rows with the columns {@code names} (read from {@code source}) have the
     * sample-weight column: as {@link #checkColumn(Table)} for rows that are not in this JVM.
     *
     * @throws DataException naming the source and its columns when they do not
     */
    public void checkColumn(String source, List<String> names) throws DataException {
        if (column != null && !names.contains(column)) {
            throw new DataException(source + ": no sample-weight column '" + column + "'; available: "
                    + String.join(", ", names));
        }
    }

    /**
     * The weight of each class id of {@code prep}, fitted on the training rows {@code train}
     * ({@link ClassWeights#BALANCED} counts them); {@code null} without class weights.
     *
     * @throws IllegalArgumentException for class weights on a regression, or naming a given
     *     label that is not a class
     */
    public double[] classWeights(Preprocessing prep, Table train) throws DataException {
        if (classes instanceof ClassWeights.Uniform) {
            return null;
        }
        if (prep.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("class weights are for classification; this is a " + prep.task());
        }
        return classes.resolve(prep.classLabels(), classes instanceof ClassWeights.Balanced
                ? prep.classIds(train) : new int[0]);
    }

    /**
     * As {@link #classWeights(Preprocessing, Table)}, given how many training rows each class id
     * of {@code prep} has ({@code classCounts}; only {@link ClassWeights#BALANCED} reads them, and
     * {@code null} stands for none): for training rows counted where they are kept.
     *
     * @throws IllegalArgumentException for class weights on a regression, or naming a given
     *     label that is not a class
     */
    public double[] classWeights(Preprocessing prep, long[] classCounts) {
        if (classes instanceof ClassWeights.Uniform) {
            return null;
        }
        if (prep.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("class weights are for classification; this is a " + prep.task());
        }
        return classes.resolveCounts(prep.classLabels(),
                classCounts == null ? new long[prep.classLabels().size()] : classCounts);
    }

    /**
     * The weight of every row of {@code table}: its sample weight times its class's weight
     * ({@code perClass}, from {@link #classWeights}); {@code null} when neither is given.
     *
     * @throws DataException naming the file, line and column of a sample weight that is missing,
     *     not a number or negative, or when the table has no such column or every weight is 0
     */
    public float[] rowWeights(Table table, Preprocessing prep, double[] perClass) throws DataException {
        float[] w = someRowWeights(table, prep, perClass);
        if (w != null && table.rows() > 0) {
            boolean positive = false;
            for (float v : w) {
                positive |= v > 0;
            }
            if (!positive) {
                throw everyRowWeighsZero(table.source(), perClass != null);
            }
        }
        return w;
    }

    /**
     * As {@link #rowWeights} for some of the rows of a training set (a block of them on a
     * cluster's executors): the same weight for each row, without the check that some row of the
     * whole set weighs more than 0 ({@link #everyRowWeighsZero} is the message when none does).
     *
     * @throws DataException naming the file, line and column of a sample weight that is missing,
     *     not a number or negative
     */
    public float[] someRowWeights(Table table, Preprocessing prep, double[] perClass) throws DataException {
        float[] w = column == null ? null : sampleWeights(table, column);
        if (perClass != null) {
            int[] ids = prep.classIds(table);
            if (w == null) {
                w = new float[ids.length];
                java.util.Arrays.fill(w, 1f);
            }
            for (int r = 0; r < ids.length; r++) {
                w[r] = (float) (w[r] * perClass[ids[r]]);
            }
        }
        return w;
    }

    /** The error for rows of {@code source} that all weigh 0 ({@code classWeighted}: class weights were applied). */
    public DataException everyRowWeighsZero(String source, boolean classWeighted) {
        return new DataException(source + ": every row weighs 0"
                + (column == null ? "" : " (sample weights in column '" + column + "'")
                + (!classWeighted ? "" : (column == null ? " (" : ", ") + "class weights " + classes)
                + "); at least one row must weigh more than 0");
    }

    /**
     * The numbers of column {@code name}: each a finite number at least 0.
     *
     * @throws DataException naming the file, line and column of the first bad cell, or the
     *     columns there are when there is no such column
     */
    public static float[] sampleWeights(Table table, String name) throws DataException {
        int c = table.indexOf(name);
        if (c < 0) {
            throw new DataException(table.source() + ": no sample-weight column '" + name + "'; available: "
                    + String.join(", ", table.names()));
        }
        float[] w = new float[table.rows()];
        float[] numbers = table.isNumeric(c) ? table.numbers(c) : null;
        for (int r = 0; r < w.length; r++) {
            float v;
            if (numbers != null) {
                v = numbers[r];
                if (Float.isNaN(v)) {
                    throw new DataException(at(table, r, c) + ": the sample weight is missing; every row needs one");
                }
            } else {
                String cell = table.text(r, c);
                if (cell == null || Table.isMissing(cell)) {
                    throw new DataException(at(table, r, c) + ": the sample weight is missing; every row needs one");
                }
                v = Table.parseNumber(cell);
                if (Float.isNaN(v)) {
                    throw new DataException(at(table, r, c) + ": sample weight '" + cell + "' is not a number");
                }
            }
            if (v < 0 || Float.isInfinite(v)) {
                throw new DataException(at(table, r, c) + ": sample weight " + table.text(r, c)
                        + " is negative or infinite; weights must be finite and at least 0");
            }
            w[r] = v;
        }
        return w;
    }

    private static String at(Table table, int r, int c) {
        return table.source() + ": line " + table.line(r) + ", column '" + table.names().get(c) + "'";
    }

    /** {@code sample weights COL, class weights W}, or {@code none}. */
    @Override
    public String toString() {
        if (!any()) {
            return "none";
        }
        return (column == null ? "" : "sample weights " + column)
                + (column != null && any() && !(classes instanceof ClassWeights.Uniform) ? ", " : "")
                + (classes instanceof ClassWeights.Uniform ? "" : "class weights " + classes);
    }
}
