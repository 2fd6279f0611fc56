package dev.gradus.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The sum over a set of rows {@code i} of the per-row loss terms and their gradients:
 * <pre>
 * dTheta = Σᵢ ∂Lᵢ/∂θ      loss = Σᵢ Lᵢ      rows = |{i}|
 * </pre>
 * so that the batch loss of the seed, {@code ℓ = (1/N) Σᵢ Lᵢ}, and its gradient are
 * {@code loss / rows} and {@code dTheta / rows}. Sums are kept in {@code double}: the float32
 * partition gradients are added without a second rounding, and the driver rounds once.
 *
 * <p>{@link #zero(int)} is the identity of {@link #plus} and {@code plus} is associative (up
 * to {@code double} rounding, exactly when the values are exactly representable): the contract
 * of a distributed sum. Instances are values; {@link #addInPlace} exists for the inside of a
 * partition and for the driver's running total.
 */
public final class GradientSum implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] dTheta;   // Σᵢ ∂Lᵢ/∂θ, laid out as θ
    private double loss;             // Σᵢ Lᵢ
    private long rows;               // |{i}|

    private GradientSum(double[] dTheta, double loss, long rows) {
        this.dTheta = dTheta;
        this.loss = loss;
        this.rows = rows;
    }

    /** The sum over no rows: zero gradient for {@code size} parameters, zero loss, zero rows. */
    public static GradientSum zero(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1 parameter, got " + size);
        }
        return new GradientSum(new double[size], 0, 0);
    }

    /**
     * The sum over {@code rows} rows whose mean loss was {@code meanLoss} and mean gradient
     * {@code meanGradient} (as the core loss and backward pass give them):
     * {@code dTheta = rows · meanGradient}, {@code loss = rows · meanLoss}.
     */
    public static GradientSum ofMean(float[] meanGradient, double meanLoss, int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be at least 1, got " + rows);
        }
        // rows · g is exact in double for a float g and rows below 2²⁹, so a sum over one
        // batch divided by the same rows gives g back bit for bit.
        return zero(meanGradient.length).addMean(meanGradient, meanLoss, rows);
    }

    /**
     * Adds the sum over {@code rows} rows whose mean loss was {@code meanLoss} and mean
     * gradient {@code meanGradient} into this sum, as {@link #ofMean} would, and returns this.
     */
    public GradientSum addMean(float[] meanGradient, double meanLoss, int rows) {
        if (meanGradient.length != dTheta.length) {
            throw new IllegalArgumentException("cannot add a gradient of " + meanGradient.length
                    + " parameters to one of " + dTheta.length);
        }
        for (int i = 0; i < dTheta.length; i++) {
            dTheta[i] += (double) meanGradient[i] * rows;
        }
        loss += meanLoss * rows;
        this.rows += rows;
        return this;
    }

    /** A sum with these values (the array is copied). */
    public static GradientSum of(double[] dTheta, double loss, long rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be 0 or more, got " + rows);
        }
        return new GradientSum(dTheta.clone(), loss, rows);
    }

    /** {@code this + other}, a new value; neither operand changes. */
    public GradientSum plus(GradientSum other) {
        return copy().addInPlace(other);
    }

    /**
     * Adds {@code other} into this sum and returns this.
     *
     * @throws IllegalArgumentException when the two sums have different parameter counts
     */
    public GradientSum addInPlace(GradientSum other) {
        if (other.dTheta.length != dTheta.length) {
            throw new IllegalArgumentException("cannot add a gradient of " + other.dTheta.length
                    + " parameters to one of " + dTheta.length);
        }
        for (int i = 0; i < dTheta.length; i++) {
            dTheta[i] += other.dTheta[i];
        }
        loss += other.loss;
        rows += other.rows;
        return this;
    }

    /** A copy that shares nothing with this sum. */
    public GradientSum copy() {
        return new GradientSum(dTheta.clone(), loss, rows);
    }

    /** The number of parameters. */
    public int size() {
        return dTheta.length;
    }

    /** {@code Σᵢ Lᵢ}. */
    public double loss() {
        return loss;
    }

    /** The number of rows summed. */
    public long rows() {
        return rows;
    }

    /** {@code Σᵢ ∂Lᵢ/∂θⱼ} (a copy). */
    public double[] gradient() {
        return dTheta.clone();
    }

    /**
     * Writes the mean gradient {@code ∂ℓ/∂θ = dTheta / n} into {@code out}, rounded once to
     * float, and returns the mean loss {@code ℓ = loss / n}, where {@code n} is the batch's row
     * count.
     */
    public double meanInto(float[] out, long n) {
        if (out.length != dTheta.length) {
            throw new IllegalArgumentException("gradient array holds " + out.length + " values, the sum has "
                    + dTheta.length);
        }
        if (n < 1) {
            throw new IllegalArgumentException("rows must be at least 1, got " + n);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (dTheta[i] / n);
        }
        return loss / n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GradientSum s && s.rows == rows && Double.compare(s.loss, loss) == 0
                && Arrays.equals(s.dTheta, dTheta);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(dTheta) + Double.hashCode(loss)) + Long.hashCode(rows);
    }

    @Override
    public String toString() {
        return "GradientSum[" + dTheta.length + " parameters, loss " + loss + ", " + rows + " rows]";
    }
}
