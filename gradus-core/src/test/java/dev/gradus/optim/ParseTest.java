package dev.gradus.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ParseTest {

    @Test
    void defaultsArePyTorchs() {
        assertEquals(new Adam(1e-3, 0.9, 0.999, 1e-8, 0), Optimizer.parse("adam"));
        assertEquals(new AdamW(1e-3, 0.9, 0.999, 1e-8, 0.01), Optimizer.parse("adamw"));
        assertEquals(new RmsProp(0.01, 0.99, 1e-8, 0), Optimizer.parse("rmsprop"));
        assertEquals(new Momentum(0.01, 0.9, 0, false), Optimizer.parse("momentum"));
        assertEquals(new Momentum(0.01, 0.9, 0, true), Optimizer.parse("nesterov"));
        assertEquals(new Rprop(0.01, 0.5, 1.2, 1e-6, 50, Rprop.Variant.MINUS), Optimizer.parse("rprop"));
        assertEquals(Rprop.Variant.PLUS, ((Rprop) Optimizer.parse("irprop+")).variant());
        assertEquals(Lbfgs.defaults(), Optimizer.parse("lbfgs"));
        assertEquals(Sgd.defaults(), Optimizer.parse("sgd"));
    }

    @Test
    void everyOptimizerRoundTripsThroughItsText() {
        Optimizer[] all = {new Sgd(0.5, 0.1), Momentum.nesterovDefaults().withWeightDecay(0.2),
            Adam.defaults().withLearningRate(0.02), AdamW.defaults().withWeightDecay(0.3), RmsProp.defaults(),
            Rprop.defaults().withVariant(Rprop.Variant.PLUS), Lbfgs.defaults().withLineSearch(Lbfgs.LineSearch.NONE)};
        for (Optimizer o : all) {
            assertEquals(o, Optimizer.parse(o.toString()), o.toString());
            assertEquals(0.25, o.withLearningRate(0.25).learningRate(), 0.0);
        }
    }

    @Test
    void mapFormForCommandLineFlags() {
        Optimizer o = Optimizer.of("momentum", Map.of("lr", "0.1", "momentum", "0.95", "weight-decay", "1e-4"));
        assertEquals(new Momentum(0.1, 0.95, 1e-4, false), o);
    }

    @Test
    void errorsNameTheOptimizerKeyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizer.of("adam", Map.of("momentum", "0.9")));
        assertTrue(e.getMessage().contains("adam") && e.getMessage().contains("'momentum'")
                && e.getMessage().contains("beta1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizer.parse("adagrad"));
        assertTrue(e.getMessage().contains("'adagrad'") && e.getMessage().contains("lbfgs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizer.parse("sgd(lr=-1)"));
        assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizer.parse("adam(beta2=1)"));
        assertTrue(e.getMessage().contains("beta2") && e.getMessage().contains("1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizer.parse("sgd(lr=fast)"));
        assertTrue(e.getMessage().contains("'fast'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizer.parse("lbfgs(line_search=wolfe)"));
        assertTrue(e.getMessage().contains("'wolfe'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Momentum(0.1, 1.0, 0, false));
        assertTrue(e.getMessage().contains("momentum") && e.getMessage().contains("1.0"), e.getMessage());
    }

    @Test
    void schedulesParseRoundTripAndReject() {
        assertEquals(Schedule.CONSTANT, Schedule.parse("constant", 10));
        assertEquals(new Schedule.Step(10, 0.1), Schedule.parse("step(size=10)", 10));
        assertEquals(new Schedule.Exponential(0.95), Schedule.parse("exponential(gamma=0.95)", 10));
        assertEquals(new Schedule.Cosine(100, 5, 0), Schedule.parse("cosine(warmup=5)", 100));
        for (Schedule s : new Schedule[] {Schedule.CONSTANT, new Schedule.Step(3, 0.5), new Schedule.Exponential(0.9),
            new Schedule.Cosine(50, 2, 0.1)}) {
            assertEquals(s, Schedule.parse(s.toString(), 7), s.toString());
        }
        assertEquals(0.25, new Schedule.Step(2, 0.5).factor(5), 0.0);   // γ^⌊5/2⌋
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedule.parse("cosine(warmup=20)", 10));
        assertTrue(e.getMessage().contains("10") && e.getMessage().contains("20"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("step(gamma=0.5)", 10));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("linear", 10));
        assertTrue(e.getMessage().contains("'linear'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("exponential(gamma=0.9, rate=2)", 10));
        assertTrue(e.getMessage().contains("'rate'"), e.getMessage());
    }
}
