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
    private double weight;           // W = Σᵢ wᵢ (= rows for unweighted rows)

    private GradientSum(double[] dTheta, double loss, long rows, double weight) {
        this.dTheta = dTheta;
        this.loss = loss;
        this.rows = rows;
        this.weight = weight;
    }

    /** The sum over no rows: zero gradient for {@code size} parameters, zero loss, zero rows. */
    public static GradientSum zero(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1 parameter, got " + size);
        }
        return new GradientSum(new double[size], 0, 0, 0);
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
        this.weight += rows;
        return this;
    }

    /** A sum with these values over unweighted rows (the array is copied). */
    public static GradientSum of(double[] dTheta, double loss, long rows) {
        return of(dTheta, loss, rows, rows);
    }

    /**
     * A sum with these values (the array is copied) over {@code rows} rows of total weight
     * {@code weight = Σᵢ wᵢ}: then {@code dTheta = Σⱼ Wⱼ·gⱼ} and {@code loss = Σⱼ Wⱼ·Lⱼ} over blocks.
     */
    public static GradientSum of(double[] dTheta, double loss, long rows, double weight) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be 0 or more, got " + rows);
        }
        return new GradientSum(dTheta.clone(), loss, rows, weight);
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
        weight += other.weight;
        return this;
    }

    /** A copy that shares nothing with this sum. */
    public GradientSum copy() {
        return new GradientSum(dTheta.clone(), loss, rows, weight);
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

    /** {@code W = Σᵢ wᵢ}: the rows summed when they are unweighted. */
    public double weight() {
        return weight;
    }

    /** {@code Σᵢ ∂Lᵢ/∂θⱼ} (a copy). */
    public double[] gradient() {
        return dTheta.clone();
    }

    /**
     * Writes the mean gradient {@code ∂ℓ/∂θ = dTheta / W} into {@code out}, rounded once to
     * float, and returns the mean loss {@code ℓ = loss / W}, where {@code W} is the batch's row
     * count, or its total weight {@code Σᵢ wᵢ} for weighted rows ({@link #weight()}); for
     * {@code W = 0} (every weight 0) the gradient and the loss are 0, as the core pass gives them.
     */
    public double meanInto(float[] out, double w) {
        if (out.length != dTheta.length) {
            throw new IllegalArgumentException("gradient array holds " + out.length + " values, the sum has "
                    + dTheta.length);
        }
        if (!(w >= 0)) {
            throw new IllegalArgumentException("the batch weight must be at least 0, got " + w);
        }
        if (w == 0) {
            Arrays.fill(out, 0f);
            return 0;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (dTheta[i] / w);
        }
        return loss / w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GradientSum s && s.rows == rows && Double.compare(s.loss, loss) == 0
                && Double.compare(s.weight, weight) == 0
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
