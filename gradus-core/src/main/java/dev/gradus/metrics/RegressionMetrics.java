package dev.gradus.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Regression scores per target column, in original units.
 *
 * <p>{@code RMSE = √((1/N) Σ (ŷ − y)²)}, {@code MAE = (1/N) Σ |ŷ − y|},
 * {@code R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)²}. Means over targets are plain means. With row weights
 * {@code wᵢ} (scikit-learn's {@code sample_weight}) every sum is weighted and {@code 1/N} is
 * {@code 1/Σ wᵢ}; {@code ȳ} is the weighted mean.
 */
public record RegressionMetrics(List<String> targets, double[] rmse, double[] mae, double[] r2) {

    /**
     * Scores {@code predicted} against {@code actual}, both {@code N × targets} row-major.
     * When every actual value of a target is equal its R² is 1 for exact predictions and 0
     * otherwise (scikit-learn's convention).
     */
    public static RegressionMetrics of(List<String> targets, float[] actual, float[] predicted, int rows) {
        int k = targets.size();
        if (actual.length < rows * k || predicted.length < rows * k) {
            throw new IllegalArgumentException("expected " + rows + "x" + k + " values");
        }
        double[] rmse = new double[k];
        double[] mae = new double[k];
        double[] r2 = new double[k];
        for (int t = 0; t < k; t++) {
            double mean = 0;
            for (int i = 0; i < rows; i++) {
                mean += actual[i * k + t];
            }
            mean /= rows;
            double squares = 0;
            double absolute = 0;
            double total = 0;
            for (int i = 0; i < rows; i++) {
                double y = actual[i * k + t];
                double r = predicted[i * k + t] - y;
                squares += r * r;
                absolute += Math.abs(r);
                total += (y - mean) * (y - mean);
            }
            rmse[t] = Math.sqrt(squares / rows);
            mae[t] = absolute / rows;
            r2[t] = total == 0 ? (squares == 0 ? 1 : 0) : 1 - squares / total;
        }
        return new RegressionMetrics(List.copyOf(targets), rmse, mae, r2);
    }

    /**
     * As {@link #of(List, float[], float[], int)} with row {@code i} counted {@code weights[i]}
     * times ({@code null}: unweighted, the same numbers as without it).
     *
     * @throws IllegalArgumentException for a negative or non-finite weight, or weights that add
     *     up to 0
     */
    public static RegressionMetrics of(List<String> targets, float[] actual, float[] predicted, int rows,
                                       double[] weights) {
        if (weights == null) {
            return of(targets, actual, predicted, rows);
        }
        int k = targets.size();
        if (actual.length < rows * k || predicted.length < rows * k || weights.length != rows) {
            throw new IllegalArgumentException("expected " + rows + "x" + k + " values and " + rows + " weights");
        }
        double weightSum = 0;
        for (int i = 0; i < rows; i++) {
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("row " + i + " has weight " + weights[i]
                        + "; a row weight must be finite and at least 0");
            }
            weightSum += weights[i];
        }
        if (!(weightSum > 0)) {
            throw new IllegalArgumentException("the row weights add up to 0; nothing to score");
        }
        double[] rmse = new double[k];
        double[] mae = new double[k];
        double[] r2 = new double[k];
        for (int t = 0; t < k; t++) {
            double mean = 0;
            for (int i = 0; i < rows; i++) {
                mean += weights[i] * actual[i * k + t];
            }
            mean /= weightSum;
            double squares = 0;
            double absolute = 0;
            double total = 0;
            for (int i = 0; i < rows; i++) {
                double y = actual[i * k + t];
                double r = predicted[i * k + t] - y;
                squares += weights[i] * r * r;
                absolute += weights[i] * Math.abs(r);
                total += weights[i] * (y - mean) * (y - mean);
            }
            rmse[t] = Math.sqrt(squares / weightSum);
            mae[t] = absolute / weightSum;
            r2[t] = total == 0 ? (squares == 0 ? 1 : 0) : 1 - squares / total;
        }
        return new RegressionMetrics(List.copyOf(targets), rmse, mae, r2);
    }

    /** The mean over targets of each target's RMSE. */
    public double rmseMean() {
        return Arrays.stream(rmse).average().orElse(Double.NaN);
    }

    /** The mean over targets of each target's MAE. */
    public double maeMean() {
        return Arrays.stream(mae).average().orElse(Double.NaN);
    }

    /** The mean over targets of each target's R² (scikit-learn's {@code multioutput="uniform_average"}). */
    public double r2Mean() {
        return Arrays.stream(r2).average().orElse(Double.NaN);
    }

    /** Each score per target, e.g. {@code RegressionMetrics[y: rmse=0.5, mae=0.4, r2=0.9]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RegressionMetrics[");
        for (int t = 0; t < targets.size(); t++) {
            s.append(t == 0 ? "" : "; ").append(targets.get(t)).append(": rmse=").append(rmse[t]).append(", mae=")
                    .append(mae[t]).append(", r2=").append(r2[t]);
        }
        return s.append(']').toString();
    }
}
