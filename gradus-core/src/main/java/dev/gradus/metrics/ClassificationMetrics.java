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
