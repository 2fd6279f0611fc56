package dev.gradus.nn;

import dev.gradus.kernel.BiasEpilogue;
import dev.gradus.kernel.Epilogue;
import dev.gradus.kernel.Kernels;
import dev.gradus.kernel.PackedWeights;
import java.util.List;

/**
 * Scratch buffers for one forward and backward pass over up to {@code capacity} rows:
 * {@code Zᵐ} and {@code Aᵐ} per layer, two buffers shared by all layers for
 * {@code Gᵐ = ∂ℓ/∂Aᵐ} and {@code Δᵐ = ∂ℓ/∂Zᵐ} (the backward pass alternates between them),
 * and each {@code Wᵐ} packed once per pass for the products ({@link PackedWeights}).
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
    /** Wᵐ packed for Zᵐ = Aᵐ⁻¹Wᵐᵀ (every forward pass) and Gᵐ⁻¹ = ΔᵐWᵐ (every backward pass). */
    final PackedWeights[] packed;
    /** Zᵐ ← Zᵐ + bᵐ, Aᵐ = φᵐ(Zᵐ) on each finished block of the forward product. */
    final BiasActivation[] forwardEpilogue;
    /** Δᵐ = φᵐ'(Zᵐ) ⊙ Gᵐ, in place, on each finished block of the product that made Gᵐ. */
    final Derivative[] backwardEpilogue;
    /**
     * True for a hidden ReLU layer whose last forward pass wrote {@code Aᵐ = relu(Zᵐ)} straight
     * from the product ({@link #relu}) and kept no {@code Zᵐ}: {@code φᵐ'} then reads {@code Aᵐ},
     * which has the same signs ({@code relu(z) > 0 ⇔ z > 0}).
     */
    final boolean[] zInA;
    /**
     * Per layer, the {@code θ} array that {@code packed[m]}'s forward and backward layouts hold
     * while passes keep packed weights ({@link #keepPackedWeights}); null: pack at the next use.
     */
    private final float[][] forwardFrom;
    private final float[][] backwardFrom;
    private boolean keepPacked;
    private final BiasEpilogue[] relu;    // relu(C + bᵐ) on the product's register tiles, per θ array
    private final float[][] reluTheta;    // the θ array relu[m] reads
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
        this.packed = new PackedWeights[layers.size()];
        this.forwardEpilogue = new BiasActivation[layers.size()];
        this.backwardEpilogue = new Derivative[layers.size()];
        this.zInA = new boolean[layers.size()];
        this.forwardFrom = new float[layers.size()][];
        this.backwardFrom = new float[layers.size()][];
        this.relu = new BiasEpilogue[layers.size()];
        this.reluTheta = new float[layers.size()][];
        for (int m = 0; m < layers.size(); m++) {
            Dense d = layers.get(m);
            packed[m] = PackedWeights.forTraining(d.outputs(), d.inputs(), capacity);
            forwardEpilogue[m] = new BiasActivation(d.activation(), a[m]);
            backwardEpilogue[m] = new Derivative(d.activation(), z[m], a[m]);
        }
    }

    /**
     * Lets the passes over this workspace reuse each {@code Wᵐ} packed by an earlier pass over the
     * same {@code θ} array, until {@link #weightsChanged()}: for a caller that runs the blocks of
     * one batch, all under one {@code θ}, through this workspace (the blocked pass of a full
     * batch packs each {@code Wᵐ} once per batch instead of once per block). Packing only moves
     * values, so the bits are the same. Without this call every pass packs.
     */
    public void keepPackedWeights() {
        keepPacked = true;
    }

    /** {@code θ} may have changed since the last pass: the next pass packs every {@code Wᵐ} again. */
    public void weightsChanged() {
        java.util.Arrays.fill(forwardFrom, null);
        java.util.Arrays.fill(backwardFrom, null);
    }

    /** {@code packed[m]} for the engine of the moment ({@link PackedWeights#current}); a new instance holds nothing yet. */
    PackedWeights packed(int m) {
        PackedWeights p = packed[m].current();
        if (p != packed[m]) {
            packed[m] = p;
            forwardFrom[m] = null;
            backwardFrom[m] = null;
        }
        return p;
    }

    /** Packs {@code Wᵐ} (from {@code theta[offset]}) in the forward layout unless a kept earlier pass did. */
    void packForward(int m, float[] theta, int offset) {
        if (forwardFrom[m] != theta) {
            packed[m].packForward(theta, offset);
            forwardFrom[m] = keepPacked ? theta : null;
        }
    }

    /** Packs {@code Wᵐ} (from {@code theta[offset]}) in the backward layout unless a kept earlier pass did. */
    void packBackward(int m, float[] theta, int offset) {
        if (backwardFrom[m] != theta) {
            packed[m].packBackward(theta, offset);
            backwardFrom[m] = keepPacked ? theta : null;
        }
    }

    /**
     * The epilogue {@code C ← relu(C + bᵐ)} with {@code bᵐ} at {@code theta[biasOffset ..]}, made
     * once per {@code θ} array (steps allocate nothing).
     */
    BiasEpilogue relu(int m, float[] theta, int biasOffset) {
        if (reluTheta[m] != theta) {
            relu[m] = BiasEpilogue.relu(theta, biasOffset);
            reluTheta[m] = theta;
        }
        return relu[m];
    }

    /** The backward epilogue: {@code Δᵐ = φᵐ'(Zᵐ) ⊙ Gᵐ} in place, {@code φᵐ'} from {@code Zᵐ} and {@code Aᵐ}. */
    static final class Derivative implements Epilogue {
        private final Activation phi;
        private final float[] z;
        private final float[] a;

        Derivative(Activation phi, float[] z, float[] a) {
            this.phi = phi;
            this.z = z;
            this.a = a;
        }

        @Override
        public void finish(float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
            if (cOff != 0) {
                throw new IllegalStateException("Gᵐ is expected from index 0");
            }
            if (j0 == 0 && j1 == ldc) {
                phi.multiplyDerivative(z, a, c, c, i0 * ldc, (i1 - i0) * ldc);
            } else {
                for (int i = i0; i < i1; i++) {
                    phi.multiplyDerivative(z, a, c, c, i * ldc + j0, j1 - j0);
                }
            }
        }
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

    /** {@code Aⁿ = Ŷ} of the last forward pass, {@code rows × outputs} from index 0. */
    public float[] output() {
        return a[a.length - 1];
    }

    /**
     * {@code Zᵐ} of the last forward pass, {@code rows × outputs(m)} from index 0; for a hidden
     * ReLU layer of a pass without dropout, {@code Aᵐ = relu(Zᵐ)} instead, which has the same signs
     * ({@code Zᵐ} is not kept: the product writes {@code Aᵐ} directly).
     */
    public float[] z(int m) {
        return zInA[m] ? a[m] : z[m];
    }

    /** {@code Aᵐ} of the last forward pass, {@code rows × outputs(m)} from index 0. */
    public float[] a(int m) {
        return a[m];
    }

    /**
     * The buffer for {@code Gⁿ = ∂ℓ/∂Ŷ}: a loss writes it before
     * {@link Network#backward}; the backward pass then reuses it, in turn with the buffer of
     * {@code Δᵐ}, for the {@code Gᵐ} and {@code Δᵐ} of the layers below.
     */
    public float[] g() {
        return g;
    }
}
