package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClippingTest {

    @Test
    void clippingScalesToTheNormAsPyTorch() {
        float[] g = {3, 4};
        assertEquals(5.0, Clipping.clipByGlobalNorm(g, 1.0), 1e-12);
        // coefficient 1/(5 + 1e-6)
        assertEquals(3 / (5 + 1e-6), g[0], 1e-7);
        assertEquals(4 / (5 + 1e-6), g[1], 1e-7);
        float[] small = {0.3f, 0.4f};
        Clipping.clipByGlobalNorm(small, 1.0);
        assertEquals(0.3f, small[0], 0f);
    }
}
