package dev.gradus.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Classification scores over {@code N} rows and {@code K} classes.
 *
 * <p>Per class {@code c}: precision {@code TP/(TP+FP)}, recall {@code TP/(TP+FN)},
 * {@code F1 = 2PR/(P+R)}, each 0 when its denominator is 0 (scikit-learn's
 * {@code zero_division=0}). Macro scores are plain means over classes. Log-loss is
 * {@code −(1/N) Σ ln p(true class)} with {@code p} clipped to {@code [1e-15, 1]}; ROC AUC is
 * given for two classes only (the probability of the second class as score; ties count ½).
 *
 * @param labels class labels, index = class id
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record ClassificationMetrics(List<String> labels, long[][] confusion, double accuracy, double[] precision,
                                    double[] recall, double[] f1, double logLoss, double rocAuc) {

    /**
     * Scores predicted class ids against actual ones.
     *
     * @param probabilities {@code N × K} class probabilities, or {@code null} when the model
     *     gives none (log-loss and ROC AUC are then NaN)
     */
    public static ClassificationMetrics of(List<String> labels, int[] actual, int[] predicted,
                                           double[][] probabilities) {
        int k = labels.size();
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
        if (probabilities != null && n > 0) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double p = Math.min(1.0, Math.max(1e-15, probabilities[i][actual[i]]));
                sum -= Math.log(p);
            }
            logLoss = sum / n;
            if (k == 2) {
                auc = rocAuc(actual, probabilities);
            }
        }
        return new ClassificationMetrics(List.copyOf(labels), confusion, n == 0 ? Double.NaN : (double) correct / n,
                precision, recall, f1, logLoss, auc);
    }

    /** The area under the ROC curve: the probability a positive outranks a negative (Mann–Whitney). */
    private static double rocAuc(int[] actual, double[][] probabilities) {
        int n = actual.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probabilities[a][1], probabilities[b][1]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && probabilities[order[j + 1]][1] == probabilities[order[i]][1]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;   // ranks from 1, ties share their mean rank
            for (int t = i; t <= j; t++) {
                if (actual[order[t]] == 1) {
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

    public double precisionMacro() {
        return Arrays.stream(precision).average().orElse(Double.NaN);
    }

    public double recallMacro() {
        return Arrays.stream(recall).average().orElse(Double.NaN);
    }

    public double f1Macro() {
        return Arrays.stream(f1).average().orElse(Double.NaN);
    }

    /** The scores with their per-class arrays and the confusion matrix written out. */
    @Override
    public String toString() {
        return "ClassificationMetrics[labels=" + labels + ", accuracy=" + accuracy + ", precision="
                + java.util.Arrays.toString(precision) + ", recall=" + java.util.Arrays.toString(recall) + ", f1="
                + java.util.Arrays.toString(f1) + ", logLoss=" + logLoss + ", rocAuc=" + rocAuc + ", confusion="
                + java.util.Arrays.deepToString(confusion) + "]";
    }
}
