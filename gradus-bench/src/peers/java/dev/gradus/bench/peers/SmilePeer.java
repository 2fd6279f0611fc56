package dev.gradus.bench.peers;

import dev.gradus.bench.Peer;
import dev.gradus.nn.Activation;
import dev.gradus.workloads.Workloads.Workload;
import java.util.ArrayList;
import java.util.List;
import smile.base.mlp.Layer;
import smile.base.mlp.LayerBuilder;
import smile.base.mlp.OutputFunction;
import smile.math.TimeFunction;

/**
 * Smile 3.1.1's multilayer perceptron (double precision; Smile has no float32 MLP), mini-batch
 * updates through {@code update(double[][], …)}.
 *
 * <p>Equal updates: Smile's squared-error output layer uses the output gradient
 * {@code y − ŷ} (half the derivative of the squared error, summed over outputs) and averages
 * over the batch, i.e. its loss is ℓ2 / 2, so its learning rate is {@code 2·α} whatever
 * {@code k} is. (For DL4J's MSE, averaged over outputs too, the factor is {@code k}.)
 * W1 and W3 use the classifier with a linear MSE output and integer labels (Smile builds the
 * one-hot target); W2 uses the regressor.
 */
public final class SmilePeer implements Peer {
    @Override
    public String name() {
        return "smile 3.1.1";
    }

    @Override
    public double[] train(Workload w, float[] x, float[] y, double alpha, int warmup, int epochs) {
        int in = w.inputs();
        int k = w.outputs();
        int[] widths = w.widths();
        int n = x.length / in;
        LayerBuilder[] builders = new LayerBuilder[widths.length];
        builders[0] = Layer.input(in);
        for (int l = 1; l < widths.length - 1; l++) {
            builders[l] = w.hidden() == Activation.TANH ? Layer.tanh(widths[l]) : Layer.rectifier(widths[l]);
        }
        builders[widths.length - 1] = Layer.mse(k, OutputFunction.LINEAR);

        List<double[][]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        for (int start = 0; start < n; start += w.batch()) {
            int rows = Math.min(w.batch(), n - start);
            double[][] xb = new double[rows][in];
            double[] yb = new double[rows];
            int[] lb = new int[rows];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < in; j++) {
                    xb[r][j] = x[(start + r) * in + j];
                }
                if (k == 1) {
                    yb[r] = y[start + r];
                } else {
                    int best = 0;
                    for (int c = 1; c < k; c++) {
                        if (y[(start + r) * k + c] > y[(start + r) * k + best]) {
                            best = c;
                        }
                    }
                    lb[r] = best;
                }
            }
            xs.add(xb);
            ys.add(yb);
            labels.add(lb);
        }

        smile.regression.MLP regressor = null;
        smile.classification.MLP classifier = null;
        if (k == 1) {
            regressor = new smile.regression.MLP(builders);
            regressor.setLearningRate(TimeFunction.constant(2 * alpha));       // Smile's loss = ℓ2 / 2
        } else {
            classifier = new smile.classification.MLP(builders);
            classifier.setLearningRate(TimeFunction.constant(2 * alpha));
        }
        double[] rates = new double[epochs];
        for (int e = 0; e < warmup + epochs; e++) {
            long t0 = System.nanoTime();
            for (int b = 0; b < xs.size(); b++) {
                if (regressor != null) {
                    regressor.update(xs.get(b), ys.get(b));
                } else {
                    classifier.update(xs.get(b), labels.get(b));
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (e >= warmup) {
                rates[e - warmup] = n / seconds;
            }
        }
        return rates;
    }
}
