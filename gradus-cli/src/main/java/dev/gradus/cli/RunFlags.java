package dev.gradus.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The flags of a training run that do not change the model it trains: how it starts
 * ({@code --init}, {@code --resume}), where it writes ({@code --out}, {@code --checkpoint},
 * {@code --plot}), what it scores afterwards ({@code --test}, {@code --health}) and how much it
 * says. A picocli mixin shared by {@code gradus train} and {@code gradus-spark train}, beside
 * {@link TrainingFlags}.
 */
public final class RunFlags {

    @Option(names = "--health", description = "After training, report dead or saturated units, gradient norms per "
            + "layer, unscaled inputs and constant predictions.")
    boolean health;

    @Option(names = "--init", paramLabel = "MODEL",
            description = "Start from this model's architecture, weights and preprocessing.")
    Path init;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "Where to write the model file.")
    Path out;

    @Option(names = "--test", paramLabel = "FILE",
            description = "Held-out rows to score after training (same columns as --data).")
    Path test;

    @Option(names = "--test-labels", paramLabel = "FILE", description = "IDX label file for IDX --test images.")
    Path testLabels;

    @Option(names = "--test-fraction", paramLabel = "F",
            description = "Hold out this fraction of --data instead (stratified by class for classification, "
                    + "drawn from --seed).")
    Double testFraction;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Save the training state in DIR every --checkpoint-every epochs and after the last: "
                    + CheckpointDirectory.LATEST + " (to --resume from) and " + CheckpointDirectory.BEST
                    + " (the model of the best epoch so far).")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Epochs between checkpoints (default: 1).")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run checkpointed in DIR up to --epochs (default: the run's own), checkpointing "
                    + "there again; the result is bit-identical to an uninterrupted run. Other training flags must "
                    + "agree with the checkpoint.")
    Path resume;

    @Option(names = "--plot", paramLabel = "FILE", description = "Write learning curves to FILE.png or FILE.svg.")
    Path plot;

    @Option(names = "--progress", paramLabel = "MODE",
            description = "auto (a bar on a terminal, else plain lines; default), bar, plain or none.")
    Progress.Mode progress = Progress.Mode.AUTO;

    @Option(names = "--quiet", description = "Print nothing but errors (and --json).")
    boolean quiet;

    @Option(names = "--json", description = "Print one JSON object with the results on stdout.")
    boolean json;

    /** Flag values that are wrong whatever the data: checked before any file is read. */
    void checkRanges() {
        if (test != null && testFraction != null) {
            throw new UsageException("--test and --test-fraction cannot be combined; choose one");
        }
        if (testFraction != null && !(testFraction > 0 && testFraction < 1)) {
            throw new UsageException("--test-fraction must be strictly between 0 and 1, got " + testFraction);
        }
        checkCheckpointFlags();
    }

    /** Checks the checkpoint flags before any file is read. */
    void checkCheckpointFlags() {
        if (checkpointEvery != null && checkpoint == null && resume == null) {
            throw new UsageException("--checkpoint-every needs --checkpoint DIR (or --resume DIR)");
        }
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new UsageException("--checkpoint-every must be at least 1 epoch, got " + checkpointEvery);
        }
        if (resume != null && init != null) {
            throw new UsageException("--resume and --init cannot be combined: a resumed run continues from its "
                    + "checkpoint");
        }
        for (Path dir : new Path[] {checkpoint, resume}) {
            if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new UsageException((dir == checkpoint ? "--checkpoint " : "--resume ") + dir
                        + " is a file; give a folder");
            }
        }
    }
}
