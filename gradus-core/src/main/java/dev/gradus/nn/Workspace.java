package dev.gradus.nn;

import dev.gradus.kernel.Kernels;
import java.util.List;

/**
 * Scratch buffers for one forward and backward pass over up to {@code capacity} rows:
 * {@code Zᵐ} and {@code Aᵐ} per layer, and two buffers shared by all layers for
 * {@code Gᵐ = ∂ℓ/∂Aᵐ} and {@code Δᵐ = ∂ℓ/∂Zᵐ}.
 *
 * <p>A workspace belongs to one thread at a time. Trainers create one and reuse it for every
 * step, so steady-state steps allocate nothing.
 */
public final class Workspace {
    final int capacity;
    final Kernels kernels;
    final float[][] z;     // z[m]: (rows, outputs of m)
    final float[][] a;     // a[m]: (rows, outputs of m)
    final float[] g;       // Gᵐ: (rows, outputs of m), reused for every m
    final float[] delta;   // Δᵐ: (rows, outputs of m), reused for every m
    final Activation outputActivation;  // φⁿ
    final int outputs;                  // width of Ŷ
    final Dropout dropout;
    int rows;
    /** True when a loss fused with φⁿ wrote Δⁿ (not Gⁿ) after the last forward pass. */
    boolean outputDeltaGiven;

    Workspace(List<Dense> layers, int capacity, Kernels kernels) {
        if (capacity < 1) {
            throw new IllegalArgumentException("workspace capacity must be at least 1 row, got " + capacity);
        }
        this.capacity = capacity;
        this.kernels = kernels;
        this.z = new float[layers.size()][];
        this.a = new float[layers.size()][];
        int widest = layers.get(0).inputs();
        for (int m = 0; m < layers.size(); m++) {
            int out = layers.get(m).outputs();
            z[m] = new float[Math.multiplyExact(capacity, out)];
            a[m] = new float[capacity * out];
            widest = Math.max(widest, out);
        }
        this.g = new float[Math.multiplyExact(capacity, widest)];
        this.delta = new float[capacity * widest];
        this.outputActivation = layers.get(layers.size() - 1).activation();
        this.outputs = layers.get(layers.size() - 1).outputs();
        this.dropout = new Dropout(layers, capacity);
    }

    /**
     * Turns inverted dropout on for the following passes: each unit of every hidden layer
     * {@code m < n} is kept with probability {@code 1 − rate} and scaled by {@code 1/(1 − rate)}.
     * The mask is a pure function of {@code (seed, epoch, step, m, unit index)}, so a resumed run
     * draws the same masks. Rate 0 turns dropout off.
     *
     * @throws IllegalArgumentException unless {@code 0 ≤ rate < 1}
     */
    public void dropout(double rate, long seed, int epoch, int step) {
        dropout.set(rate, seed, epoch, step, 0);
    }

    /**
     * As {@link #dropout(double, long, int, int)} for a pass over rows
     * {@code firstRow, firstRow + 1, …} of a batch passed in blocks: each row gets the mask it
     * would get in one pass over the whole batch.
     */
    public void dropout(double rate, long seed, int epoch, int step, long firstRow) {
        if (firstRow < 0) {
            throw new IllegalArgumentException("firstRow must be 0 or more, got " + firstRow);
        }
        dropout.set(rate, seed, epoch, step, firstRow);
    }

    /** Turns dropout off (inference and validation passes). */
    public void noDropout() {
        dropout.set(0, 0, 0, 0, 0);
    }

    /** The most rows a pass may hold. */
    public int capacity() {
        return capacity;
    }

    /** The rows of the last forward pass. */
    public int rows() {
        return rows;
    }

    /** The kernels this workspace's passes use. */
    public Kernels kernels() {
        return kernels;
    }

    /** {@code Aⁿ = Ŷ} of the last forward pass, {@code rows × outputs} from index 0. */
    public float[] output() {
        return a[a.length - 1];
    }

    /** {@code Zᵐ} of the last forward pass, {@code rows × outputs(m)} from index 0. */
    public float[] z(int m) {
        return z[m];
    }

    /** {@code Aᵐ} of the last forward pass, {@code rows × outputs(m)} from index 0. */
    public float[] a(int m) {
        return a[m];
    }

    /**
     * The buffer for {@code Gⁿ = ∂ℓ/∂Ŷ}: a loss writes it before
     * {@link Network#backward}; the backward pass then reuses it for every {@code Gᵐ}.
     */
    public float[] g() {
        return g;
    }
}
