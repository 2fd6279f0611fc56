package dev.gradus.data;

import java.util.List;
import java.util.Objects;

/**
 * Which columns are targets and features, what the task is and how to scale.
 *
 * <pre>{@code
 * DataSpec spec = DataSpec.classification("label");          // all other columns are features
 * DataSpec reg = DataSpec.regression("target").withScaling(Scaling.NONE);
 * }</pre>
 *
 * @param targets target columns by name, or by 0-based index written as a number (negative
 *     counts from the end); empty means the last column
 * @param task the task, or {@code null} to infer it: a target column with any non-numeric
 *     value means classification, otherwise regression
 * @param scaling feature scaling; regression targets are standardised too unless {@code NONE}
 * @param features the feature columns; empty means every column that is not a target
 * @param drop columns never used as features
 * @param impute how missing feature cells are filled (default: they are an error)
 * @param categorical columns one-hot encoded whatever they hold: numbers (codes), nearly all
 *     distinct values (which are otherwise left out, as ids), or dates (otherwise numbers)
 * @param maxCategories the most one-hot inputs of a column: rarer categories (and unseen ones
 *     at prediction) share one more "other" input (default {@value #DEFAULT_MAX_CATEGORIES})
 * @param unknown what prediction does with an unseen category in a column without "other"
 */
public record DataSpec(List<String> targets, Task task, Scaling scaling, List<String> features, List<String> drop,
                       Impute impute, List<String> categorical, int maxCategories, UnknownCategory unknown) {

    /** The default of {@link #maxCategories()}. */
    public static final int DEFAULT_MAX_CATEGORIES = 100;

    public DataSpec {
        targets = List.copyOf(targets);
        Objects.requireNonNull(scaling, "scaling");
        Objects.requireNonNull(impute, "impute");
        Objects.requireNonNull(unknown, "unknown");
        features = List.copyOf(features);
        drop = List.copyOf(drop);
        categorical = List.copyOf(categorical);
        if (maxCategories < 1) {
            throw new IllegalArgumentException("max categories must be at least 1, got " + maxCategories);
        }
    }

    /** The spec without the column-type settings (their defaults). */
    public DataSpec(List<String> targets, Task task, Scaling scaling, List<String> features, List<String> drop,
                    Impute impute) {
        this(targets, task, scaling, features, drop, impute, List.of(), DEFAULT_MAX_CATEGORIES, UnknownCategory.ERROR);
    }

    /** The last column is the target, the task is inferred, standard scaling. */
    public static DataSpec defaults() {
        return new DataSpec(List.of(), null, Scaling.STANDARD, List.of(), List.of(), Impute.NONE);
    }

    public DataSpec withCategorical(List<String> value) {
        return new DataSpec(targets, task, scaling, features, drop, impute, value, maxCategories, unknown);
    }

    public DataSpec withMaxCategories(int value) {
        return new DataSpec(targets, task, scaling, features, drop, impute, categorical, value, unknown);
    }

    public DataSpec withUnknown(UnknownCategory value) {
        return new DataSpec(targets, task, scaling, features, drop, impute, categorical, maxCategories, value);
    }

    /** Classification of the column {@code target}. */
    public static DataSpec classification(String target) {
        return defaults().withTargets(List.of(target)).withTask(Task.CLASSIFICATION);
    }

    /** Regression of the columns {@code targets}. */
    public static DataSpec regression(String... targets) {
        return defaults().withTargets(List.of(targets)).withTask(Task.REGRESSION);
    }

    public DataSpec withTargets(List<String> value) {
        return new DataSpec(value, task, scaling, features, drop, impute, categorical, maxCategories, unknown);
    }

    public DataSpec withTask(Task value) {
        return new DataSpec(targets, value, scaling, features, drop, impute, categorical, maxCategories, unknown);
    }

    public DataSpec withScaling(Scaling value) {
        return new DataSpec(targets, task, value, features, drop, impute, categorical, maxCategories, unknown);
    }

    public DataSpec withFeatures(List<String> value) {
        return new DataSpec(targets, task, scaling, value, drop, impute, categorical, maxCategories, unknown);
    }

    public DataSpec withDrop(List<String> value) {
        return new DataSpec(targets, task, scaling, features, value, impute, categorical, maxCategories, unknown);
    }

    public DataSpec withImpute(Impute value) {
        return new DataSpec(targets, task, scaling, features, drop, value, categorical, maxCategories, unknown);
    }
}
