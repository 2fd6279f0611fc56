package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The epoch-end rule on its own: the epochs it is told about, the weights it keeps and restores. */
class EarlyStoppingTest {

    private static EpochStats epoch(int e, double trainLoss, double validationLoss, double accuracy) {
        return new EpochStats(e, trainLoss, 1, 0, 0.1, validationLoss, Map.of("accuracy", accuracy));
    }

    /** The validation loss must fall by more than min_delta; patience 2 stops two epochs after the best. */
    @Test
    void aLossMustImproveByMoreThanTheMinimumDelta() {
        TrainingOptions o = TrainingOptions.plain().withEpochs(10).withPatience(2).withMinDelta(0.1);
        EarlyStopping s = new EarlyStopping(o, true, 1, false);
        s.afterEpoch(epoch(1, 9, 1.0, 0), new float[] {1});
        s.afterEpoch(epoch(2, 9, 0.95, 0), new float[] {2});    // lower, but not by 0.1: no gain
        assertFalse(s.stopped());
        s.afterEpoch(epoch(3, 9, 0.92, 0), new float[] {3});
        assertTrue(s.stopped());
        assertEquals(1, s.bestEpoch());
        float[] theta = {3};
        s.restoreBest(theta);
        assertArrayEquals(new float[] {1}, theta, "the best epoch's weights are restored");
    }

    /** A metric where higher is better is watched upwards; the last epoch is never an early stop. */
    @Test
    void accuracyIsWatchedUpwardsAndTheLastEpochIsNoEarlyStop() {
        TrainingOptions o = TrainingOptions.plain().withEpochs(3).withPatience(1)
                .withMetrics(List.of(ValidationMetric.ACCURACY)).withMonitor("accuracy").withRestoreBest(false);
        EarlyStopping s = new EarlyStopping(o, true, 1, false);
        s.afterEpoch(epoch(1, 9, 9, 0.5), new float[] {1});
        s.afterEpoch(epoch(2, 9, 9, 0.7), new float[] {2});
        assertEquals(2, s.bestEpoch());
        s.afterEpoch(epoch(3, 9, 9, 0.6), new float[] {3});
        assertFalse(s.stopped(), "epoch 3 of 3 ends the run anyway");
        assertEquals(2, s.bestEpoch());
        float[] theta = {3};
        s.restoreBest(theta);
        assertArrayEquals(new float[] {3}, theta, "restore_best false keeps the last weights");
    }

    /** A checkpoint carries the rule's state: resumed, it stops where the uninterrupted rule stops. */
    @Test
    void aResumedRuleStopsWhereTheWholeRuleStops() {
        TrainingOptions o = TrainingOptions.plain().withEpochs(10).withPatience(2).withMonitor(TrainingOptions.TRAIN_LOSS);
        double[] losses = {5, 4, 4.5, 4.2, 3.9, 4.0, 4.1};
        EarlyStopping whole = new EarlyStopping(o, false, 1, false);
        int wholeStop = 0;
        for (int e = 1; e <= losses.length && !whole.stopped(); e++) {
            whole.afterEpoch(epoch(e, losses[e - 1], Double.NaN, 0), new float[] {e});
            wholeStop = e;
        }
        CheckpointListener keep = new CheckpointListener() {
            Checkpoint last;

            @Override
            public int every() {
                return 1;
            }

            @Override
            public void onCheckpoint(Checkpoint c) {
                last = c;
            }

            @Override
            public java.util.Optional<Checkpoint> resumeFrom() {
                return java.util.Optional.ofNullable(last);
            }
        };
        dev.gradus.nn.Network net = dev.gradus.nn.Network.input(1).dense(1, dev.gradus.nn.Activation.IDENTITY).build(1);
        EarlyStopping first = new EarlyStopping(o, false, net.parameters().size(), true);
        List<EpochStats> epochs = new java.util.ArrayList<>();
        for (int e = 1; e <= 3; e++) {
            epochs.add(epoch(e, losses[e - 1], Double.NaN, 0));
            first.afterEpoch(epochs.get(e - 1), net.parameters().values());
            assertTrue(first.checkpointDue(keep, e));
            first.checkpoint(keep, Map.of(), net, net.parameters().values(), new dev.gradus.optim.Optimizer.Snapshot(
                    new java.util.TreeMap<>(), new java.util.TreeMap<>(), new java.util.TreeMap<>()), epochs);
        }
        EarlyStopping resumed = new EarlyStopping(o, false, net.parameters().size(), true);
        resumed.resume(keep.resumeFrom().orElseThrow());
        int resumedStop = 3;
        for (int e = 4; e <= losses.length && !resumed.stopped(); e++) {
            resumed.afterEpoch(epoch(e, losses[e - 1], Double.NaN, 0), net.parameters().values());
            resumedStop = e;
        }
        assertEquals(wholeStop, resumedStop);
        assertEquals(whole.bestEpoch(), resumed.bestEpoch());
        assertTrue(whole.stopped() && resumed.stopped());
    }

    @Test
    void patienceWithoutValidationRowsIsRefused() {
        TrainingOptions o = TrainingOptions.plain().withEpochs(10).withPatience(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(o, false, 1,
                false));
        assertTrue(e.getMessage().contains("needs validation rows"), e.getMessage());
    }
}
