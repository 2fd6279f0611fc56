package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Task;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Adam;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Schedule;
import dev.gradus.optim.Sgd;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the policy resolves an unset choice to, and that a made choice is kept as made. */
class DefaultsTest {

    private static final TrainingSpec NOTHING = TrainingSpec.defaults();

    @Test
    void classificationWithNothingChosen() {
        TrainingOptions o = NOTHING.resolve(Task.CLASSIFICATION, false, 100);
        assertEquals(Loss.CROSS_ENTROPY, o.loss());
        assertEquals(Optimizer.of("adam", Map.of()), o.optimizer());
        assertEquals(Defaults.MAX_EPOCHS, o.epochs());
        assertEquals(Defaults.BATCH_SIZE, o.batchSize());
        assertEquals(Schedule.CONSTANT, o.schedule());
        // scikit-learn's rule: the training loss, patience 10, min delta 1e-4, the last weights kept
        assertEquals(TrainingOptions.TRAIN_LOSS, o.monitor());
        assertEquals(Defaults.PATIENCE, o.patience());
        assertEquals(Defaults.TRAIN_LOSS_MIN_DELTA, o.minDelta());
        assertFalse(o.restoreBest());
        assertEquals(List.of(ValidationMetric.ACCURACY), o.metrics());
        assertEquals(Defaults.SEED, o.seed());
    }

    @Test
    void regressionTakesScikitLearnsBudget() {
        TrainingOptions o = NOTHING.resolve(Task.REGRESSION, false, 100);
        assertEquals(Loss.MSE, o.loss());
        assertEquals(Optimizer.of("adam", Map.of()), o.optimizer());
        // batch_size="auto": min(200, N); max_iter=200; tol 1e-4 on ½·MSE, 2e-4 on the seed's ℓ2
        assertEquals(100, o.batchSize());
        assertEquals(Defaults.REGRESSION_BATCH_SIZE, NOTHING.resolve(Task.REGRESSION, false, 10_000).batchSize());
        assertEquals(Defaults.REGRESSION_MAX_EPOCHS, o.epochs());
        assertEquals(TrainingOptions.TRAIN_LOSS, o.monitor());
        assertEquals(2e-4, o.minDelta());
        assertEquals(Defaults.PATIENCE, o.patience());
        assertFalse(o.restoreBest());
        assertEquals(List.of(), o.metrics());
        // the training-loss rule at every size: no tenth held out
        TrainingOptions many = NOTHING.resolve(Task.REGRESSION, false, 50_000);
        assertEquals(0, many.validationFraction());
        assertEquals(TrainingOptions.TRAIN_LOSS, many.monitor());
        // choices made are kept
        assertEquals(Optimizer.of("adam", Map.of("lr", "0.01")),
                NOTHING.withHyperparameters(Map.of("lr", "0.01")).resolve(Task.REGRESSION, false, 100).optimizer());
        assertEquals(Optimizer.of("adam", Map.of("weight_decay", "0.5")),
                NOTHING.withHyperparameters(Map.of("weight_decay", "0.5")).resolve(Task.REGRESSION, false, 100).optimizer());
        assertEquals(32, NOTHING.withBatchSize(32).resolve(Task.REGRESSION, false, 1000).batchSize());
        assertEquals(7, NOTHING.withEpochs(7).resolve(Task.REGRESSION, false, 1000).epochs());
        assertEquals(Adam.defaults(), NOTHING.withOptimizer(Adam.defaults()).resolve(Task.REGRESSION, false, 100).optimizer());
    }

    @Test
    void chosenEpochsTurnTheStoppingRuleOff() {
        TrainingOptions o = NOTHING.withEpochs(7).resolve(Task.CLASSIFICATION, false, 100);
        assertEquals(7, o.epochs());
        assertEquals(0, o.patience());
        // ... unless a monitor, min delta or patience asks for it
        assertEquals(Defaults.PATIENCE, NOTHING.withEpochs(7).withMinDelta(0.01).resolve(Task.CLASSIFICATION, false, 100)
                .patience());
        assertEquals(3, NOTHING.withEpochs(7).withPatience(3).resolve(Task.CLASSIFICATION, false, 100).patience());
        assertEquals(0, NOTHING.withPatience(0).resolve(Task.CLASSIFICATION, false, 100).patience());
    }

    @Test
    void enoughRowsHoldOutATenthForTheDefaultStoppingRule() {
        TrainingOptions few = NOTHING.resolve(Task.CLASSIFICATION, false, Defaults.VALIDATION_MIN_ROWS - 1);
        assertEquals(0, few.validationFraction());
        assertEquals(TrainingOptions.TRAIN_LOSS, few.monitor());
        TrainingOptions many = NOTHING.resolve(Task.CLASSIFICATION, false, Defaults.VALIDATION_MIN_ROWS);
        assertEquals(Defaults.VALIDATION_FRACTION, many.validationFraction());
        assertEquals("loss", many.monitor());
        assertEquals(Defaults.PATIENCE, many.patience());
        assertTrue(many.restoreBest());
        // Not when the run has its own validation rows or fraction, a fixed number of epochs,
        // a monitor of its own or no early stopping.
        int n = 50_000;
        assertEquals(0, NOTHING.resolve(Task.CLASSIFICATION, true, n).validationFraction());
        assertEquals(0.3, NOTHING.withValidationFraction(0.3).resolve(Task.CLASSIFICATION, false, n)
                .validationFraction());
        assertEquals(0.3, NOTHING.withValidationFraction(0.3).resolve(Task.REGRESSION, false, n).validationFraction());
        assertEquals(0, NOTHING.withEpochs(20).resolve(Task.CLASSIFICATION, false, n).validationFraction());
        assertEquals(0, NOTHING.withMonitor(TrainingOptions.TRAIN_LOSS).resolve(Task.CLASSIFICATION, false, n)
                .validationFraction());
        assertEquals(0, NOTHING.withPatience(0).resolve(Task.CLASSIFICATION, false, n).validationFraction());
    }

    @Test
    void validationRowsAreWatchedAndTheBestEpochKept() {
        for (TrainingOptions o : List.of(NOTHING.resolve(Task.CLASSIFICATION, true, 100),
                NOTHING.withValidationFraction(0.2).resolve(Task.CLASSIFICATION, false, 100))) {
            assertEquals("loss", o.monitor());
            assertEquals(0, o.minDelta());
            assertTrue(o.restoreBest());
            assertEquals(Defaults.PATIENCE, o.patience());
        }
    }

    @Test
    void fullBatchOptimizersGetTheFullBatch() {
        TrainingSpec lbfgs = NOTHING.withOptimizer(Optimizer.parse("lbfgs"));
        assertEquals(0, lbfgs.resolve(Task.REGRESSION, false, 100).batchSize());
        assertEquals(0, NOTHING.withOptimizer(Optimizer.parse("irprop+")).resolve(Task.REGRESSION, false, 100).batchSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lbfgs.withBatchSize(32).resolve(Task.REGRESSION, false, 100));
        assertTrue(e.getMessage().contains("full batch"), e.getMessage());
    }

    @Test
    void theScheduleRunsOverTheResolvedEpochs() {
        assertEquals(new Schedule.Cosine(Defaults.MAX_EPOCHS, 5, 0),
                NOTHING.withSchedule("cosine(warmup=5)").resolve(Task.CLASSIFICATION, false, 100).schedule());
        assertEquals(new Schedule.Cosine(40, 5, 0),
                NOTHING.withSchedule("cosine(warmup=5)").withEpochs(40).resolve(Task.CLASSIFICATION, false, 100).schedule());
    }

    @Test
    void concreteOptionsResolveToThemselves() {
        TrainingOptions plain = TrainingOptions.plain().withThreads(1);
        assertEquals(plain, TrainingSpec.of(plain).resolve(Task.CLASSIFICATION, true, 100));
        TrainingOptions busy = plain.withOptimizer(new Sgd(0.3)).withSchedule(Schedule.parse("cosine(warmup=2)", 30))
                .withEpochs(30).withMetrics(List.of(ValidationMetric.ACCURACY)).withMonitor("accuracy")
                .withPatience(4).withMinDelta(0.01).withRestoreBest(false).withDropout(0.1).withClipNorm(1);
        assertEquals(busy, TrainingSpec.of(busy).resolve(Task.REGRESSION, false, 100));
    }

    @Test
    void badChoicesFailWhenMade() {
        assertThrows(IllegalArgumentException.class, () -> NOTHING.withEpochs(-1));
        assertThrows(IllegalArgumentException.class, () -> NOTHING.withBatchSize(-1));
        assertThrows(IllegalArgumentException.class, () -> NOTHING.withDropout(1));
        assertThrows(IllegalArgumentException.class, () -> NOTHING.withHyperparameters(Map.of("momentum", "0.9")));
        assertThrows(IllegalArgumentException.class,
                () -> NOTHING.withHyperparameters(Map.of("lr", "0.1")).withOptimizer(new Sgd(0.1)));
    }
}
