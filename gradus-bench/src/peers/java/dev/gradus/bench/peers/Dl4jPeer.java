package dev.gradus.bench.peers;

import dev.gradus.bench.Peer;
import dev.gradus.nn.Activation;
import dev.gradus.workloads.Workloads.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Deeplearning4j 1.0.0-M2.1 on nd4j-native (AVX2 build), float32. Threads come from
 * {@code OMP_NUM_THREADS} (the script sets it to the harness's thread count).
 *
 * <p>Equal updates: DL4J's {@code LossFunction.MSE} averages the squared error over the
 * {@code k} outputs and over the batch, i.e. ℓ2 / k, so its learning rate is {@code k·α}.
 * Batches are built as {@link DataSet}s before timing; they are visited in order (no
 * shuffling, which only spares DL4J work).
 */
public final class Dl4jPeer implements Peer {
    @Override
    public String name() {
        return "deeplearning4j 1.0.0-M2.1";
    }

    @Override
    public double[] train(Workload w, float[] x, float[] y, double alpha, int warmup, int epochs) {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        int k = w.outputs();
        int[] widths = w.widths();
        org.nd4j.linalg.activations.Activation hidden = w.hidden() == Activation.TANH
                ? org.nd4j.linalg.activations.Activation.TANH : org.nd4j.linalg.activations.Activation.RELU;
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(k * alpha))                         // ℓ2 = k · MSE  ⇒  lr = k·α
                .weightInit(WeightInit.XAVIER)
                .list();
        for (int l = 1; l < widths.length - 1; l++) {
            layers.layer(new DenseLayer.Builder().nIn(widths[l - 1]).nOut(widths[l]).activation(hidden).build());
        }
        layers.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                .nIn(widths[widths.length - 2]).nOut(k)
                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build());
        MultiLayerConfiguration conf = layers.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        int in = w.inputs();
        int n = x.length / in;
        List<DataSet> batches = new ArrayList<>();
        for (int start = 0; start < n; start += w.batch()) {
            int rows = Math.min(w.batch(), n - start);
            batches.add(new DataSet(
                    Nd4j.create(Arrays.copyOfRange(x, start * in, (start + rows) * in), new long[] {rows, in}, 'c'),
                    Nd4j.create(Arrays.copyOfRange(y, start * k, (start + rows) * k), new long[] {rows, k}, 'c')));
        }
        double[] rates = new double[epochs];
        for (int e = 0; e < warmup + epochs; e++) {
            long t0 = System.nanoTime();
            for (DataSet batch : batches) {
                net.fit(batch);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (e >= warmup) {
                rates[e - warmup] = n / seconds;
            }
        }
        return rates;
    }
}
