package dev.gradus.onnx;

import dev.gradus.data.Csv;
import dev.gradus.data.DataException;
import dev.gradus.data.Scaling;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.TrainingOptions;
import java.nio.file.Path;
import java.util.List;

/** Small models trained on the shipped data sets, and comparisons of outputs. */
final class Models {
    static final Path DATA = Path.of("..", "data");

    /**
     * Every activation Gradus can export, with non-default slopes so that a lost attribute
     * shows.
     */
    static final List<Activation> ACTIVATIONS = List.of(Activation.IDENTITY, Activation.RELU, Activation.SIGMOID,
            Activation.TANH, new Activation.LeakyRelu(0.1f), new Activation.Elu(0.5f), Activation.SOFTPLUS);

    private Models() {
    }

    static Table table(String name) throws DataException {
        return Csv.read(DATA.resolve(name));
    }

    /** A few epochs: the weights move away from their initial draw; accuracy is not the point. */
    private static TrainingOptions training(Scaling scaling) {
        // Unscaled inputs (wine's proline is in the thousands) need a small step to stay finite.
        double rate = scaling == Scaling.NONE ? 1e-3 : 0.05;
        return TrainingOptions.plain().withOptimizer(new Sgd(rate)).withEpochs(15).withBatchSize(16).withThreads(1);
    }

    /** Iris (3 classes): two hidden layers and the output layer, all with {@code phi}. */
    static Model iris(Activation phi, Scaling scaling) throws DataException {
        ModelSpec spec = ModelSpec.classification("label").withScaling(scaling).withHidden(List.of(8, 6))
                .withActivation(phi).withOutputActivation(phi).withTraining(training(scaling));
        return Model.fit(table("iris_train.csv"), spec).model();
    }

    /** Wine (3 classes, 13 features of very different ranges). */
    static Model wine(Activation phi, Scaling scaling) throws DataException {
        ModelSpec spec = ModelSpec.classification("label").withScaling(scaling).withHidden(List.of(10))
                .withActivation(phi).withTraining(training(scaling));
        return Model.fit(table("wine_train.csv"), spec).model();
    }

    /** Iris with a softmax output layer trained by cross-entropy; hidden layers use {@code phi}. */
    static Model irisSoftmax(Activation phi, Scaling scaling) throws DataException {
        ModelSpec spec = ModelSpec.classification("label").withScaling(scaling).withHidden(List.of(8))
                .withActivation(phi).withTraining(training(scaling).withLoss(Loss.CROSS_ENTROPY));
        return Model.fit(table("iris_train.csv"), spec).model();
    }

    /** Breast cancer (two classes) with one sigmoid output trained by binary cross-entropy. */
    static Model breastCancerBce(Activation phi, Scaling scaling) throws DataException {
        ModelSpec spec = ModelSpec.classification("label").withScaling(scaling).withHidden(List.of(8))
                .withActivation(phi).withTraining(training(scaling).withLoss(Loss.BCE));
        return Model.fit(table("breast_cancer_train.csv"), spec).model();
    }

    /** Diabetes regression; with scaling the targets are standardised and un-scaled on prediction. */
    static Model diabetes(Activation phi, Scaling scaling) throws DataException {
        ModelSpec spec = ModelSpec.regression("target").withScaling(scaling).withHidden(List.of(12))
                .withActivation(phi).withTraining(training(scaling).withOptimizer(new Sgd(scaling == Scaling.NONE
                        ? 1e-6 : 0.01)));
        return Model.fit(table("diabetes_train.csv"), spec).model();
    }

    /**
     * The largest of {@code |a − b| / max(1, |b|)}: absolute below 1, relative above, since
     * regression predictions in original units (diabetes: 25 to 346) carry float32 rounding of
     * about 2⁻²⁴ of their size.
     */
    static double maxDifference(Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new AssertionError("shapes differ: " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x"
                    + b.cols());
        }
        double worst = 0;
        for (int i = 0; i < a.rows(); i++) {
            for (int j = 0; j < a.cols(); j++) {
                double x = a.get(i, j);
                double y = b.get(i, j);
                double d = Math.abs(x - y) / Math.max(1.0, Math.abs(y));
                if (!(d <= worst)) {
                    worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                }
            }
        }
        return worst;
    }
}
