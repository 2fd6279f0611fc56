package dev.gradus.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Activation;
import dev.gradus.optim.Adam;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {

    @Test
    void settingsAreDrawnFromTheSeedAlone() {
        SearchSpace space = SearchSpace.defaults();
        assertEquals(space.sample(7), space.sample(7));
        assertNotEquals(space.sample(7), space.sample(8));
        assertEquals(SearchSpace.KEYS, List.copyOf(space.sample(7).keySet()));
    }

    @Test
    void drawsStayInsideTheSpaceAndCoverIt() {
        SearchSpace space = SearchSpace.defaults();
        Set<String> depths = new HashSet<>();
        Set<String> activations = new HashSet<>();
        for (long seed = 0; seed < 400; seed++) {
            Map<String, String> p = space.sample(seed);
            int width = Integer.parseInt(p.get("width"));
            double lr = Double.parseDouble(p.get("lr"));
            double wd = Double.parseDouble(p.get("weight_decay"));
            assertTrue(width >= 32 && width <= 512, p.toString());
            assertTrue(lr >= 1e-4 && lr <= 1e-2, p.toString());
            assertTrue(wd >= 1e-6 && wd <= 1e-2, p.toString());
            assertTrue(Set.of("32", "64", "128", "256").contains(p.get("batch_size")), p.toString());
            depths.add(p.get("depth"));
            activations.add(p.get("activation"));
        }
        assertEquals(Set.of("1", "2", "3"), depths);
        assertEquals(Set.of("relu", "tanh"), activations);
    }

    @Test
    void flagsNarrowWidenAndFixKeys() {
        SearchSpace space = SearchSpace.defaults().with("depth", "2").with("width", "600..2000")
                .with("lr", "3e-4..3e-3").with("activation", "tanh").with("dropout", "0..0.5")
                .with("batch_size", "16,512");
        for (long seed = 0; seed < 200; seed++) {
            Map<String, String> p = space.sample(seed);
            assertEquals("2", p.get("depth"));
            assertEquals("tanh", p.get("activation"));
            int width = Integer.parseInt(p.get("width"));
            assertTrue(width >= 600 && width <= 2000, p.toString());
            double lr = Double.parseDouble(p.get("lr"));
            assertTrue(lr >= 3e-4 && lr <= 3e-3, p.toString());
            double dropout = Double.parseDouble(p.get("dropout"));
            assertTrue(dropout >= 0 && dropout <= 0.5, p.toString());
            assertTrue(Set.of("16", "512").contains(p.get("batch_size")), p.toString());
        }
        assertTrue(space.get("depth").fixed());
        assertEquals("depth=2 width=600..2000 lr=0.0003..0.003 weight_decay=1e-06..0.01 batch_size=16,512 "
                + "dropout=0..0.5 activation=tanh", space.toString());
    }

    @Test
    void badKeysAndValuesAreNamed() {
        SearchSpace d = SearchSpace.defaults();
        assertEquals("unknown search key 'depht'; the keys are depth, width, lr, weight_decay, batch_size, dropout, "
                + "activation", assertThrows(IllegalArgumentException.class, () -> d.with("depht", "2")).getMessage());
        assertEquals("lr: must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> d.with("lr", "0,1e-2")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.with("lr", "1e-2..1e-4")).getMessage()
                .startsWith("lr: the range"));
        assertEquals("width: 'wide' is not an integer",
                assertThrows(IllegalArgumentException.class, () -> d.with("width", "wide")).getMessage());
        assertEquals("dropout: must be in [0, 1), got 1",
                assertThrows(IllegalArgumentException.class, () -> d.with("dropout", "0.2,1")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.with("activation", "relux")).getMessage()
                .startsWith("activation: "));
        assertEquals("activation: give names (relu,tanh), not a range",
                assertThrows(IllegalArgumentException.class, () -> d.with("activation", "a..b")).getMessage());
    }

    @Test
    void settingsBecomeASpecAndTrainFlags() {
        Map<String, String> p = Map.of("depth", "2", "width", "64", "lr", "0.002", "weight_decay", "1e-05",
                "batch_size", "128", "dropout", "0.1", "activation", "tanh");
        ModelSpec spec = SearchSpace.apply(ModelSpec.classification("label"), p, 99);
        assertEquals(List.of(64, 64), spec.hidden());
        assertEquals(Activation.TANH, spec.activation());
        assertEquals(99, spec.training().seed());
        assertEquals(128, spec.training().batchSize().getAsInt());
        assertEquals(0.1, spec.training().dropout());
        assertEquals(Map.of("lr", "0.002", "weight_decay", "1e-05"), spec.training().hyperparameters());
        assertEquals(List.of("--layers", "64,64", "--activation", "tanh", "--lr", "0.002", "--weight-decay", "1e-05",
                "--batch-size", "128", "--dropout", "0.1"), SearchSpace.trainFlags(new java.util.LinkedHashMap<>(p)));
        assertThrows(IllegalArgumentException.class, () -> SearchSpace.apply(
                ModelSpec.classification("label").withOptimizer(Adam.defaults()), p, 1));
    }
}
