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
        return of(labels, actual, predicted, probabilities, positive, null);
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
        int n = actual.length;
        if (predicted.length != n) {
            throw new IllegalArgumentException(n + " actual classes but " + predicted.length + " predictions");
        }
        if (weights != null && weights.length != n) {
            throw new IllegalArgumentException(n + " rows but " + weights.length + " weights");
        }
        Tally tally = new Tally(labels, positive, probabilities != null, weights != null);
        for (int i = 0; i < n; i++) {
            double pActual = probabilities == null ? Double.NaN : probabilities[i][actual[i]];
            double score = probabilities == null || labels.size() != 2 ? Double.NaN : probabilities[i][positive];
            tally.add(actual[i], predicted[i], pActual, score, weights == null ? 1 : weights[i]);
        }
        return tally.metrics();
    }

    /**
     * The scores of rows added one at a time, so that a file too large to hold can be scored a
     * chunk at a time: the same numbers, bit for bit, as {@link #of} on all rows in the order
     * added. It keeps the confusion matrix and the sums of the log-loss; for two classes with
     * probabilities it also keeps each row's positive score and class (and weight), which ROC
     * AUC and average precision rank: 9 bytes a row (17 weighted).
     */
    public static final class Tally implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final List<String> labels;
        private final int k;
        private final int positive;
        private final boolean probabilities;
        private final boolean weighted;
        private final long[][] confusion;
        private final double[][] weightedConfusion;
        private long rows;
        private long correct;
        private double weightedCorrect;
        private double totalWeight;
        private double logLossSum;        // Σ −ln p (weighted: Σ −wᵢ ln pᵢ)
        private final Doubles scores;      // two classes with probabilities: the positive class's probability
        private final Doubles rowWeights;  // ... and, weighted, each row's weight
        private byte[][] isPositive = new byte[0][];

        /**
         * An empty tally.
         *
         * @param labels class labels, index = class id
         * @param positive the positive class id (0 or 1) for two classes, ignored otherwise
         * @param probabilities whether rows come with probabilities (log-loss, ROC AUC, average precision)
         * @param weighted whether rows come with weights
         */
        public Tally(List<String> labels, int positive, boolean probabilities, boolean weighted) {
            this.labels = List.copyOf(labels);
            this.k = labels.size();
            if (k == 2 && positive != 0 && positive != 1) {
                throw new IllegalArgumentException("the positive class id must be 0 or 1, got " + positive);
            }
            this.positive = positive;
            this.probabilities = probabilities;
            this.weighted = weighted;
            confusion = new long[k][k];
            weightedConfusion = weighted ? new double[k][k] : null;
            boolean ranked = probabilities && k == 2;
            scores = ranked ? new Doubles() : null;
            rowWeights = ranked && weighted ? new Doubles() : null;
        }

        /**
         * Adds one row.
         *
         * @param actual the row's class id
         * @param predicted the predicted class id
         * @param pActual the predicted probability of the actual class (ignored without probabilities)
         * @param positiveScore the predicted probability of the positive class (two classes with
         *     probabilities; ignored otherwise)
         * @param weight the row's weight (ignored unless weighted)
         * @throws IllegalArgumentException for a negative or non-finite weight, naming the row
         */
        public void add(int actual, int predicted, double pActual, double positiveScore, double weight) {
            if (weighted && (!(weight >= 0) || Double.isInfinite(weight))) {
                throw new IllegalArgumentException("row " + rows + " has weight " + weight
                        + "; a row weight must be finite and at least 0");
            }
            confusion[actual][predicted]++;
            correct += actual == predicted ? 1 : 0;
            if (weighted) {
                weightedConfusion[actual][predicted] += weight;
                weightedCorrect += actual == predicted ? weight : 0;
                totalWeight += weight;
            }
            if (probabilities) {
                double p = Math.min(1.0, Math.max(1e-15, pActual));
                logLossSum -= weighted ? weight * Math.log(p) : Math.log(p);
                if (scores != null) {
                    long i = rows;
                    scores.add(positiveScore);
                    if (rowWeights != null) {
                        rowWeights.add(weight);
                    }
                    int block = (int) (i >>> Doubles.SHIFT);
                    if (block == isPositive.length) {
                        isPositive = Arrays.copyOf(isPositive, block + 1);
                        isPositive[block] = new byte[Doubles.BLOCK];
                    }
                    isPositive[block][(int) (i & Doubles.MASK)] = (byte) (actual == positive ? 1 : 0);
                }
            }
            rows++;
        }

        /**
         * Adds the rows of {@code later}, a tally of the same classes and settings, after this
         * one's: the tally of both runs of rows in that order (rows scored in parts, e.g. Spark's
         * partitions). The counts, confusion matrix and ranked scores are those of adding the rows
         * one by one; the sums (log-loss, weights) add the parts' subtotals, the same to rounding.
         *
         * @throws IllegalArgumentException when the tallies' classes or settings differ
         */
        public void addAll(Tally later) {
            if (!labels.equals(later.labels) || positive != later.positive || probabilities != later.probabilities
                    || weighted != later.weighted) {
                throw new IllegalArgumentException("cannot add a tally of " + later.labels + " (positive "
                        + later.positive + ") to one of " + labels + " (positive " + positive + ")");
            }
            for (int a = 0; a < k; a++) {
                for (int p = 0; p < k; p++) {
                    confusion[a][p] += later.confusion[a][p];
                    if (weighted) {
                        weightedConfusion[a][p] += later.weightedConfusion[a][p];
                    }
                }
            }
            correct += later.correct;
            weightedCorrect += later.weightedCorrect;
            totalWeight += later.totalWeight;
            logLossSum += later.logLossSum;
            if (scores != null) {
                for (long i = 0; i < later.rows; i++) {
                    int r = (int) i;
                    long at = rows + i;
                    scores.add(later.scores.get(r));
                    if (rowWeights != null) {
                        rowWeights.add(later.rowWeights.get(r));
                    }
                    int block = (int) (at >>> Doubles.SHIFT);
                    if (block == isPositive.length) {
                        isPositive = Arrays.copyOf(isPositive, block + 1);
                        isPositive[block] = new byte[Doubles.BLOCK];
                    }
                    isPositive[block][(int) (at & Doubles.MASK)] = (byte) (later.positive(r) ? 1 : 0);
                }
            }
            rows += later.rows;
        }

        /** The number of rows added. */
        public long rows() {
            return rows;
        }

        /**
         * The scores of the rows added.
         *
         * @throws IllegalArgumentException when weighted and the weights add up to 0
         */
        public ClassificationMetrics metrics() {
            if (weighted && !(totalWeight > 0)) {
                throw new IllegalArgumentException("the row weights add up to 0; nothing to score");
            }
            double[] precision = new double[k];
            double[] recall = new double[k];
            double[] f1 = new double[k];
            for (int c = 0; c < k; c++) {
                double tp = weighted ? weightedConfusion[c][c] : confusion[c][c];
                double predictedC = 0;
                double actualC = 0;
                if (weighted) {
                    for (int o = 0; o < k; o++) {
                        predictedC += weightedConfusion[o][c];
                        actualC += weightedConfusion[c][o];
                    }
                } else {
                    long predictedCount = 0;
                    long actualCount = 0;
                    for (int o = 0; o < k; o++) {
                        predictedCount += confusion[o][c];
                        actualCount += confusion[c][o];
                    }
                    predictedC = predictedCount;
                    actualC = actualCount;
                }
                precision[c] = predictedC == 0 ? 0 : tp / predictedC;
                recall[c] = actualC == 0 ? 0 : tp / actualC;
                f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
            }
            double logLoss = Double.NaN;
            double auc = Double.NaN;
            double ap = Double.NaN;
            if (probabilities && rows > 0) {
                logLoss = logLossSum / (weighted ? totalWeight : rows);
                if (k == 2) {
                    int n = Math.toIntExact(rows);
                    int[] order = scores.ascending(n);
                    auc = weighted ? weightedRocAuc(order) : rocAuc(order);
                    ap = weighted ? weightedAveragePrecision(order) : averagePrecision(order);
                }
            }
            double accuracy = rows == 0 ? Double.NaN : weighted ? weightedCorrect / totalWeight : (double) correct / rows;
            long[][] counts = new long[k][];
            for (int c = 0; c < k; c++) {
                counts[c] = confusion[c].clone();
            }
            return new ClassificationMetrics(labels, counts, accuracy, precision, recall, f1, logLoss,
                    k == 2 ? positive : -1, auc, ap);
        }

        private boolean positive(int row) {
            return isPositive[row >>> Doubles.SHIFT][row & Doubles.MASK] == 1;
        }

        /** The area under the ROC curve: the probability a positive outranks a negative (Mann–Whitney). */
        private double rocAuc(int[] order) {
            int n = order.length;
            double rankSumPositive = 0;
            long positives = 0;
            int i = 0;
            while (i < n) {
                int j = i;
                while (j + 1 < n && scores.get(order[j + 1]) == scores.get(order[i])) {
                    j++;
                }
                double averageRank = (i + j) / 2.0 + 1;   // ranks from 1, ties share their mean rank
                for (int t = i; t <= j; t++) {
                    if (positive(order[t])) {
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
         * ROC AUC with row weights: {@code Σ over positive–negative pairs of wₚ·wₙ·[sₚ > sₙ] (½ for
         * ties) / (Σ wₚ · Σ wₙ)}, the trapezoidal area under the weighted ROC curve.
         */
        private double weightedRocAuc(int[] order) {
            double negativesBelow = 0;
            double area = 0;
            double positives = 0;
            int n = order.length;
            int i = 0;
            while (i < n) {
                int j = i;
                double p = 0;
                double q = 0;
                while (j < n && scores.get(order[j]) == scores.get(order[i])) {
                    if (positive(order[j])) {
                        p += rowWeights.get(order[j]);
                    } else {
                        q += rowWeights.get(order[j]);
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

        /**
         * Average precision: rows sorted by decreasing score, each distinct score a threshold
         * {@code n}; {@code AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ} with {@code Pₙ = TPₙ/(TPₙ + FPₙ)},
         * {@code Rₙ = TPₙ/P}. NaN when there is no positive row.
         */
        private double averagePrecision(int[] order) {
            int n = order.length;
            long positives = 0;
            for (int r = 0; r < n; r++) {
                positives += positive(r) ? 1 : 0;
            }
            if (positives == 0) {
                return Double.NaN;
            }
            double ap = 0;
            double recallBefore = 0;
            long tp = 0;
            int seen = 0;            // rows scoring at least the current threshold
            int i = n - 1;           // decreasing score
            while (i >= 0) {
                int j = i;
                while (j >= 0 && scores.get(order[j]) == scores.get(order[i])) {
                    tp += positive(order[j]) ? 1 : 0;
                    seen++;
                    j--;
                }
                double recall = (double) tp / positives;
                ap += (recall - recallBefore) * ((double) tp / seen);
                recallBefore = recall;
                i = j;
            }
            return ap;
        }

        /** Average precision with weighted true and false positives (scikit-learn's {@code sample_weight}). */
        private double weightedAveragePrecision(int[] order) {
            int n = order.length;
            double positives = 0;
            for (int r = 0; r < n; r++) {
                positives += positive(r) ? rowWeights.get(r) : 0;
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
                while (j >= 0 && scores.get(order[j]) == scores.get(order[i])) {
                    tp += positive(order[j]) ? rowWeights.get(order[j]) : 0;
                    predicted += rowWeights.get(order[j]);
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
    }

    /**
     * A growing column of doubles in fixed blocks (no copy of what is held when it grows), and
     * the order that sorts it.
     */
    private static final class Doubles implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        static final int SHIFT = 16;
        static final int BLOCK = 1 << SHIFT;
        static final int MASK = BLOCK - 1;
        private double[][] blocks = new double[0][];
        private long size;

        void add(double v) {
            int block = (int) (size >>> SHIFT);
            if (block == blocks.length) {
                blocks = Arrays.copyOf(blocks, block + 1);
                blocks[block] = new double[BLOCK];
            }
            blocks[block][(int) (size & MASK)] = v;
            size++;
        }

        double get(int i) {
            return blocks[i >>> SHIFT][i & MASK];
        }

        /**
         * The row indices {@code 0..n-1} in increasing order of value ({@link Double#compare}),
         * equal values in row order: a stable merge sort on primitive indices.
         */
        int[] ascending(int n) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            int[] buffer = new int[n];
            for (int width = 1; width < n; width *= 2) {
                for (int lo = 0; lo < n - width; lo += 2 * width) {
                    int mid = lo + width;
                    int hi = Math.min(lo + 2 * width, n);
                    if (Double.compare(get(order[mid - 1]), get(order[mid])) <= 0) {
                        continue;    // already in order
                    }
                    System.arraycopy(order, lo, buffer, lo, hi - lo);
                    int a = lo;
                    int b = mid;
                    for (int t = lo; t < hi; t++) {
                        if (b >= hi || (a < mid && Double.compare(get(buffer[a]), get(buffer[b])) <= 0)) {
                            order[t] = buffer[a++];
                        } else {
                            order[t] = buffer[b++];
                        }
                    }
                }
            }
            return order;
        }
    }

    /** The mean of the per-class precisions (macro average; every class weighs the same). */
    public double precisionMacro() {
        return Arrays.stream(precision).average().orElse(Double.NaN);
    }

    /** The mean of the per-class recalls (macro average). */
    public double recallMacro() {
        return Arrays.stream(recall).average().orElse(Double.NaN);
    }

    /**
     * Balanced accuracy, scikit-learn's {@code balanced_accuracy_score}: the mean recall over the
     * classes that occur among the actual rows, {@code (1/K') Σ_c TP_c/(TP_c+FN_c)}. It equals
     * {@link #recallMacro()} when every class occurs; unlike accuracy, a model that always
     * predicts the majority class scores {@code 1/K'} however rare the other classes are. With
     * row weights the recalls are the weighted ones.
     */
    public double balancedAccuracy() {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < recall.length; c++) {
            if (Arrays.stream(confusion[c]).sum() > 0) {
                sum += recall[c];
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
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
