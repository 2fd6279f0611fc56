package dev.gradus.cli;

import dev.gradus.data.Preprocessing;
import dev.gradus.io.CheckpointFile;
import dev.gradus.model.Model;
import dev.gradus.nn.Loss;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.CheckpointListener;
import dev.gradus.train.EpochStats;
import dev.gradus.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The folder of {@code --checkpoint DIR}: {@value #LATEST}, the whole training state after the
 * latest checkpointed epoch (what {@code --resume DIR} continues from), and {@value #BEST}, the
 * model of the best epoch so far (a model file for {@code predict} and {@code evaluate}),
 * written when the best epoch changes. Both are replaced atomically, best first, so a crash at
 * any moment leaves a latest checkpoint whose best epoch is in the best model. Forwards epochs
 * and steps to the progress listener.
 */
final class CheckpointDirectory implements CheckpointListener {
    static final String LATEST = "latest.gradus-ckpt";
    static final String BEST = "best.safetensors";

    private final Path dir;
    private final int every;
    private final TrainingListener progress;
    private final Checkpoint from;
    private final Preprocessing preprocessing;
    private final Loss loss;
    private final Map<String, String> training;
    private final Map<String, String> metadata;
    private int bestWritten;

    /**
     * @param from the checkpoint to resume from, or {@code null}
     * @param metadata what the command line keeps with each checkpoint (its flags), besides the
     *     model's own metadata
     */
    CheckpointDirectory(Path dir, int every, TrainingListener progress, Checkpoint from, Preprocessing preprocessing,
                        Loss loss, Map<String, String> training, Map<String, String> metadata) {
        this.dir = dir;
        this.every = every;
        this.progress = progress;
        this.from = from;
        this.preprocessing = preprocessing;
        this.loss = loss;
        this.training = training;
        this.metadata = metadata;
        this.bestWritten = from == null ? 0 : from.history().bestEpoch();
    }

    static Path latest(Path dir) {
        return dir.resolve(LATEST);
    }

    @Override
    public int every() {
        return every;
    }

    @Override
    public Optional<Checkpoint> resumeFrom() {
        return Optional.ofNullable(from);
    }

    @Override
    public void onEpoch(EpochStats stats) {
        progress.onEpoch(stats);
    }

    @Override
    public void onBatch(int epoch, int step, double loss) {
        progress.onBatch(epoch, step, loss);
    }

    @Override
    public void onCheckpoint(Checkpoint c) throws IOException {
        Files.createDirectories(dir);
        int bestEpoch = c.history().bestEpoch();
        if (c.best().isPresent() && bestEpoch != bestWritten) {
            new Model(c.best().get(), preprocessing, loss, training).save(dir.resolve(BEST));
            bestWritten = bestEpoch;
        }
        CheckpointFile.write(latest(dir), c, new Model(c.network(), preprocessing, loss, training).metadata(), metadata);
    }
}
