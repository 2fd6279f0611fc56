package dev.gradus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradus.data.DataSpec;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import dev.gradus.nn.Loss;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Model#initialNetwork}, {@link Model#networkTargets} and {@link Model#trained} are the
 * parts of {@link Model#fit}: other trainers (gradus-spark) put them together with their own
 * loop, and must get the model that {@code fit} gives.
 */
class ModelPartsTest {

    private static Table table() {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double a = Math.sin(i), b = Math.cos(3 * i);
            rows.add(new String[] {Double.toString(a), Double.toString(b), a + b > 0.3 ? "yes" : "no"});
        }
        return Table.of("parts.csv", List.of("a", "b", "label"), rows);
    }

    @Test
    void thePartsOfFitGiveTheModelOfFit() throws Exception {
        Table t = table();
        for (Loss loss : List.of(Loss.CROSS_ENTROPY, Loss.BCE)) {
            ModelSpec spec = ModelSpec.classification("label").withHidden(List.of(5))
                    .withTraining(TrainingOptions.plain().withLoss(loss).withEpochs(7).withBatchSize(8).withThreads(1));
            Preprocessing prep = Preprocessing.fit(t, spec.data());
            Model viaFit = Model.fit(prep, t, spec).model();

            Matrix y = Model.networkTargets(prep, loss, t);
            assertEquals(loss == Loss.BCE ? 1 : 2, y.cols());
            TrainingOptions options = spec.options(prep.task(), false, t.rows());
            Trainer.Result r = new Trainer(options).fit(Model.initialNetwork(prep, spec), prep.features(t), y);
            Model viaParts = Model.trained(r.network(), prep, options);

            assertArrayEquals(viaFit.network().parameters().values(), viaParts.network().parameters().values());
            assertEquals(viaFit.training(), viaParts.training());
            assertEquals(viaFit.loss(), viaParts.loss());
        }
    }

    @Test
    void bceTargetsAreTheSecondClass() throws Exception {
        Table t = table();
        Preprocessing prep = Preprocessing.fit(t, DataSpec.classification("label"));
        Matrix oneHot = Model.networkTargets(prep, Loss.CROSS_ENTROPY, t);
        Matrix second = Model.networkTargets(prep, Loss.BCE, t);
        for (int r = 0; r < t.rows(); r++) {
            assertEquals(oneHot.get(r, 1), second.get(r, 0));
        }
    }
}
