package dev.gradus.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Folds;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.optim.Adam;
import dev.gradus.train.TrainingOptions;
import dev.gradus.nn.Loss;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrossValidationTest {
    static final Path DATA = Path.of("..", "data");

    /**
     * A small fit: 8 units, 20 epochs. Adam's learning rate is 0.01, not 0.001: in 80 steps of
     * 0.001 the weights move by 0.08 at most, too little to overcome the output biases drawn from
     * ±0.74 (the default {@code BiasInit.UNIFORM}), and every fold would guess one class.
     */
    static ModelSpec irisSpec() {
        return ModelSpec.classification("label").withHidden(List.of(8))
                .withTraining(TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY)
                        .withOptimizer(Adam.defaults().withLearningRate(0.01)).withEpochs(20).withThreads(1));
    }

    @Test
    void parallelFoldsEqualSequentialOnes() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        Folds folds = CrossValidation.folds(iris, Task.CLASSIFICATION, "label", 4, 3);
        CrossValidation.Result one = CrossValidation.run(iris, irisSpec(), folds, 1);
        CrossValidation.Result two = CrossValidation.run(iris, irisSpec(), folds, 3);
        assertEquals(one, two);
        assertEquals(4, one.folds().size());
        int heldOut = one.folds().stream().mapToInt(CrossValidation.Fold::heldOutRows).sum();
        assertEquals(iris.rows(), heldOut);
        assertTrue(one.mean().get("accuracy") > 0.6, "mean accuracy " + one.mean());
    }

    @Test
    void eachFoldScoresTheModelFittedOnTheOtherFolds() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        Folds folds = CrossValidation.folds(iris, Task.CLASSIFICATION, "label", 3, 5);
        CrossValidation.Result cv = CrossValidation.run(iris, irisSpec(), folds, 1);
        var split = folds.split(iris, 1);
        Model model = Model.fit(split.train(), irisSpec()).model();
        assertEquals(CrossValidation.scores(model, split.test()), cv.folds().get(1).scores());
    }

    /**
     * With sample weights each fold trains weighted and scores its held-out rows weighted by
     * their weight column: the fold's scores are those of the weighted model on the weighted rows.
     */
    @Test
    void weightedFoldsTrainAndScoreWithTheWeights() throws Exception {
        Table iris = Csv.read(DATA.resolve("iris.csv"));
        String[][] cells = new String[iris.rows()][];
        for (int r = 0; r < iris.rows(); r++) {
            cells[r] = new String[iris.columnCount() + 1];
            for (int c = 0; c < iris.columnCount(); c++) {
                cells[r][c] = iris.text(r, c);
            }
            cells[r][iris.columnCount()] = Integer.toString(1 + r % 5);   // weights 1..5
        }
        List<String> names = new java.util.ArrayList<>(iris.names());
        names.add("w");
        Table weighted = Table.of("iris-w.csv", names, List.of(cells));
        ModelSpec spec = irisSpec().withSampleWeight("w");
        Folds folds = CrossValidation.folds(weighted, Task.CLASSIFICATION, "label", 3, 5);
        CrossValidation.Result cv = CrossValidation.run(weighted, spec, folds, 2);
        var split = folds.split(weighted, 2);
        Model model = Model.fit(split.train(), spec).model();
        assertEquals(iris.names().subList(0, 4), model.preprocessing().featureNames(), "the weight column is no feature");
        Map<String, Double> expected = CrossValidation.scores(model, split.test(), "w");
        assertEquals(expected, cv.folds().get(2).scores());
        assertTrue(!expected.equals(CrossValidation.scores(model, split.test())),
                "weighted scores should differ from unweighted ones");
    }

    @Test
    void meanAndSampleStandardDeviationOverFolds() {
        var folds = List.of(new CrossValidation.Fold(0, 9, 1, 1, Map.of("r2", 0.5)),
                new CrossValidation.Fold(1, 9, 1, 1, Map.of("r2", 0.7)),
                new CrossValidation.Fold(2, 9, 1, 1, Map.of("r2", 0.9)));
        CrossValidation.Result r = CrossValidation.Result.of(folds);
        assertEquals(0.7, r.mean().get("r2"), 1e-12);
        assertEquals(0.2, r.std().get("r2"), 1e-12);
    }
}
