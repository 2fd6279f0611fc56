package dev.gradus.model;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.RowWeights;
import dev.gradus.nn.Network;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.TrainingOptions;
import java.util.Objects;

/**
 * How a training run starts — a new network, an existing model trained further, or a
 * checkpointed run resumed — with the preprocessing and the resolved options it trains with.
 * Every trainer (here {@link Model#fit(TrainingStart, dev.gradus.data.Table, dev.gradus.data.Table,
 * dev.gradus.train.TrainingListener...)}, on Spark {@code gradus-spark}'s) starts from one.
 *
 * <pre>{@code
 * TrainingStart start = switch (how) {
 *     case NEW -> new TrainingStart.Fresh(prep, spec, spec.options(prep.task(), false, train.rows()));
 *     case INIT -> new TrainingStart.FromModel(Model.load(path), options);      // gradus train --init
 *     case RESUME -> new TrainingStart.Resume(model, checkpoint, options);     // gradus train --resume
 * };
 * Model.Fit fit = Model.fit(start, table, null);
 * }</pre>
 */
public sealed interface TrainingStart {

    /** The network the first epoch starts from (a resumed run continues from its checkpoint's state). */
    Network network();

    /** The map from table rows to network inputs and targets. */
    Preprocessing preprocessing();

    /** The options the run trains with. */
    TrainingOptions options();

    /** Where the rows' weights in the loss come from ({@link RowWeights#NONE}: every row weighs 1). */
    RowWeights weights();

    /**
     * A new network for {@code preprocessing}: the spec's layers, weights drawn from its
     * initialiser and {@code options.seed()} ({@link Model#initialNetwork(Preprocessing, ModelSpec, TrainingOptions)}).
     *
     * @param options usually {@code spec.options(preprocessing.task(), …)}
     */
    record Fresh(Preprocessing preprocessing, ModelSpec spec, TrainingOptions options) implements TrainingStart {
        public Fresh {
            Objects.requireNonNull(preprocessing, "preprocessing");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public Network network() {
            return Model.initialNetwork(preprocessing, spec, options);
        }

        /** The spec's weights. */
        @Override
        public RowWeights weights() {
            return spec.weights();
        }
    }

    /**
     * An existing model — its architecture, weights and preprocessing — trained further with
     * {@code options} ({@code gradus train --init MODEL}).
     *
     * @param weights the rows' weights in the loss
     * @throws IllegalArgumentException when {@code options} has another loss than the model,
     *     which would change its output layer
     */
    record FromModel(Model model, TrainingOptions options, RowWeights weights) implements TrainingStart {
        /** Rows that all weigh 1. */
        public FromModel(Model model, TrainingOptions options) {
            this(model, options, RowWeights.NONE);
        }

        public FromModel {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(weights, "weights");
            if (!options.loss().equals(model.loss())) {
                throw new IllegalArgumentException("this model was trained with the " + model.loss().name()
                        + " loss; continuing with " + options.loss().name() + " would change its output layer");
            }
        }

        @Override
        public Network network() {
            return model.network();
        }

        @Override
        public Preprocessing preprocessing() {
            return model.preprocessing();
        }
    }

    /**
     * A checkpointed run continued after {@code checkpoint}'s epoch, with the options it was
     * started with ({@code gradus train --resume DIR}); it ends bit-identical to the run had it
     * not been interrupted.
     *
     * @param model the checkpoint's network with the preprocessing and loss stored beside it
     * @param weights the rows' weights in the loss, as the run started with them (the
     *     checkpoint's fingerprint of the weights refuses others)
     */
    record Resume(Model model, Checkpoint checkpoint, TrainingOptions options, RowWeights weights)
            implements TrainingStart {
        /** Rows that all weigh 1. */
        public Resume(Model model, Checkpoint checkpoint, TrainingOptions options) {
            this(model, checkpoint, options, RowWeights.NONE);
        }

        public Resume {
            Objects.requireNonNull(weights, "weights");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(checkpoint, "checkpoint");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public Network network() {
            return model.network();
        }

        @Override
        public Preprocessing preprocessing() {
            return model.preprocessing();
        }
    }
}
