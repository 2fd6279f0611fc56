package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.oracle.Family;
import dev.gradus.oracle.SeedFormulas;
import dev.gradus.tensor.Matrix;
import dev.gradus.tensor.Parameters;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GradientCheckTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.gradus.oracle.Family#all")
    void everyNetworkOfTheFamilyPasses(Family.Case c) {
        GradientCheck.Report report = GradientCheck.check(c.network(), Loss.MSE, c.x(), c.y());

        assertTrue(report.passed(), report::toString);
        // The float32 backward pass is off by round-off only: a few u·s with u ≈ 6e-8 (see
        // BackwardMatchesSeedFormulasTest); 1e-5·s leaves a margin of more than ten.
        assertTrue(report.maxAbsoluteError() <= 1e-5 * report.scale(), report::toString);
    }

    /**
     * The numeric side is computed in double: at h = 1e-6 its values agree with the double
     * oracle to 1e-7 of the gradient's scale (central-difference error ≈ 1e-10·ℓ/s). Had the
     * loss been evaluated in float32, the difference of two losses of order 1-10 would carry a
     * rounding error of u·ℓ ≈ 1e-6, i.e. an error of about 1 in the quotient: this test would
     * fail by a factor of a million.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.gradus.oracle.Family#all")
    void numericSideIsDoublePrecise(Family.Case c) {
        GradientCheck.Report report = GradientCheck.check(c.network(), Loss.MSE, c.x(), c.y());
        SeedFormulas oracle = SeedFormulas.of(c.network());
        double[][] xs = c.x().toDoubles();
        double[][] ys = c.y().toDoubles();
        Parameters p = c.network().parameters();
        for (GradientCheck.ViewReport v : report.views()) {
            GradientCheck.Entry e = v.worst();
            int m = Integer.parseInt(e.view().split("\\.")[1]);
            double expected = e.view().endsWith("weight")
                    ? oracle.dLossDWeight(m, e.index() / p.weightView(m).cols(), e.index() % p.weightView(m).cols(),
                            xs, ys)
                    : oracle.dLossDBias(m, e.index(), xs, ys);
            assertEquals(expected, e.numeric(), 1e-7 * report.scale(), e::toString);
        }
        assertEquals(oracle.loss(xs, ys), report.loss(), 1e-12 * report.loss());
    }

    @Test
    void reportNamesEveryViewInStorageOrderAndTheWorstParameter() {
        Family.Case c = Family.make(List.of(Activation.TANH, Activation.SIGMOID), 3, 11);
        GradientCheck.Report report = GradientCheck.check(c.network(), Loss.MSE, c.x(), c.y());

        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"),
                report.views().stream().map(GradientCheck.ViewReport::name).toList());
        assertEquals(GradientCheck.DEFAULT_STEP, report.step());
        double maxRel = report.views().stream().mapToDouble(GradientCheck.ViewReport::maxRelativeError).max()
                .orElseThrow();
        assertEquals(maxRel, report.maxRelativeError());
        assertEquals(maxRel, report.worst().relativeError());
        GradientCheck.Entry worst = report.worst();
        assertEquals(c.network().parameters().views().stream().filter(v -> v.name().equals(worst.view()))
                .findFirst().orElseThrow().offset() + worst.index(), worst.flatIndex());
        assertEquals(report.view("layers.1.bias").name(), "layers.1.bias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> report.view("layers.7.weight"));
        assertTrue(e.getMessage().contains("layers.7.weight"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> report.views().clear());
        assertTrue(report.toString().contains("layers.0.weight"), report.toString());
    }

    @Test
    void aWrongGradientFailsAndIsLocated() {
        Family.Case c = Family.make(List.of(Activation.TANH, Activation.ELU, Activation.IDENTITY), 4, 5);
        Network net = c.network();
        float[] gradient = Family.batchedGradient(net, c.x(), c.y());
        assertTrue(GradientCheck.compare(net, Loss.MSE, c.x(), c.y(), gradient, GradientCheck.DEFAULT_STEP)
                .passed());

        // One weight of layer 1 off by 1% of the gradient's scale.
        Parameters.View w1 = net.parameters().weightView(1);
        int index = 5;
        float scale = 0;
        for (float g : gradient) {
            scale = Math.max(scale, Math.abs(g));
        }
        float[] wrong = gradient.clone();
        wrong[w1.offset() + index] += 0.01f * scale;
        GradientCheck.Report report = GradientCheck.compare(net, Loss.MSE, c.x(), c.y(), wrong,
                GradientCheck.DEFAULT_STEP);

        assertFalse(report.passed(), report::toString);
        assertEquals("layers.1.weight", report.worst().view());
        assertEquals(index, report.worst().index());
        assertEquals(w1.offset() + index, report.worst().flatIndex());
        assertTrue(report.view("layers.0.weight").maxRelativeError() < GradientCheck.DEFAULT_TOLERANCE);
    }

    @Test
    void aGradientWithTheWrongNormalisationFails() {
        // Dividing by N·k instead of N (k = 2 outputs) halves every component.
        Family.Case c = Family.make(List.of(Activation.SOFTPLUS, Activation.IDENTITY), 3, 2);
        assertEquals(2, c.network().outputs());
        float[] gradient = Family.batchedGradient(c.network(), c.x(), c.y());
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] /= 2;
        }
        GradientCheck.Report report = GradientCheck.compare(c.network(), Loss.MSE, c.x(), c.y(), gradient,
                GradientCheck.DEFAULT_STEP);
        assertFalse(report.passed(), report::toString);
        assertEquals(0.5, report.maxRelativeError(), 0.01, report::toString);
    }

    @Test
    void aReluKinkShowsAsADisagreementAtTheParametersThatReachIt() {
        // 1 → 1 ReLU → 1 identity, W⁰ = 1, b⁰ = −1, x = 1: z⁰ = 0 exactly, on the kink.
        // Backward uses ReLU'(0) = 0, so ∂ℓ/∂W⁰ = ∂ℓ/∂b⁰ = 0; the central difference sees
        // (ℓ(+h) − ℓ(−h)) / 2h, half of the right-hand slope. The check must report it.
        Network net = Network.of(List.of(new Dense(1, 1, Activation.RELU), new Dense(1, 1, Activation.IDENTITY)),
                Network.zeroParameters(List.of(new Dense(1, 1, Activation.RELU),
                        new Dense(1, 1, Activation.IDENTITY))));
        net.weights(0).set(0, 0, 1f);
        net.bias(0).set(0, 0, -1f);
        net.weights(1).set(0, 0, 1f);
        Matrix x = Matrix.of(new double[][] {{1}});
        Matrix y = Matrix.of(new double[][] {{1}});

        GradientCheck.Report report = GradientCheck.check(net, Loss.MSE, x, y);

        // ŷ = 0, ℓ = 1, ∂ℓ/∂ŷ = −2; right-hand slope of ℓ in W⁰ is −2, so the numeric value is −1.
        assertFalse(report.passed(), report::toString);
        assertTrue(report.worst().view().startsWith("layers.0."), report::toString);
        assertEquals(0.0, report.view("layers.0.weight").worst().analytic());
        assertEquals(-1.0, report.view("layers.0.weight").worst().numeric(), 1e-6);
        assertEquals(1.0, report.maxRelativeError(), 1e-6);
    }

    @Test
    void otherStepsWorkAndTheNetworkIsNotChanged() {
        Family.Case c = Family.make(List.of(Activation.SIGMOID, Activation.TANH, Activation.IDENTITY), 5, 9);
        Parameters before = c.network().parameters().copy();
        for (double h : new double[] {1e-4, 1e-5, 1e-7}) {
            GradientCheck.Report report = GradientCheck.check(c.network(), Loss.MSE, c.x(), c.y(), h);
            assertEquals(h, report.step());
            assertTrue(report.passed(), report::toString);
        }
        assertTrue(before.sameAs(c.network().parameters()));
    }

    @Test
    void argumentsAreChecked() {
        Family.Case c = Family.make(List.of(Activation.TANH), 2, 4);
        Network net = c.network();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.check(net, Loss.MSE, Matrix.zeros(2, 4), c.y()));
        assertEquals("the network reads 3 features but x has 4 columns", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.check(net, Loss.MSE, c.x(), Matrix.zeros(2, 7)));
        assertEquals("the network writes " + net.outputs() + " outputs but y has 7 columns", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.check(net, Loss.MSE, c.x(), Matrix.zeros(3, net.outputs())));
        assertEquals("x has 2 rows but y has 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.check(net, Loss.MSE, Matrix.zeros(0, 3), Matrix.zeros(0, net.outputs())));
        assertTrue(e.getMessage().contains("at least one row"), e.getMessage());
        for (double h : new double[] {0, -1e-6, Double.NaN, Double.POSITIVE_INFINITY}) {
            e = assertThrows(IllegalArgumentException.class, () -> GradientCheck.check(net, Loss.MSE, c.x(), c.y(), h));
            assertEquals("step h must be positive and finite, got " + h, e.getMessage());
        }
        GradientCheck.Report report = GradientCheck.check(net, Loss.MSE, c.x(), c.y());
        e = assertThrows(IllegalArgumentException.class, () -> report.passed(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}
