package dev.gradus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.nn.Activation;
import dev.gradus.optim.Sgd;
import dev.gradus.train.TrainingOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {
    static final Path DATA = Path.of("..", "data");

    @Test
    void irisClassification(@TempDir Path dir) throws Exception {
        Table train = Csv.read(DATA.resolve("iris_train.csv"));
        Table test = Csv.read(DATA.resolve("iris_test.csv"));
        ModelSpec spec = ModelSpec.classification("label").withHidden(List.of(16)).withActivation(Activation.TANH)
                .withTraining(TrainingOptions.plain().withOptimizer(new Sgd(0.1)).withEpochs(300).withBatchSize(16));
        Model model = Model.fit(train, spec).model();
        double accuracy = model.classificationMetrics(test).accuracy();
        System.out.println("iris accuracy " + accuracy);
        assertTrue(accuracy >= 0.9, "accuracy " + accuracy);
        model.save(dir.resolve("iris.gradus"));
        Model loaded = Model.load(dir.resolve("iris.gradus"));
        assertTrue(loaded.network().parameters().sameAs(model.network().parameters()));
        assertArrayEquals(model.predict(test).labels(), loaded.predict(test).labels());
    }

    @Test
    void diabetesRegression() throws Exception {
        Table train = Csv.read(DATA.resolve("diabetes_train.csv"));
        Table test = Csv.read(DATA.resolve("diabetes_test.csv"));
        ModelSpec spec = ModelSpec.regression("target").withHidden(List.of(16))
                .withTraining(TrainingOptions.plain().withOptimizer(new Sgd(0.01)).withEpochs(100));
        Model model = Model.fit(train, spec).model();
        double r2 = model.regressionMetrics(test).r2Mean();
        System.out.println("diabetes r2 " + r2);
        assertTrue(r2 >= 0.4, "r2 " + r2);
    }
}
