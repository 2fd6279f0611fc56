package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.train.EpochStats;
import dev.gradus.train.History;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a training run ended, recorded in the model file's training record so that
 * {@code gradus inspect} can show it: the epochs run, whether the run stopped early, the
 * epoch whose weights were kept and the final loss on all training rows (in the targets'
 * own units).
 *
 * @param model the trained model, its training record completed with the keys below
 * @param kept the epoch whose weights were kept, or null when no epoch ran
 * @param finalLoss the loss of {@code model} on all training rows, original units (weighted
 *     when the rows are)
 */
record Outcome(Model model, EpochStats kept, double finalLoss) {
    static final String EPOCHS_TRAINED = "epochs_trained";
    static final String STOPPED_EARLY = "stopped_early";
    static final String KEPT_EPOCH = "kept_epoch";
    static final String FINAL_LOSS = "final_loss";

    /** The outcome of a fit on {@code trainRows}, whose kept epoch is {@code kept}. */
    static Outcome of(Model.Fit fit, Table trainRows, EpochStats kept) throws DataException {
        return of(fit, trainRows, kept, null);
    }

    /** As {@link #of(Model.Fit, Table, EpochStats)} for rows weighted by {@code weights} (or null). */
    static Outcome of(Model.Fit fit, Table trainRows, EpochStats kept, float[] weights) throws DataException {
        return of(fit, fit.model().loss(trainRows, weights), kept);
    }

    /** The outcome of a fit whose loss on all its training rows is {@code finalLoss}. */
    static Outcome of(Model.Fit fit, double finalLoss, EpochStats kept) {
        Model m = fit.model();
        History history = fit.history();
        Map<String, String> training = new LinkedHashMap<>(m.training());
        int last = history.epochs().isEmpty() ? 0 : history.epochs().get(history.epochs().size() - 1).epoch();
        training.put(EPOCHS_TRAINED, Integer.toString(last));
        training.put(STOPPED_EARLY, Boolean.toString(history.stoppedEarly()));
        training.put(KEPT_EPOCH, Integer.toString(kept == null ? 0 : kept.epoch()));
        training.put(FINAL_LOSS, Double.toString(finalLoss));
        return new Outcome(m.withTraining(training), kept, finalLoss);
    }
}
