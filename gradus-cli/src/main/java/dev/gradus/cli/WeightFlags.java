package dev.gradus.cli;

import static dev.gradus.cli.TrainCommand.parse;

import dev.gradus.data.ClassWeights;
import dev.gradus.data.DataException;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Table;
import picocli.CommandLine.Option;

/**
 * The flags that weight rows in the loss {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ}: {@code --sample-weight COL}
 * and {@code --class-weight}. A picocli mixin of {@code gradus train}, {@code gradus cv} and
 * {@code gradus-spark train} (whose executors read each row's weight beside it).
 */
public final class WeightFlags {

    @Option(names = "--sample-weight", paramLabel = "COL",
            description = "Weight each row by its value in column COL (a number >= 0; not a feature): the loss is "
                    + "sum(w*L)/sum(w), so a weight of 2 counts a row twice.")
    String sampleWeight;

    @Option(names = "--class-weight", paramLabel = "W",
            description = "Classification: balanced (N/(K*N_c), scikit-learn's) or LABEL=W,... (unlisted classes "
                    + "weigh 1); multiplies --sample-weight.")
    String classWeight;

    /** The flags as core's {@link RowWeights}; a bad value is a usage error naming its flag. */
    RowWeights rowWeights() {
        RowWeights w = RowWeights.NONE;
        if (sampleWeight != null) {
            w = parse("--sample-weight", () -> RowWeights.NONE.withColumn(sampleWeight));
        }
        if (classWeight != null) {
            ClassWeights c = parse("--class-weight", () -> ClassWeights.parse(classWeight));
            w = w.withClasses(c);
        }
        return w;
    }

    /** {@code spec} with the sample-weight column kept out of the features, after checking {@code table} has it. */
    DataSpec exclude(DataSpec spec, Table table) throws DataException {
        RowWeights w = rowWeights();
        w.checkColumn(table);
        return parse("--sample-weight", () -> w.excludeFrom(spec));
    }

    /**
     * Checks the class weights against the classes of {@code prep} fitted on {@code train}: a
     * regression, or a label that is not a class, is a usage error naming {@code --class-weight}.
     */
    void checkClasses(Preprocessing prep, Table train) throws DataException {
        RowWeights w = rowWeights();
        try {
            w.classWeights(prep, train);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--class-weight: " + e.getMessage());
        }
    }

    /**
     * As {@link #checkClasses(Preprocessing, Table)} for training rows that are not in this JVM:
     * the class weights' labels and task, before the classes are counted where the rows are.
     */
    void checkClasses(Preprocessing prep) {
        try {
            rowWeights().classWeights(prep, (long[]) null);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--class-weight: " + e.getMessage());
        }
    }

    /** {@code sample weights COL, class weights W} for the task line, or an empty string. */
    String describe() {
        RowWeights w = rowWeights();
        return w.any() ? "; weighted by " + w : "";
    }
}
