package dev.gradus.nn;

/**
 * A double-precision forward pass and loss written from the definitions, independent of the
 * float code under test (test oracle).
 */
final class DoubleNetwork {
    private DoubleNetwork() {}

    /** {@code ℓ(ŷ(X; θ), Y)} in double, for the layers of {@code net} and parameters {@code theta}. */
    static double loss(Network net, double[] theta, float[] x, float[] y, int rows, Loss loss) {
        int off = 0;
        double[] a = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = x[i];
        }
        double[] z = null;
        int width = net.inputs();
        for (Dense d : net.layers()) {
            int in = d.inputs();
            int out = d.outputs();
            z = new double[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double s = theta[off + out * in + o];
                    for (int k = 0; k < in; k++) {
                        s += theta[off + o * in + k] * a[r * width + k];
                    }
                    z[r * out + o] = s;
                }
            }
            off += out * in + out;
            a = activate(d.activation(), z, rows, out);
            width = out;
        }
        int k = width;
        double sum = 0;
        for (int i = 0; i < rows * k; i++) {
            double t = y[i];
            double p = a[i];
            double r = p - t;
            sum += switch (loss.name()) {
                case "mse" -> r * r;
                case "mae" -> Math.abs(r);
                case "huber" -> Math.abs(r) <= 1 ? 0.5 * r * r : Math.abs(r) - 0.5;
                case "cross-entropy" -> t == 0 ? 0 : -t * Math.log(p);
                case "bce" -> -t * Math.log(p) - (1 - t) * Math.log(1 - p);
                default -> throw new IllegalArgumentException(loss.name());
            };
        }
        return sum / rows;
    }

    static double[] activate(Activation phi, double[] z, int rows, int cols) {
        double[] a = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            a[i] = switch (phi.toString()) {
                case "identity" -> z[i];
                case "tanh" -> Math.tanh(z[i]);
                case "sigmoid" -> 1 / (1 + Math.exp(-z[i]));
                case "relu" -> Math.max(0, z[i]);
                case "softmax" -> 0;
                default -> throw new IllegalArgumentException(phi.toString());
            };
        }
        if (phi == Activation.SOFTMAX) {
            for (int r = 0; r < rows; r++) {
                double norm = 0;
                for (int j = 0; j < cols; j++) {
                    norm += Math.exp(z[r * cols + j]);
                }
                for (int j = 0; j < cols; j++) {
                    a[r * cols + j] = Math.exp(z[r * cols + j]) / norm;
                }
            }
        }
        return a;
    }
}
