package dev.gradus.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AshaTest {

    @Test
    void aTrialGoesOnOnlyWhenAmongTheBestOneInEtaOfItsRung() {
        Asha asha = new Asha(3);
        assertTrue(asha.report(0, 0.50), "the first report is the best so far");
        assertFalse(asha.report(0, 0.40), "n=2: ⌊2/3⌋=0, so only the best goes on");
        assertTrue(asha.report(0, 0.60), "n=3: the best 1 goes on, and 0.60 is it");
        assertFalse(asha.report(0, 0.55), "n=4: the best 1 is 0.60");
        assertFalse(asha.report(0, 0.30), "n=5");
        assertTrue(asha.report(0, 0.55), "n=6: the best 2 are 0.60 and 0.55 (a tie counts)");
        assertFalse(asha.report(0, 0.54), "n=7: the best 2 are 0.60 and 0.55");
        assertEquals(List.of(0.50, 0.40, 0.60, 0.55, 0.30, 0.55, 0.54), asha.scores(0));
    }

    @Test
    void rungsAreIndependentAndNanIsTheWorst() {
        Asha asha = new Asha(2);
        assertTrue(asha.report(1, 0.1), "rung 1 has its own scores");
        assertTrue(asha.report(0, 0.9));
        assertFalse(asha.report(0, Double.NaN));
        assertTrue(asha.report(0, 0.95), "n=3, ⌊3/2⌋=1: the best");
        assertTrue(asha.report(0, 0.9), "n=4, ⌊4/2⌋=2: 0.95 and 0.9");
    }

    @Test
    void rungsGrowByEtaBelowTheFullRun() {
        assertEquals(List.of(3, 9, 27, 81, 243), Asha.rungs(3, 500, 3));
        assertEquals(List.of(1, 3), Asha.rungs(1, 5, 3));
        assertEquals(List.of(1, 2, 4), Asha.rungs(1, 5, 2));
        assertEquals(List.of(), Asha.rungs(10, 10, 3));
        assertThrows(IllegalArgumentException.class, () -> new Asha(1));
    }
}
