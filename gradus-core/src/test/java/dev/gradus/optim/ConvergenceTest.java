package dev.gradus.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every optimizer minimises a parabola and Rosenbrock's function through its closure step. */
class ConvergenceTest {

    /** {@code f(θ) = Σᵢ cᵢ(θᵢ − aᵢ)²}, minimum 0 at {@code a}; the {@code cᵢ} span a condition number of 10. */
    static final double[] C = {1, 3, 10, 0.5 + 0.5};
    static final double[] A = {1, -2, 0.5, 3};

    static double parabola(float[] theta, float[] g) {
        double f = 0;
        for (int i = 0; i < theta.length; i++) {
            double r = theta[i] - A[i];
            f += C[i] * r * r;
            g[i] = (float) (2 * C[i] * r);
        }
        return f;
    }

    /** {@code f(x, y) = (1 − x)² + 100(y − x²)²}, minimum 0 at {@code (1, 1)}. */
    static double rosenbrock(float[] theta, float[] g) {
        double x = theta[0];
        double y = theta[1];
        g[0] = (float) (-2 * (1 - x) - 400 * x * (y - x * x));
        g[1] = (float) (200 * (y - x * x));
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    }

    static Stream<Arguments> parabolaCases() {
        return Stream.of(
                Arguments.of("sgd(lr=0.04)", 500),
                Arguments.of("momentum(lr=0.01)", 500),
                Arguments.of("nesterov(lr=0.01)", 500),
                Arguments.of("rmsprop(lr=0.01)", 2000),
                Arguments.of("adam(lr=0.05)", 2000),
                Arguments.of("adamw(lr=0.05, weight_decay=0)", 2000),
                Arguments.of("rprop", 300),
                Arguments.of("irprop+", 300),
                Arguments.of("lbfgs", 30),
                Arguments.of("lbfgs(line_search=none)", 30));
    }

    static Stream<Arguments> rosenbrockCases() {
        return Stream.of(
                Arguments.of("sgd(lr=0.001)", 60000),
                Arguments.of("momentum(lr=0.0002)", 30000),
                Arguments.of("nesterov(lr=0.0002)", 30000),
                Arguments.of("rmsprop(lr=0.0005)", 30000),
                Arguments.of("adam(lr=0.002)", 30000),
                Arguments.of("adamw(lr=0.002, weight_decay=0)", 30000),
                Arguments.of("rprop", 3000),
                Arguments.of("irprop+", 3000),
                Arguments.of("lbfgs", 200));
    }

    @ParameterizedTest(name = "{0} on a parabola")
    @MethodSource("parabolaCases")
    void minimisesAParabola(String spec, int steps) {
        float[] theta = {0, 0, 0, 0};
        double f = minimise(Optimizer.parse(spec), theta, steps, ConvergenceTest::parabola);
        // The minimum is 0; 1e-6 is reached only near a, |θ − a| < 1e-3 in every coordinate.
        assertTrue(f < 1e-6, spec + ": f = " + f + " at " + java.util.Arrays.toString(theta));
    }

    @ParameterizedTest(name = "{0} on Rosenbrock")
    @MethodSource("rosenbrockCases")
    void minimisesRosenbrock(String spec, int steps) {
        float[] theta = {-1.2f, 1f};   // the classic start, f = 24.2
        double f = minimise(Optimizer.parse(spec), theta, steps, ConvergenceTest::rosenbrock);
        // Along the curved valley f < 1e-4 implies |x − 1| < 1e-2 (f ≥ (1 − x)²).
        assertTrue(f < 1e-4 && Math.abs(theta[0] - 1) < 0.02 && Math.abs(theta[1] - 1) < 0.04,
                spec + ": f = " + f + " at " + java.util.Arrays.toString(theta));
    }

    interface Function {
        double valueAndGradient(float[] theta, float[] g);
    }

    static double minimise(Optimizer optimizer, float[] theta, int steps, Function f) {
        float[] g = new float[theta.length];
        Optimizer.State state = optimizer.init(theta.length);
        Optimizer.Objective objective = dTheta -> f.valueAndGradient(theta, dTheta);
        for (int i = 0; i < steps; i++) {
            optimizer.step(theta, g, objective, state, optimizer.learningRate());
        }
        return f.valueAndGradient(theta, g);
    }
}
