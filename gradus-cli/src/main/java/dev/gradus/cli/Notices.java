package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.PrimitiveIterator;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;

/**
 * What the command line tells the user besides results: how the task was chosen, and warnings
 * about choices that look like mistakes. Notices go to stderr and {@code --quiet} silences them;
 * warnings go to stderr always.
 */
final class Notices {
    /** The one meaning of {@code --quiet}, for every command that has it. */
    static final String QUIET = "No progress or notices on stderr (warnings and errors still show); results still go "
            + "to stdout.";

    /** Classes from at least this fraction of the rows (and at least {@link #MANY_CLASSES}) look like a continuous target. */
    static final double CLASSES_PER_ROW = 0.5;
    static final int MANY_CLASSES = 20;
    /** A numeric target with at most this many distinct integer values looks like class ids. */
    static final int FEW_INTEGERS = 20;

    private Notices() {}

    /**
     * How the task came about: {@code as chosen} (by {@code --task}, or IDX labels), or
     * inferred from the target column, and why.
     */
    static String taskOrigin(Preprocessing prep, boolean inferred) {
        if (!inferred) {
            return "as chosen";
        }
        return prep.task() == Task.CLASSIFICATION ? "inferred (a target cell is not a number)"
                : "inferred (every target cell is a number)";
    }

    /**
     * Warnings about the task given or inferred for {@code rows}: a classification with about
     * as many classes as rows (a continuous target?), a regression inferred from a target
     * that holds only a few integer values (class ids?).
     */
    static List<String> taskWarnings(Preprocessing prep, Table rows, boolean inferred) throws DataException {
        float[] y = prep.task() == Task.REGRESSION ? prep.targetValues(rows).data() : new float[0];
        return taskWarnings(prep, rows.rows(), () -> IntStream.range(0, y.length).mapToDouble(r -> y[r]), inferred);
    }

    /**
     * As {@link #taskWarnings(Preprocessing, Table, boolean)} for {@code count} training rows
     * whose first target (in original units) {@code firstTargets} streams, read only as far as
     * needed: a streamed run's rows in the cache.
     */
    static List<String> taskWarnings(Preprocessing prep, long count, Supplier<DoubleStream> firstTargets,
                                     boolean inferred) {
        List<String> warnings = new ArrayList<>();
        String target = prep.targetNames().get(0);
        if (prep.task() == Task.CLASSIFICATION) {
            int classes = prep.classLabels().size();
            if (classes >= MANY_CLASSES && classes >= CLASSES_PER_ROW * count) {
                warnings.add(String.format(Locale.ROOT, "%d classes from %d training rows: is target '%s' a "
                        + "continuous quantity? For a regression, give --task regression", classes, count, target));
            }
        } else if (inferred && prep.targetNames().size() == 1 && count > 0) {
            TreeSet<Double> distinct = new TreeSet<>();
            PrimitiveIterator.OfDouble values = firstTargets.get().iterator();
            while (values.hasNext()) {
                double v = values.nextDouble();
                if (v != Math.rint(v)) {
                    return warnings;
                }
                distinct.add(v);
                if (distinct.size() > FEW_INTEGERS) {
                    return warnings;
                }
            }
            if (distinct.size() >= 2 && count >= 3L * distinct.size()) {
                warnings.add(String.format(Locale.ROOT, "target '%s' holds only %d distinct integer values (%s to %s); "
                        + "trained as a regression. If these are class ids, give --task classification", target,
                        distinct.size(), Table.formatNumber(distinct.first()), Table.formatNumber(distinct.last())));
            }
        }
        return warnings;
    }

    /** Prints each warning on {@code err}, {@code --quiet} or not. */
    static void warn(PrintWriter err, List<String> warnings) {
        for (String w : warnings) {
            err.println("warning: " + w);
        }
        err.flush();
    }
}
