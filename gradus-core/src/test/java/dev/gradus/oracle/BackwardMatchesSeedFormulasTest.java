package dev.gradus.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Network;
import dev.gradus.tensor.Parameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batched float32 backward pass agrees with the seed's element-wise formulas (section 2),
 * evaluated literally in double by {@link SeedFormulas}, on every network of {@link Family}.
 */
class BackwardMatchesSeedFormulasTest {

    /**
     * Allowed {@code |float − oracle|}, as a fraction of the gradient's scale (its largest
     * component). The float32 side differs from the oracle only by round-off: every product
     * and sum rounds with relative error at most {@code u = 2⁻²⁴ ≈ 6e-8}, and a component of
     * these networks is a sum over at most 5 samples and 5 units of products along at most 4
     * layers, some 50 roundings deep, so the error is at most about {@code 50u·Σ|terms| ≈ 3e-6}
     * of the terms' magnitude (Higham's bound for dot products, applied layer by layer).
     * {@code 1e-5} leaves a factor of three for cancellation between samples; the errors
     * measured on this family stay below {@code 1e-6}. A wrong derivative, a factor of 2 or a
     * transposed index moves components by a sizable fraction of the scale, far above this.
     */
    static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.gradus.oracle.Family#all")
    void batchedBackwardEqualsElementWiseFormulas(Family.Case c) {
        Network net = c.network();
        double[][] xs = c.x().toDoubles();
        double[][] ys = c.y().toDoubles();
        SeedFormulas oracle = SeedFormulas.of(net);
        SeedFormulas.Gradient expected = oracle.gradient(xs, ys);
        float[] actual = Family.batchedGradient(net, c.x(), c.y());

        double scale = expected.scale();
        assertTrue(scale > 1e-3, "the gradient should not vanish on this family, scale " + scale);
        Parameters p = net.parameters();
        for (int m = 0; m <= oracle.n(); m++) {
            Parameters.View wv = p.weightView(m);
            for (int i = 0; i < wv.rows(); i++) {
                for (int j = 0; j < wv.cols(); j++) {
                    double e = expected.dW().get(m)[i][j];
                    double a = actual[wv.offset() + i * wv.cols() + j];
                    assertClose(e, a, scale, wv.name() + "[" + i + "," + j + "]");
                }
            }
            Parameters.View bv = p.biasView(m);
            for (int i = 0; i < bv.rows(); i++) {
                assertClose(expected.dB().get(m)[i], actual[bv.offset() + i], scale, bv.name() + "[" + i + "]");
            }
        }
    }

    private static void assertClose(double expected, double actual, double scale, String where) {
        double err = Math.abs(expected - actual);
        assertTrue(err <= TOLERANCE * scale, () -> where + ": oracle " + expected + ", batched " + actual
                + ", |diff| " + err + " = " + err / scale + " of the scale " + scale);
    }
}
