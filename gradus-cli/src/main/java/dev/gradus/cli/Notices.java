package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

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
        List<String> warnings = new ArrayList<>();
        String target = prep.targetNames().get(0);
        if (prep.task() == Task.CLASSIFICATION) {
            int classes = prep.classLabels().size();
            if (classes >= MANY_CLASSES && classes >= CLASSES_PER_ROW * rows.rows()) {
                warnings.add(String.format(Locale.ROOT, "%d classes from %d training rows: is target '%s' a "
                        + "continuous quantity? For a regression, give --task regression", classes, rows.rows(), target));
            }
        } else if (inferred && prep.targetNames().size() == 1 && rows.rows() > 0) {
            float[] y = prep.targetValues(rows).data();
            TreeSet<Float> distinct = new TreeSet<>();
            for (float v : y) {
                if (v != Math.rint(v)) {
                    return warnings;
                }
                distinct.add(v);
                if (distinct.size() > FEW_INTEGERS) {
                    return warnings;
                }
            }
            if (distinct.size() >= 2 && rows.rows() >= 3 * distinct.size()) {
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
