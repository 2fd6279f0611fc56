package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.train.EpochStats;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationMetric;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress line: its loss format, its layout at a given width, its time estimate and its last line. */
class ProgressTest {
    private static EpochStats epoch(int e, double loss, double validationLoss) {
        return new EpochStats(e, loss, 10, 0.01, 1e-3, validationLoss,
                Double.isNaN(validationLoss) ? Map.of() : Map.of("accuracy", 0.9123));
    }

    @Test
    void lossesNeverReadAsZero() {
        assertEquals("4.200e-06", Progress.formatLoss(4.2e-6));
        assertEquals("1.000e-03", Progress.formatLoss(0.000999999));
        assertEquals("0.02196", Progress.formatLoss(0.021957));
        assertEquals("1.156", Progress.formatLoss(1.15644));
        assertEquals("1235", Progress.formatLoss(1234.56));
        assertEquals("1.235e+05", Progress.formatLoss(123456.0));
        assertEquals("0", Progress.formatLoss(0));
        for (double v = 1; v > 1e-12; v /= 3) {
            assertTrue(Progress.formatLoss(v).matches(".*[1-9].*"), v + " -> " + Progress.formatLoss(v));
        }
    }

    private static Progress bar(StringWriter sink, TrainingOptions options) {
        return Progress.start(Progress.Mode.BAR, new PrintWriter(sink, true), options, 1000, false);
    }

    @Test
    void aNarrowerTerminalShowsFewerFieldsNeverAnEmptyBar() {
        TrainingOptions options = TrainingOptions.defaults().withEpochs(500).withBatchSize(100)
                .withMetrics(List.of(ValidationMetric.ACCURACY)).withMonitor("loss").withPatience(10)
                .withValidationFraction(0.2);
        Progress p = bar(new StringWriter(), options);
        p.onEpoch(epoch(1, 0.5, 0.6));
        p.onEpoch(epoch(2, 0.4, 0.5));
        String wide = p.render(119);
        assertTrue(wide.length() <= 119, wide);
        assertTrue(wide.matches("epoch +2/500 \\|[█▏▎▍▌▋▊▉ ]{20}\\| +0%  loss 0\\.4000  val_loss 0\\.5000  "
                + "val_accuracy 0\\.9123  .*"), wide);
        assertTrue(wide.contains("left"), wide);
        assertTrue(p.render(200).contains("no gain 0/10") && p.render(200).contains("samples/s"), p.render(200));
        String previous = wide;
        for (int width : new int[] {100, 80, 60, 40, 30, 20}) {
            String line = p.render(width);
            assertTrue(line.length() <= width, width + ": " + line);
            assertTrue(line.startsWith("epoch   2/500"), line);
            assertTrue(line.length() <= previous.length(), "no wider at " + width + ": " + line);
            assertFalse(line.contains("||"), "a bar with no room is left out: " + line);
            if (width >= 30) {
                assertTrue(line.contains("loss 0.4000"), line);
            }
            previous = line;
        }
    }

    @Test
    void underEarlyStoppingTheEstimateCountsToTheStoppingHorizon() {
        TrainingOptions stopping = TrainingOptions.defaults().withEpochs(500).withBatchSize(100)
                .withMonitor(TrainingOptions.TRAIN_LOSS).withPatience(10).withMinDelta(1e-4);
        Progress p = bar(new StringWriter(), stopping);
        p.onEpoch(epoch(1, 0.5, Double.NaN));
        p.onEpoch(epoch(2, 0.4, Double.NaN));
        // Best at epoch 2, patience 10: the run stops at epoch 12 at the latest unless the loss improves.
        assertTrue(p.render(200).matches(".*[0-9], ≥[0-9:]+ left  no gain 0/10"), p.render(200));
        for (int e = 3; e <= 11; e++) {
            p.onEpoch(epoch(e, 0.4, Double.NaN));
        }
        assertTrue(p.render(200).contains("no gain 9/10"), p.render(200));

        TrainingOptions fixed = TrainingOptions.defaults().withEpochs(40).withBatchSize(100);
        Progress q = bar(new StringWriter(), fixed);
        q.onEpoch(epoch(1, 0.5, Double.NaN));
        q.onEpoch(epoch(2, 0.4, Double.NaN));
        String line = q.render(200);
        assertTrue(line.matches(".*[0-9], [0-9:]+ left"), "every epoch will run: an estimate, no bound: " + line);
        assertFalse(line.contains("no gain"), line);
    }

    @Test
    void theLastStateIsWrittenOnceAndEndsTheLine() {
        StringWriter sink = new StringWriter();
        TrainingOptions options = TrainingOptions.defaults().withEpochs(3).withBatchSize(100);
        try (Progress p = bar(sink, options)) {
            for (int e = 1; e <= 3; e++) {
                p.onEpoch(epoch(e, 1.0 / e, Double.NaN));
            }
        }
        String screen = sink.toString();
        assertTrue(screen.endsWith("\n"), screen);
        String last = screen.substring(screen.lastIndexOf('\r') + 1).strip();
        assertTrue(last.startsWith("epoch 3/3 |████████████████████| 100%  loss 0.3333"), last);
        assertEquals(1, screen.split(java.util.regex.Pattern.quote(last), -1).length - 1, "drawn once:\n" + screen);
        assertFalse(last.contains("left"), "no estimate once training has ended: " + last);
    }

    @Test
    void plainLinesEndWithTheEpochTheRunStoppedAt() {
        StringWriter sink = new StringWriter();
        TrainingOptions options = TrainingOptions.defaults().withEpochs(500).withBatchSize(100)
                .withMonitor(TrainingOptions.TRAIN_LOSS).withPatience(10);
        try (Progress p = Progress.start(Progress.Mode.PLAIN, new PrintWriter(sink, true), options, 1000, true)) {
            for (int e = 1; e <= 37; e++) {
                p.onEpoch(epoch(e, 2.0 / e, Double.NaN));
            }
        }
        List<String> lines = sink.toString().lines().toList();
        assertEquals(List.of("epoch   1/500", "epoch  25/500", "epoch  37/500"),
                lines.stream().map(l -> l.substring(0, 13)).toList(), sink.toString());
        assertTrue(lines.get(2).contains("std loss 0.05405"), "the loss on standardised targets says so: " + lines);
    }
}
