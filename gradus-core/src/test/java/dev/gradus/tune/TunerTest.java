package dev.gradus.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.model.CrossValidation;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.train.Defaults;
import dev.gradus.train.TrainingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunerTest {
    static final Path DATA = Path.of("..", "data");

    /** Iris with small networks and at most 30 epochs: rungs at epochs 3, 9 and 27. */
    static ModelSpec base() {
        return ModelSpec.classification("label").withTraining(TrainingSpec.defaults().withThreads(1).withEpochs(30));
    }

    static SearchSpace space() {
        return SearchSpace.defaults().with("width", "4..16").with("depth", "1..2");
    }

    /** Trials without their wall time, which is all that may differ between two runs. */
    static List<Trial> timeless(List<Trial> trials) {
        List<Trial> t = new ArrayList<>();
        for (Trial x : trials) {
            t.add(new Trial(x.number(), x.seed(), x.params(), x.state(), x.rungs(), x.score(), x.epochs(),
                    x.bestEpoch(), 0));
        }
        return t;
    }

    static void assertSameWeights(Model expected, Model actual) {
        assertEquals(expected.network().layers(), actual.network().layers());
        assertTrue(java.util.Arrays.equals(expected.network().parameters().values(),
                actual.network().parameters().values()), "the weights differ");
    }

    @Test
    void aSearchWithANumberOfTrialsRepeatsExactly() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        Tuner.Options options = Tuner.Options.defaults().withTrials(8);
        Tuner.Result a = Tuner.run(iris, base(), space(), options, Tuner.Listener.NONE);
        Tuner.Result b = Tuner.run(iris, base(), space(), options, Tuner.Listener.NONE);
        assertEquals(timeless(a.trials()), timeless(b.trials()));
        assertEquals(8, a.trials().size());
        assertTrue(a.trials().stream().anyMatch(t -> t.state() == Trial.State.PRUNED),
                "8 trials with η=3 stop some at a rung: " + a.trials());
        assertSameWeights(a.model(), b.model());
        Tuner.Result other = Tuner.run(iris, base(), space(), options.withSeed(7), Tuner.Listener.NONE);
        assertNotEquals(a.trials().get(0).seed(), other.trials().get(0).seed());
    }

    @Test
    void theRungsEndAtTheTasksDefaultEpochs() throws Exception {
        // a regression trains for at most REGRESSION_MAX_EPOCHS, so no rung may lie past it
        Table diabetes = Csv.read(DATA.resolve("diabetes.csv"));
        List<List<Integer>> announced = new ArrayList<>();
        Tuner.Listener rungs = new Tuner.Listener() {
            @Override
            public void onStart(String metric, List<Integer> r, List<Trial> resumed) {
                announced.add(r);
            }
        };
        ModelSpec regression = ModelSpec.regression("target").withTraining(TrainingSpec.defaults().withThreads(1));
        Tuner.run(diabetes, regression, space(), Tuner.Options.defaults().withTrials(1), rungs);
        assertEquals(List.of(3, 9, 27, 81), announced.get(0));
        assertTrue(Defaults.REGRESSION_MAX_EPOCHS < 243, "the next rung, 243, must lie past the regression budget");

        Table iris = Csv.read(DATA.resolve("iris.csv"));
        ModelSpec classification = ModelSpec.classification("label").withTraining(TrainingSpec.defaults().withThreads(1));
        Tuner.run(iris, classification, space(), Tuner.Options.defaults().withTrials(1), rungs);
        assertEquals(List.of(3, 9, 27, 81, 243), announced.get(1));
    }

    @Test
    void workersTrainTheSameTrialsAsOneWorkerWhenNoneIsStoppedEarly() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        // a first rung past the 30 epochs: no rung, so no trial is stopped early, whatever the order
        Tuner.Options options = Tuner.Options.defaults().withTrials(6).withMinResource(100);
        Tuner.Result one = Tuner.run(iris, base(), space(), options, Tuner.Listener.NONE);
        List<Trial> seen = new ArrayList<>();
        Tuner.Result two = Tuner.run(iris, base().withTraining(base().training().withThreads(2)), space(),
                options.withWorkers(2), new Tuner.Listener() {
                    @Override
                    public void onTrial(Trial trial, boolean best) {
                        seen.add(trial);
                    }
                });
        assertEquals(6, two.trials().size());
        assertEquals(two.trials(), seen, "the listener hears every trial, in the order they finished");
        List<Trial> byNumber = new ArrayList<>(timeless(two.trials()));
        byNumber.sort(java.util.Comparator.comparingInt(Trial::number));
        assertEquals(timeless(one.trials()), byNumber);
        assertEquals(one.best().number(), two.best().number());
        assertSameWeights(one.model(), two.model());
    }

    @Test
    void workersRunEveryTrialNumberOnce() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        Tuner.Result r = Tuner.run(iris, base(), space(), Tuner.Options.defaults().withTrials(9).withWorkers(3),
                Tuner.Listener.NONE);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8),
                r.trials().stream().map(Trial::number).sorted().toList());
        for (Trial t : r.trials()) {
            assertEquals(space().sample(t.seed()), t.params());
        }
        assertEquals(r.best(), Tuner.best(r.trials(), true));
        assertThrows(IllegalArgumentException.class, () -> Tuner.Options.defaults().withWorkers(0));
    }

    @Test
    void everyTrialIsReproducibleFromItsSeed() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        Tuner.Result r = Tuner.run(iris, base(), space(), Tuner.Options.defaults().withTrials(4),
                Tuner.Listener.NONE);
        Trial best = r.best();
        assertEquals(Trial.State.COMPLETE, best.state());
        assertEquals(space().sample(best.seed()), best.params());
        // the best trial's settings and seed, trained alone on the same held-out split, score the same
        var split = dev.gradus.data.Split.stratified(iris, "label", 0.2, Tuner.Options.defaults().seed());
        ModelSpec spec = SearchSpace.apply(base(), best.params(), best.seed());
        var prep = dev.gradus.data.Preprocessing.fit(split.train(), spec.data());
        Model m = Model.fit(prep, split.train(), split.test(), spec).model();
        assertEquals(best.score(), CrossValidation.scores(m, split.test()).get("accuracy"));
        // and the model returned is those settings trained on all rows
        assertSameWeights(Model.fit(iris, spec).model(), r.model());
    }

    @Test
    void holdoutTrialsTunedForAccuracyStopOnTheHeldOutAccuracy() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        // no --epochs: the trials stop early, watching what they are scored by
        ModelSpec policy = ModelSpec.classification("label").withTraining(TrainingSpec.defaults().withThreads(1));
        Tuner.Result r = Tuner.run(iris, policy, space(), Tuner.Options.defaults().withTrials(3),
                Tuner.Listener.NONE);
        Trial best = r.best();
        var split = dev.gradus.data.Split.stratified(iris, "label", 0.2, Tuner.Options.defaults().seed());
        ModelSpec spec = SearchSpace.apply(policy, best.params(), best.seed());
        var prep = dev.gradus.data.Preprocessing.fit(split.train(), spec.data());
        Model.Fit fit = Model.fit(prep, split.train(), split.test(),
                spec.withTraining(spec.training().withMonitor("accuracy")));
        // the kept epoch is the first with the best held-out accuracy, and the score is that model's
        List<Double> accuracy = fit.history().epochs().stream()
                .map(e -> e.validationMetrics().get("accuracy")).toList();
        double top = accuracy.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertEquals(accuracy.indexOf(top) + 1, best.bestEpoch());
        assertEquals(fit.history().epochs().size(), (int) best.epochs());
        assertEquals(top, best.score());
        assertEquals(CrossValidation.scores(fit.model(), split.test()).get("accuracy"), best.score());
        // the model is the settings trained on all rows for that many epochs
        assertEquals(best.bestEpoch(), r.epochs());
        assertSameWeights(Model.fit(iris, spec.withEpochs(best.bestEpoch())).model(), r.model());

        Tuner.Options o = Tuner.Options.defaults();
        assertEquals("accuracy", Tuner.trialStopping(policy.training(), o, "accuracy").monitor().orElseThrow());
        // another metric, cross-validation, or a base that chose its stopping keeps the training policy
        assertEquals(policy.training(), Tuner.trialStopping(policy.training(), o, "log_loss"));
        assertEquals(policy.training(), Tuner.trialStopping(policy.training(), o.withFolds(3), "accuracy"));
        assertEquals(base().training(), Tuner.trialStopping(base().training(), o, "accuracy"));
        TrainingSpec patient = policy.training().withPatience(20);
        assertEquals(patient, Tuner.trialStopping(patient, o, "accuracy"));
    }

    @Test
    void anInterruptedSearchResumesFromItsStudyFile(@TempDir Path dir) throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        Path study = dir.resolve("study.json");
        Tuner.Options options = Tuner.Options.defaults().withTrials(7);
        Tuner.Result whole = Tuner.run(iris, base(), space(), options, Tuner.Listener.NONE);
        Tuner.Result first = Tuner.run(iris, base(), space(), options.withTrials(3).withStudy(study),
                Tuner.Listener.NONE);
        assertEquals(3, StudyFile.read(study).trials().size());
        Tuner.Result resumed = Tuner.run(iris, base(), space(), options.withStudy(study), Tuner.Listener.NONE);
        assertEquals(0, first.resumed());
        assertEquals(3, resumed.resumed());
        assertEquals(timeless(whole.trials()), timeless(resumed.trials()));
        assertSameWeights(whole.model(), resumed.model());
        assertEquals(7, StudyFile.read(study).trials().size());

        IOException e = assertThrows(IOException.class, () -> Tuner.run(iris, base(),
                space().with("depth", "3"), options.withStudy(study), Tuner.Listener.NONE));
        assertTrue(e.getMessage().contains("the study was run with space"), e.getMessage());
    }

    @Test
    void studyFilesRoundTripAndRejectOtherFiles(@TempDir Path dir) throws Exception {
        Trial t = new Trial(0, 123, Map.of("depth", "1"), Trial.State.FAILED, List.of(0.5, Double.NaN), Double.NaN,
                4, 0, 0.25);
        StudyFile f = new StudyFile(Map.of("rows", "10"), List.of(t));
        Path p = dir.resolve("s.json");
        f.write(p);
        StudyFile back = StudyFile.read(p);
        assertEquals(f.settings(), back.settings());
        assertEquals(f.trials(), back.trials());
        Files.writeString(p, "{\"format\": \"gradus-study\", \"version\": 2}");
        assertTrue(assertThrows(IOException.class, () -> StudyFile.read(p)).getMessage().contains("version"));
        Files.writeString(p, "{\"format\": ");
        assertTrue(assertThrows(IOException.class, () -> StudyFile.read(p)).getMessage().contains("not a study file"));
    }

    @Test
    void aStudyOfSeveralWorkersListsTrialsAsTheyFinishedAndReadsBack(@TempDir Path dir) throws Exception {
        // two workers finish trial 2 before trial 1: the file lists 0, 2, 1 and must resume
        List<Trial> finished = List.of(
                new Trial(0, 11, Map.of("depth", "1"), Trial.State.COMPLETE, List.of(0.5), 0.5, 4, 3, 0.25),
                new Trial(2, 13, Map.of("depth", "2"), Trial.State.PRUNED, List.of(0.2), Double.NaN, 3, 0, 0.25),
                new Trial(1, 12, Map.of("depth", "1"), Trial.State.COMPLETE, List.of(0.6), 0.6, 4, 2, 0.25));
        Path p = dir.resolve("s.json");
        new StudyFile(Map.of("rows", "10"), finished).write(p);
        assertEquals(finished, StudyFile.read(p).trials());
        new StudyFile(Map.of("rows", "10"), List.of(finished.get(0), finished.get(0))).write(p);
        IOException e = assertThrows(IOException.class, () -> StudyFile.read(p));
        assertTrue(e.getMessage().contains("trials[1].number: 0 is listed twice"), e.getMessage());
    }

    @Test
    void crossValidatedTrialsReportTheirMeanAfterOneAndThreeFolds() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        Tuner.Result r = Tuner.run(iris, base().withEpochs(10), space(),
                Tuner.Options.defaults().withTrials(5).withFolds(5), Tuner.Listener.NONE);
        for (Trial t : r.trials()) {
            assertTrue(t.rungs().size() <= 2, t.toString());
            if (t.state() == Trial.State.COMPLETE) {
                assertEquals(2, t.rungs().size(), t.toString());
            }
        }
        Trial best = r.best();
        ModelSpec spec = SearchSpace.apply(base().withEpochs(10), best.params(), best.seed());
        var cv = CrossValidation.run(iris, spec, CrossValidation.folds(iris, dev.gradus.data.Task.CLASSIFICATION,
                "label", 5, Tuner.Options.defaults().seed()), 1);
        assertEquals(cv.mean().get("accuracy"), best.score(), 1e-12);
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Tuner.Options.defaults().withTrials(0));
        assertThrows(IllegalArgumentException.class, () -> Tuner.Options.defaults().withFolds(1));
        assertThrows(IllegalArgumentException.class, () -> Tuner.Options.defaults().withHoldout(1));
        assertThrows(IllegalArgumentException.class, () -> Tuner.Options.defaults().withMetric("accuracyy"));
    }
}
