package dev.gradus.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle checks itself: its element-wise gradient equals the central difference of its own
 * double loss. Both sides are double and share no code but the forward formulas, so an oracle
 * that misread the seed would fail here before it could vouch for the engine.
 */
class SeedFormulasSelfCheckTest {

    /**
     * Central difference with {@code h = 1e-5} in double: truncation error
     * {@code h²ℓ'''/6 ≈ 2e-11} and rounding error {@code 1e-16·ℓ/h ≈ 1e-11} for the losses
     * and curvatures of this family (both of order 1-10), so {@code 1e-8} of the gradient's
     * scale (itself of order 0.1-10) holds with a margin of at least ten.
     */
    static final double H = 1e-5;
    static final double TOLERANCE = 1e-8;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.gradus.oracle.Family#all")
    void elementWiseGradientEqualsCentralDifferences(Family.Case c) {
        double[][] xs = c.x().toDoubles();
        double[][] ys = c.y().toDoubles();
        SeedFormulas oracle = SeedFormulas.of(c.network());
        SeedFormulas.Gradient g = oracle.gradient(xs, ys);
        double scale = g.scale();
        for (int m = 0; m <= oracle.n(); m++) {
            double[][] w = oracle.weights(m);
            for (int i = 0; i < w.length; i++) {
                for (int j = 0; j < w[i].length; j++) {
                    double numeric = centralDifference(oracle, w[i], j, xs, ys);
                    check(g.dW().get(m)[i][j], numeric, scale, "W" + m + "[" + i + "," + j + "]");
                }
                double numeric = centralDifference(oracle, oracle.bias(m), i, xs, ys);
                check(g.dB().get(m)[i], numeric, scale, "b" + m + "[" + i + "]");
            }
        }
    }

    private static double centralDifference(SeedFormulas oracle, double[] row, int j, double[][] xs,
                                            double[][] ys) {
        double original = row[j];
        row[j] = original + H;
        double plus = oracle.loss(xs, ys);
        row[j] = original - H;
        double minus = oracle.loss(xs, ys);
        row[j] = original;
        return (plus - minus) / (2 * H);
    }

    private static void check(double analytic, double numeric, double scale, String where) {
        double err = Math.abs(analytic - numeric);
        assertTrue(err <= TOLERANCE * scale, () -> where + ": formula " + analytic + ", central difference "
                + numeric + ", |diff| / scale = " + err / scale);
    }
}
