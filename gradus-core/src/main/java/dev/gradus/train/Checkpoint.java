package dev.gradus.train;

import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything a {@link Trainer} needs to continue a run after epoch {@code e} as if it had never
 * stopped: the parameters {@code θ}, the optimizer's state, the early-stopping state and the
 * history so far.
 *
 * <p>Nothing else is needed for the position in training: the trainer draws each epoch's
 * shuffling order from {@code (seed, epoch)}, each dropout mask from {@code (seed, epoch, step)}
 * and the validation split from {@code seed} alone, and a checkpoint is taken between epochs.
 * So a run resumed from the checkpoint of epoch {@code e} with the same options and rows takes
 * bit-identical steps to the uninterrupted run, whatever the optimizer, schedule or dropout.
 *
 * <pre>{@code
 * Trainer trainer = new Trainer(options).addListener(new CheckpointListener() {
 *     public int every() { return 5; }
 *     public void onCheckpoint(Checkpoint c) throws IOException { CheckpointFile.write(path, c, Map.of()); }
 * });
 * }</pre>
 *
 * <p>Immutable: the network and arrays are copied in and out.
 *
 * @param settings what makes runs comparable: the {@link TrainingOptions#settings() options}
 *     but the epoch count and threads, and SHA-256 fingerprints of the training and
 *     validation rows; a run only resumes from a checkpoint whose settings equal its own
 * @param network the network after epoch {@link #epoch()}, holding {@code θ}
 * @param lastGood the parameters before the last step (kept for the divergence rule: a
 *     non-finite loss in the next step returns them), laid out like {@code θ}
 * @param optimizer the optimizer's state
 * @param history the epochs run so far, numbered from 1, with the best epoch and whether
 *     early stopping has ended the run
 * @param bestValue the best value of the monitored quantity so far (NaN before the first
 *     monitored epoch)
 * @param sinceBest epochs since the best one (the patience counter)
 * @param best the weights of the best epoch, where the run keeps them
 */
public record Checkpoint(Map<String, String> settings, Network network, float[] lastGood,
                         Optimizer.Snapshot optimizer, History history, double bestValue, int sinceBest,
                         Optional<Network> best) {

    /**
     * @throws IllegalArgumentException if the arrays and networks do not share one layout, the
     *     epochs are not numbered 1, 2, …, or the best epoch or patience counter is impossible
     */
    public Checkpoint {
        settings = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(settings, "settings")));
        network = Objects.requireNonNull(network, "network").copy();
        lastGood = Objects.requireNonNull(lastGood, "lastGood").clone();
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(history, "history");
        best = Objects.requireNonNull(best, "best").map(Network::copy);
        int size = network.parameters().size();
        if (lastGood.length != size) {
            throw new IllegalArgumentException("lastGood has " + lastGood.length + " values, the network has "
                    + size + " parameters");
        }
        if (best.isPresent() && !best.get().layers().equals(network.layers())) {
            throw new IllegalArgumentException("the best network " + best.get() + " has other layers than "
                    + network);
        }
        for (int i = 0; i < history.epochs().size(); i++) {
            if (history.epochs().get(i).epoch() != i + 1) {
                throw new IllegalArgumentException("history entry " + i + " is epoch "
                        + history.epochs().get(i).epoch() + ", expected " + (i + 1));
            }
        }
        if (history.bestEpoch() < 0 || history.bestEpoch() > history.epochs().size()) {
            throw new IllegalArgumentException("best epoch " + history.bestEpoch() + " is outside 0.."
                    + history.epochs().size());
        }
        if (sinceBest < 0) {
            throw new IllegalArgumentException("sinceBest must be 0 or more, got " + sinceBest);
        }
    }

    /** The epochs completed: the run continues with epoch {@code epoch() + 1}. */
    public int epoch() {
        return history.epochs().size();
    }

    /** A copy of the network after {@link #epoch()}. */
    @Override
    public Network network() {
        return network.copy();
    }

    /** A copy of the parameters before the last step. */
    @Override
    public float[] lastGood() {
        return lastGood.clone();
    }

    /** A copy of the best epoch's network, where the run keeps it. */
    @Override
    public Optional<Network> best() {
        return best.map(Network::copy);
    }

    /** Where the run stands, without the weights: epochs, patience counter, best value. */
    @Override
    public String toString() {
        return "Checkpoint[epoch=" + history.epochs().size() + ", bestEpoch=" + history.bestEpoch() + ", bestValue="
                + bestValue + ", sinceBest=" + sinceBest + ", parameters=" + lastGood.length + ", optimizer="
                + optimizer + ", best=" + (best.isPresent() ? "kept" : "none") + ", settings=" + settings + "]";
    }
    /**
     * Checks that a run of {@code network} with {@code settings} (options and row fingerprints,
     * as this checkpoint's {@link #settings()}) and {@code epochs} epochs continues the run that
     * saved this checkpoint: the same layers, the same settings, and not fewer epochs than it has
     * run.
     *
     * @throws IllegalArgumentException naming what differs
     */
    public void checkResumes(Network network, Map<String, String> settings, int epochs) {
        if (!this.network.layers().equals(network.layers())) {
            throw new IllegalArgumentException("cannot resume: the checkpoint's network " + this.network
                    + " differs from " + network);
        }
        java.util.Set<String> keys = new java.util.TreeSet<>(settings.keySet());
        keys.addAll(this.settings.keySet());
        for (String key : keys) {
            String was = this.settings.get(key);
            String now = settings.get(key);
            if (!Objects.equals(was, now) && key.endsWith("_sha256")) {
                throw new IllegalArgumentException("cannot resume: the " + (key.startsWith("train") ? "training" : "validation")
                        + " rows differ from those the checkpoint was trained on (their SHA-256 is " + now
                        + ", the checkpoint's " + was + ")");
            }
            if (!Objects.equals(was, now)) {
                throw new IllegalArgumentException("cannot resume: the checkpoint was trained with " + key + " = "
                        + (was == null ? "(none)" : was) + ", this run has " + key + " = "
                        + (now == null ? "(none)" : now));
            }
        }
        if (epoch() > epochs) {
            throw new IllegalArgumentException("cannot resume: the checkpoint has run " + epoch()
                    + " epochs, more than the " + epochs + " of this run");
        }
    }
}
