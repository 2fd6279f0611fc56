package dev.gradus.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Classification scores over {@code N} rows and {@code K} classes.
 *
 * <p>Per class {@code c}: precision {@code TP/(TP+FP)}, recall {@code TP/(TP+FN)},
 * {@code F1 = 2PR/(P+R)}, each 0 when its denominator is 0 (scikit-learn's
 * {@code zero_division=0}). Macro scores are plain means over classes. Log-loss is
 * {@code −(1/N) Σ ln p(true class)} with {@code p} clipped to {@code [1e-15, 1]}.
 *
 * <p>For two classes, one is the <em>positive</em> class (by default the second in the sorted
 * label order, id 1) and its probability is the score of two threshold-free measures: ROC AUC
 * (the probability that a positive row outranks a negative one; ties count ½) and average
 * precision {@code AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ}, the area under the precision–recall curve as
 * scikit-learn's {@code average_precision_score} computes it (precision {@code Pₙ} and recall
 * {@code Rₙ} at each distinct score taken as threshold, in decreasing order, no interpolation).
 *
 * <p>With row weights {@code wᵢ} (scikit-learn's {@code sample_weight}) a row counts {@code wᵢ}
 * times in every score: accuracy {@code Σ wᵢ[ŷᵢ = yᵢ] / Σ wᵢ}; precision, recall and F1 from the
 * weighted confusion matrix; log-loss {@code −Σ wᵢ ln pᵢ / Σ wᵢ}; ROC AUC and average precision
 * from weighted true and false positives. {@link #confusion} still counts rows.
 *
 * @param labels class labels, index = class id
 * @param confusion {@code confusion[actual][predicted]} counts
 * @param positive the positive class id for two classes, else -1
 * @param rocAuc ROC AUC of the positive class, NaN without probabilities or for more classes
 * @param averagePrecision average precision of the positive class, NaN as ROC AUC
 */
public record ClassificationMetrics(List<String> labels, long[][] confusion, double accuracy, double[] precision,
                                    double[] recall, double[] f1, double logLoss, int positive, double rocAuc,
                                    double averagePrecision) {

    /**
     * Scores predicted class ids against actual ones; with two classes the positive class is
     * id 1, the second label.
     *
     * @param probabilities {@code N × K} class probabilities, or {@code null} when the model
     *     gives none (log-loss, ROC AUC and average precision are then NaN)
     */
    public static ClassificationMetrics of(List<String> labels, int[] actual, int[] predicted,
                                           double[][] probabilities) {
        return of(labels, actual, predicted, probabilities, 1);
    }

    /**
     * As {@link #of(List, int[], int[], double[][])} with {@code positive} as the positive
     * class id when there are two classes (ignored otherwise).
     */
    public static ClassificationMetrics of(List<String> labels, int[] actual, int[] predicted,
                                           double[][] probabilities, int positive) {
        int k = labels.size();
        if (k == 2 && positive != 0 && positive != 1) {
            throw new IllegalArgumentException("the positive class id must be 0 or 1, got " + positive);
        }
        int n = actual.length;
        if (predicted.length != n) {
            throw new IllegalArgumentException(n + " actual classes but " + predicted.length + " predictions");
        }
        long[][] confusion = new long[k][k];
        long correct = 0;
        for (int i = 0; i < n; i++) {
            confusion[actual[i]][predicted[i]]++;
            if (actual[i] == predicted[i]) {
                correct++;
            }
        }
        double[] precision = new double[k];
        double[] recall = new double[k];
        double[] f1 = new double[k];
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long predictedC = 0;
            long actualC = 0;
            for (int o = 0; o < k; o++) {
                predictedC += confusion[o][c];
                actualC += confusion[c][o];
            }
            precision[c] = predictedC == 0 ? 0 : (double) tp / predictedC;
            recall[c] = actualC == 0 ? 0 : (double) tp / actualC;
            f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
        }
        double logLoss = Double.NaN;
        double auc = Double.NaN;
        double ap = Double.NaN;
        if (probabilities != null && n > 0) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double p = Math.min(1.0, Math.max(1e-15, probabilities[i][actual[i]]));
                sum -= Math.log(p);
            }
            logLoss = sum / n;
            if (k == 2) {
                auc = rocAuc(actual, probabilities, positive);
                ap = averagePrecision(actual, probabilities, positive);
            }
        }
        return new ClassificationMetrics(List.copyOf(labels), confusion, n == 0 ? Double.NaN : (double) correct / n,
                precision, recall, f1, logLoss, k == 2 ? positive : -1, auc, ap);
    }

    /**
     * As {@link #of(List, int[], int[], double[][], int)} with each row {@code i} counted
     * {@code weights[i]} times ({@code weights} {@code null}: unweighted, the same numbers as
     * without it).
     *
     * @throws IllegalArgumentException for a negative or non-finite weight, or weights that add
     *     up to 0
     */
    public static ClassificationMetrics of(List<String> labels, int[] actual, int[] predicted,
                                           double[][] probabilities, int positive, double[] weights) {
        if (weights == null) {
            return of(labels, actual, predicted, probabilities, positive);
        }
        ClassificationMetrics counts = of(labels, actual, predicted, probabilities, positive);
        int k = labels.size();
        int n = actual.length;
        if (weights.length != n) {
            throw new IllegalArgumentException(n + " rows but " + weights.length + " weights");
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("row " + i + " has weight " + weights[i]
                        + "; a row weight must be finite and at least 0");
            }
            total += weights[i];
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("the row weights add up to 0; nothing to score");
        }
        double[][] confusion = new double[k][k];
        double correct = 0;
        for (int i = 0; i < n; i++) {
            confusion[actual[i]][predicted[i]] += weights[i];
            if (actual[i] == predicted[i]) {
                correct += weights[i];
            }
        }
        double[] precision = new double[k];
        double[] recall = new double[k];
        double[] f1 = new double[k];
        for (int c = 0; c < k; c++) {
            double tp = confusion[c][c];
            double predictedC = 0;
            double actualC = 0;
            for (int o = 0; o < k; o++) {
                predictedC += confusion[o][c];
                actualC += confusion[c][o];
            }
            precision[c] = predictedC == 0 ? 0 : tp / predictedC;
            recall[c] = actualC == 0 ? 0 : tp / actualC;
            f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
        }
        double logLoss = Double.NaN;
        double auc = Double.NaN;
        double ap = Double.NaN;
        if (probabilities != null) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double p = Math.min(1.0, Math.max(1e-15, probabilities[i][actual[i]]));
                sum -= weights[i] * Math.log(p);
            }
            logLoss = sum / total;
            if (k == 2) {
                auc = weightedRocAuc(actual, probabilities, positive, weights);
                ap = weightedAveragePrecision(actual, probabilities, positive, weights);
            }
        }
        return new ClassificationMetrics(counts.labels(), counts.confusion(), correct / total, precision, recall, f1,
                logLoss, counts.positive(), auc, ap);
    }

    /**
     * ROC AUC with row weights: {@code Σ over positive–negative pairs of wₚ·wₙ·[sₚ > sₙ] (½ for
     * ties) / (Σ wₚ · Σ wₙ)}, the trapezoidal area under the weighted ROC curve.
     */
    private static double weightedRocAuc(int[] actual, double[][] probabilities, int positive, double[] weights) {
        Integer[] order = ascending(probabilities, positive);
        double negativesBelow = 0;
        double area = 0;
        double positives = 0;
        int n = actual.length;
        int i = 0;
        while (i < n) {
            int j = i;
            double p = 0;
            double q = 0;
            while (j < n && probabilities[order[j]][positive] == probabilities[order[i]][positive]) {
                if (actual[order[j]] == positive) {
                    p += weights[order[j]];
                } else {
                    q += weights[order[j]];
                }
                j++;
            }
            area += p * (negativesBelow + q / 2);
            negativesBelow += q;
            positives += p;
            i = j;
        }
        if (positives == 0 || negativesBelow == 0) {
            return Double.NaN;
        }
        return area / (positives * negativesBelow);
    }

    /** Average precision with weighted true and false positives (scikit-learn's {@code sample_weight}). */
    private static double weightedAveragePrecision(int[] actual, double[][] probabilities, int positive,
                                                   double[] weights) {
        int n = actual.length;
        Integer[] order = ascending(probabilities, positive);
        double positives = 0;
        for (int i = 0; i < n; i++) {
            positives += actual[i] == positive ? weights[i] : 0;
        }
        if (positives == 0) {
            return Double.NaN;
        }
        double ap = 0;
        double recallBefore = 0;
        double tp = 0;
        double predicted = 0;
        int i = n - 1;           // decreasing score
        while (i >= 0) {
            int j = i;
            while (j >= 0 && probabilities[order[j]][positive] == probabilities[order[i]][positive]) {
                tp += actual[order[j]] == positive ? weights[order[j]] : 0;
                predicted += weights[order[j]];
                j--;
            }
            double recall = tp / positives;
            if (predicted > 0) {
                ap += (recall - recallBefore) * (tp / predicted);
            }
            recallBefore = recall;
            i = j;
        }
        return ap;
    }

    private static Integer[] ascending(double[][] probabilities, int positive) {
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probabilities[a][positive], probabilities[b][positive]));
        return order;
    }

    /** The area under the ROC curve: the probability a positive outranks a negative (Mann–Whitney). */
    private static double rocAuc(int[] actual, double[][] probabilities, int positive) {
        int n = actual.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probabilities[a][positive], probabilities[b][positive]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && probabilities[order[j + 1]][positive] == probabilities[order[i]][positive]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;   // ranks from 1, ties share their mean rank
            for (int t = i; t <= j; t++) {
                if (actual[order[t]] == positive) {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /**
     * Average precision: rows sorted by decreasing score, each distinct score a threshold
     * {@code n}; {@code AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ} with {@code Pₙ = TPₙ/(TPₙ + FPₙ)},
     * {@code Rₙ = TPₙ/P}. NaN when there is no positive row.
     */
    private static double averagePrecision(int[] actual, double[][] probabilities, int positive) {
        int n = actual.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probabilities[b][positive], probabilities[a][positive]));
        long positives = Arrays.stream(actual).filter(a -> a == positive).count();
        if (positives == 0) {
            return Double.NaN;
        }
        double ap = 0;
        double recallBefore = 0;
        long tp = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n && probabilities[order[j]][positive] == probabilities[order[i]][positive]) {
                if (actual[order[j]] == positive) {
                    tp++;
                }
                j++;
            }
            double recall = (double) tp / positives;
            ap += (recall - recallBefore) * ((double) tp / j);   // j rows score at least this threshold
            recallBefore = recall;
            i = j;
        }
        return ap;
    }

    /** The mean of the per-class precisions (macro average; every class weighs the same). */
    public double precisionMacro() {
        return Arrays.stream(precision).average().orElse(Double.NaN);
    }

    /** The mean of the per-class recalls (macro average). */
    public double recallMacro() {
        return Arrays.stream(recall).average().orElse(Double.NaN);
    }

    /** The mean of the per-class F1 scores (macro average), as scikit-learn's {@code f1_score(average="macro")}. */
    public double f1Macro() {
        return Arrays.stream(f1).average().orElse(Double.NaN);
    }

    /** The scores with their per-class arrays and the confusion matrix written out. */
    @Override
    public String toString() {
        return "ClassificationMetrics[labels=" + labels + ", accuracy=" + accuracy + ", precision="
                + java.util.Arrays.toString(precision) + ", recall=" + java.util.Arrays.toString(recall) + ", f1="
                + java.util.Arrays.toString(f1) + ", logLoss=" + logLoss + ", positive=" + positive + ", rocAuc=" + rocAuc
                + ", averagePrecision=" + averagePrecision + ", confusion="
                + java.util.Arrays.deepToString(confusion) + "]";
    }
}
