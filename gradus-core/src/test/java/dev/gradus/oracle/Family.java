package dev.gradus.oracle;

import dev.gradus.nn.Activation;
import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.tensor.Matrix;
import dev.gradus.tensor.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * The family of small random networks that the gradient tests run on: every activation (with
 * default and non-default hyperparameters), depths 1..4 (layers {@code 0..n}, {@code n = 0..3}),
 * batch sizes 1, 2 and 5, two or three outputs, random weights, random non-zero biases, random
 * inputs and targets. Everything is drawn from fixed seeds.
 */
public final class Family {
    private Family() {}

    /** The activations tested, each used for every layer of a network. */
    public static final List<Activation> ACTIVATIONS = List.of(
            Activation.IDENTITY, Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LEAKY_RELU,
            new Activation.LeakyRelu(0.2f), Activation.ELU, new Activation.Elu(0.5f), Activation.SOFTPLUS);

    public static final int[] DEPTHS = {1, 2, 3, 4};
    public static final int[] BATCH_SIZES = {1, 2, 5};

    /** Input width and hidden widths; layer {@code m < n} has {@code HIDDEN[m]} outputs. */
    static final int INPUTS = 3;
    static final int[] HIDDEN = {4, 3, 5};

    /** A network with its batch. */
    public record Case(Network network, Matrix x, Matrix y) {}

    /**
     * Every activation × depth × batch size, plus per depth and batch size one network whose
     * layers cycle through different activations.
     */
    public static Stream<Named<Case>> all() {
        List<Named<Case>> cases = new ArrayList<>();
        long seed = 1;
        for (int depth : DEPTHS) {
            for (int batch : BATCH_SIZES) {
                for (Activation a : ACTIVATIONS) {
                    List<Activation> acts = new ArrayList<>();
                    for (int m = 0; m < depth; m++) {
                        acts.add(a);
                    }
                    cases.add(named(acts, batch, seed++));
                }
                List<Activation> mixed = new ArrayList<>();
                for (int m = 0; m < depth; m++) {
                    mixed.add(ACTIVATIONS.get((int) ((seed + 3L * m) % ACTIVATIONS.size())));
                }
                cases.add(named(mixed, batch, seed++));
            }
        }
        return cases.stream();
    }

    private static Named<Case> named(List<Activation> acts, int batch, long seed) {
        Case c = make(acts, batch, seed);
        return Named.of(SeedFormulas.describe(c.network().layers()) + ", N=" + batch, c);
    }

    /**
     * A network whose layer {@code m} has activation {@code acts.get(m)}, with parameters and a
     * batch of {@code batch} rows drawn from {@code seed}.
     */
    public static Case make(List<Activation> acts, int batch, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int depth = acts.size();
        int outputs = 2 + (int) (seed % 2);
        List<Dense> layers = new ArrayList<>();
        int in = INPUTS;
        for (int m = 0; m < depth; m++) {
            int out = m == depth - 1 ? outputs : HIDDEN[m];
            layers.add(new Dense(in, out, acts.get(m)));
            in = out;
        }
        Parameters p = Network.zeroParameters(layers);
        for (int m = 0; m < depth; m++) {
            Dense d = layers.get(m);
            // Wider than Xavier so that the activations' curvature matters; biases non-zero so
            // that their gradients are tested.
            double a = 1.5 * Math.sqrt(6.0 / (d.inputs() + d.outputs()));
            fill(p.weights(m), a, random);
            fill(p.bias(m), 0.5, random);
        }
        Network net = Network.of(layers, p);
        Matrix x = Matrix.zeros(batch, INPUTS);
        Matrix y = Matrix.zeros(batch, outputs);
        fill(x, 1.0, random);
        fill(y, 1.0, random);
        return new Case(net, x, y);
    }

    /**
     * The batched float32 gradient that training uses: {@code Network.forward}, the seed's loss
     * gradient {@code G = (2/N)(Ŷ − Y)} from {@code Loss.MSE}, {@code Network.backward}; laid out
     * as the parameters.
     */
    public static float[] batchedGradient(Network net, Matrix x, Matrix y) {
        Workspace w = net.workspace(x.rows(), Kernels.singleThreaded());
        float[] dTheta = new float[net.parameters().size()];
        net.forward(x.data(), x.offset(), x.rows(), w);
        Loss.MSE.valueAndGradient(w.output(), y.data(), y.offset(), w.g(), x.rows(), net.outputs());
        net.backward(x.data(), x.offset(), w, dTheta);
        return dTheta;
    }

    /** Fills {@code m} with draws from {@code U(−a, a)}. */
    static void fill(Matrix m, double a, SplittableRandom random) {
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) {
                m.set(i, j, (float) random.nextDouble(-a, a));
            }
        }
    }
}
