package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FoldsTest {
    static final Path DATA = Path.of("..", "data");

    @Test
    void everyRowIsHeldOutOnceAndFoldSizesDifferByAtMostOne() {
        Folds folds = Folds.shuffled(103, 5, 7);
        int[] seen = new int[103];
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (int f = 0; f < 5; f++) {
            int[] held = folds.heldOut(f);
            int[] train = folds.training(f);
            assertEquals(103, held.length + train.length);
            for (int r : held) {
                seen[r]++;
            }
            assertTrue(Arrays.stream(train).noneMatch(r -> Arrays.stream(held).anyMatch(h -> h == r)));
            smallest = Math.min(smallest, held.length);
            largest = Math.max(largest, held.length);
        }
        assertTrue(Arrays.stream(seen).allMatch(c -> c == 1), Arrays.toString(seen));
        assertTrue(largest - smallest <= 1, smallest + ".." + largest);
    }

    @Test
    void theSameSeedGivesTheSameFoldsAndAnotherSeedOthers() {
        assertEquals(Folds.shuffled(50, 3, 1), Folds.shuffled(50, 3, 1));
        assertFalse(Folds.shuffled(50, 3, 1).equals(Folds.shuffled(50, 3, 2)));
        int[] shuffled = Folds.shuffled(50, 5, 1).fold();
        int[] inOrder = new int[50];
        for (int i = 0; i < 50; i++) {
            inOrder[i] = i % 5;
        }
        assertFalse(Arrays.equals(shuffled, inOrder), "rows are shuffled before dealing");
    }

    @Test
    void stratifiedFoldsKeepTheClassProportions() throws Exception {
        Table wine = Csv.read(DATA.resolve("wine.csv"));     // 59 / 71 / 48 rows of classes 0 / 1 / 2
        int target = wine.indexOf("label");
        Map<String, Integer> total = counts(wine, target, null);
        Folds folds = Folds.stratified(wine, "label", 5, 42);
        assertEquals(folds, Folds.stratified(wine, "label", 5, 42));
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (int f = 0; f < 5; f++) {
            int[] held = folds.heldOut(f);
            smallest = Math.min(smallest, held.length);
            largest = Math.max(largest, held.length);
            Map<String, Integer> part = counts(wine, target, held);
            for (var e : total.entrySet()) {
                double expected = e.getValue() / 5.0;
                int got = part.getOrDefault(e.getKey(), 0);
                assertTrue(Math.abs(got - expected) < 1, "class " + e.getKey() + " fold " + f + ": " + got
                        + " rows, expected " + expected);
            }
        }
        assertTrue(largest - smallest <= 1, smallest + ".." + largest);
        Split s = folds.split(wine, 2);
        assertEquals(wine.rows(), s.train().rows() + s.test().rows());
    }

    @Test
    void tooFewRowsOrFoldsAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Folds.shuffled(10, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Folds.shuffled(3, 5, 0));
        Table tiny = Table.of("tiny.csv", java.util.List.of("x", "label"),
                java.util.List.of(new String[] {"1", "a"}, new String[] {"2", "b"}));
        DataException e = assertThrows(DataException.class, () -> Folds.stratified(tiny, "label", 3, 0));
        assertTrue(e.getMessage().contains("tiny.csv"), e.getMessage());
        assertThrows(DataException.class, () -> Folds.stratified(tiny, "nope", 2, 0));
    }

    private static Map<String, Integer> counts(Table t, int column, int[] rows) {
        Map<String, Integer> c = new HashMap<>();
        int n = rows == null ? t.rows() : rows.length;
        for (int i = 0; i < n; i++) {
            c.merge(t.text(rows == null ? i : rows[i], column), 1, Integer::sum);
        }
        return c;
    }
}
