package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gradus.data.Split;
import dev.gradus.data.Table;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Split#validation} names exactly the rows a validation fraction holds out of a training run. */
class ValidationFractionTest {

    @Test
    void aFractionTrainsAsTheSplitItNamesGivenExplicitly() {
        int n = 53;
        SplittableRandom random = new SplittableRandom(3);
        Matrix x = Matrix.zeros(n, 2);
        Matrix y = Matrix.zeros(n, 1);
        float[][] ids = new float[n][1];
        for (int r = 0; r < n; r++) {
            x.set(r, 0, (float) random.nextDouble(-1, 1));
            x.set(r, 1, (float) random.nextDouble(-1, 1));
            y.set(r, 0, x.get(r, 0) * x.get(r, 1));
            ids[r][0] = r;
        }
        Split split = Split.validation(Table.ofRows("rows", List.of("id"), ids), 0.2, 11);
        assertEquals(Math.round(0.2 * n), split.test().rows());
        assertEquals(n, split.train().rows() + split.test().rows());

        Network net = Network.input(2).dense(4, Activation.TANH).dense(1, Activation.IDENTITY).build(5);
        TrainingOptions options = TrainingOptions.plain().withOptimizer(new Sgd(0.1)).withBatchSize(8).withEpochs(4)
                .withSeed(11);
        Trainer.Result byFraction = new Trainer(options.withValidationFraction(0.2)).fit(net, x, y);
        int[] train = rows(split.train());
        int[] held = rows(split.test());
        Trainer.Result bySplit = new Trainer(options).fit(net, x.selectRows(train), y.selectRows(train),
                x.selectRows(held), y.selectRows(held));
        assertArrayEquals(bySplit.network().parameters().values(), byFraction.network().parameters().values());
        assertEquals(4, byFraction.history().epochs().size());
        for (int e = 0; e < 4; e++) {
            EpochStats a = bySplit.history().epochs().get(e);
            EpochStats b = byFraction.history().epochs().get(e);
            assertEquals(a.loss(), b.loss(), 0.0);
            assertEquals(a.validationLoss(), b.validationLoss(), 0.0);
        }
    }

    @Test
    void bothPartsMustHaveRows() {
        Table three = Table.ofRows("t", List.of("a"), new float[][] {{1}, {2}, {3}});
        assertThrows(IllegalArgumentException.class, () -> Split.validation(three, 0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> Split.validation(three, 0.9, 1));
    }

    private static int[] rows(Table part) {
        int[] ids = new int[part.rows()];
        for (int r = 0; r < ids.length; r++) {
            ids[r] = (int) Float.parseFloat(part.text(r, 0));
        }
        return ids;
    }
}
