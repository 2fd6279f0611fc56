package dev.gradus.nn;

import java.util.List;

/**
 * Inverted dropout masks for the hidden layers {@code m < n} of one workspace:
 * {@code Mᵐᵢⱼ = 1/(1 − p)} with probability {@code 1 − p}, else 0, so that {@code E[Aᵐ ⊙ Mᵐ] = Aᵐ}
 * and inference needs no rescaling.
 *
 * <p>Each mask entry is a pure function of {@code (seed, epoch, step, m, index)} (a SplitMix64
 * hash), drawn without allocating and independent of everything drawn before it: a run resumed
 * at any step reproduces the masks of an uninterrupted one.
 */
final class Dropout {
    private final float[][] masks;   // masks[m]: (capacity, outputs of m) for m < n, allocated on first use
    private final int[] sizes;
    private final int[] widths;      // outputs of layer m
    private float rate;
    private float keepScale;
    private long stepSeed;
    private long firstRow;           // the row of the batch that row 0 of this pass is

    Dropout(List<Dense> layers, int capacity) {
        this.masks = new float[layers.size()][];
        this.sizes = new int[layers.size()];
        this.widths = new int[layers.size()];
        for (int m = 0; m < layers.size(); m++) {
            sizes[m] = capacity * layers.get(m).outputs();
            widths[m] = layers.get(m).outputs();
        }
    }

    /**
     * Masks for step {@code (seed, epoch, step)}; row {@code r} of the following passes is row
     * {@code firstRow + r} of the batch, so a batch passed in blocks draws the masks of one pass.
     */
    void set(double p, long seed, int epoch, int step, long firstRow) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + p);
        }
        rate = (float) p;
        keepScale = (float) (1.0 / (1.0 - p));
        stepSeed = mix(mix(seed) ^ mix(((long) epoch << 32) ^ (step & 0xFFFFFFFFL)));
        this.firstRow = firstRow;
    }

    boolean active() {
        return rate > 0f;
    }

    /** Draws {@code Mᵐ} for the first {@code length} entries and sets {@code a ← a ⊙ Mᵐ}. */
    void forward(int m, float[] a, int length) {
        if (masks[m] == null) {
            masks[m] = new float[sizes[m]];
        }
        float[] mask = masks[m];
        long layerSeed = mix(stepSeed + 0x9E3779B97F4A7C15L * (m + 1));
        long first = firstRow * widths[m];   // the index of entry 0 in the batch's Mᵐ
        for (int i = 0; i < length; i++) {
            // A uniform draw in [0, 1) from the top 24 bits of the hash: exact in float.
            float u = (mix(layerSeed + 0xBF58476D1CE4E5B9L * (first + i)) >>> 40) * 0x1.0p-24f;
            mask[i] = u < rate ? 0f : keepScale;
            a[i] *= mask[i];
        }
    }

    /** {@code g ← g ⊙ Mᵐ} over the first {@code length} entries, the mask of the last forward pass. */
    void backward(int m, float[] g, int length) {
        float[] mask = masks[m];
        for (int i = 0; i < length; i++) {
            g[i] *= mask[i];
        }
    }

    /** The SplitMix64 finaliser (Steele, Lea &amp; Flood 2014). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
