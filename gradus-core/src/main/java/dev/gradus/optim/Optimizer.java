package dev.gradus.optim;

/**
 * An update rule for the flat parameters {@code θ} given their gradient {@code ∂ℓ/∂θ}.
 *
 * <p>An optimizer is an immutable value holding hyperparameters. Its mutable state (moments,
 * step counts) lives in a separate {@link State} made by {@link #init(int)} and passed to
 * every {@link #step}, so one optimizer value can drive many trainings.
 */
public sealed interface Optimizer permits Sgd {

    /** Per-training state of an optimizer, laid out like the parameters. */
    interface State {}

    /** Fresh state for {@code size} parameters. */
    State init(int size);

    /** Updates {@code theta} in place from {@code dTheta}, advancing {@code state}. */
    void step(float[] theta, float[] dTheta, State state);

    /** The learning rate {@code α}. */
    double learningRate();

    /** The name used on the command line and in model files. */
    String name();
}
