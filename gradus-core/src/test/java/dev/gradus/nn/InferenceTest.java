package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.tensor.Matrix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The inference path's guarantee: the same bits as {@link Network#predict(Matrix)} (the forward
 * pass that training runs), for a row alone, in batches of every size (through {@code RowGemm}
 * and through the blocked product), on any number of threads, and on the plain engine as on the
 * Vector API.
 */
class InferenceTest {

    static Network network(int inputs, int[] widths, Activation hidden, Activation output, long seed) {
        Network.Builder b = Network.input(inputs);
        for (int w : widths) {
            b.dense(w, hidden);
        }
        Network net = b.dense(widths.length == 0 ? 3 : 7, output).build(seed);
        // non-zero biases, so that adding them is tested too
        SplittableRandom random = new SplittableRandom(seed + 1);
        for (int m = 0; m < net.layerCount(); m++) {
            Matrix bias = net.bias(m);
            for (int j = 0; j < bias.cols(); j++) {
                bias.set(0, j, (float) random.nextDouble(-0.5, 0.5));
            }
        }
        return net;
    }

    static Matrix randomRows(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Matrix x = Matrix.zeros(rows, cols);
        for (int i = 0; i < x.data().length; i++) {
            x.data()[i] = (float) random.nextGaussian();
        }
        return x;
    }

    static final Activation[] HIDDEN = {Activation.RELU, Activation.TANH, Activation.SIGMOID,
        Activation.parse("leaky_relu"), Activation.IDENTITY};

    @Test
    void sameBitsAsTheForwardPassForEveryShapeAndBatchSize() {
        int[][] shapes = {{}, {1}, {5}, {16}, {17, 3}, {33, 64, 9}, {256, 128}};
        int[] inputs = {1, 4, 13, 31, 784};
        int seed = 0;
        for (int[] shape : shapes) {
            for (int in : inputs) {
                if (in == 784 && shape.length < 2) {
                    continue;
                }
                seed++;
                Activation out = seed % 3 == 0 ? Activation.SOFTMAX : seed % 3 == 1 ? Activation.SIGMOID
                        : Activation.IDENTITY;
                Network net = network(in, shape, HIDDEN[seed % HIDDEN.length], out, seed);
                Inference one = Inference.of(net);
                Inference two = Inference.of(net, 2);
                // below and from BLOCKED_MIN_ROWS (RowGemm, then the blocked product), one and several
                // blocks of BLOCK_ROWS (split over two threads from PARALLEL_MIN_ROWS)
                for (int rows : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 64, 129, 300}) {
                    Matrix x = randomRows(rows, in, seed * 100L + rows);
                    Matrix expected = net.predict(x);
                    String what = net + ", " + rows + " rows";
                    assertArrayEquals(expected.data(), one.predict(x).data(), what);
                    assertArrayEquals(expected.data(), two.predict(x).data(), what + ", 2 threads");
                    // every row alone, through a reused scratch
                    Inference.Scratch s = one.scratch(1);
                    float[] y = new float[net.outputs()];
                    for (int r = 0; r < rows; r++) {
                        one.predict(x.data(), r * in, 1, y, 0, s);
                        assertArrayEquals(expected.rowCopy(r), y, what + ", row " + r + " alone");
                    }
                }
            }
        }
    }

    @Test
    void scratchAndSizesAreChecked() {
        Network net = network(4, new int[] {8}, Activation.RELU, Activation.IDENTITY, 1);
        Inference inf = Inference.of(net);
        Inference.Scratch s = inf.scratch(2);
        float[] x = new float[12];
        float[] y = new float[21];
        assertThrows(IllegalArgumentException.class, () -> inf.predict(x, 0, 3, y, 0, s));
        assertThrows(IllegalArgumentException.class, () -> inf.predict(x, 8, 2, y, 0, s));
        assertThrows(IllegalArgumentException.class, () -> Inference.of(net).predict(x, 0, 1, y, 0, s));
        assertThrows(IllegalArgumentException.class, () -> inf.predict(new float[3]));
        assertEquals(7, inf.predict(new float[4]).length);
    }

    /**
     * The plain engine (no {@code jdk.incubator.vector}) in a child JVM prints the bits of its
     * predictions; they must equal this JVM's, whichever engine it runs.
     */
    @Test
    void thePlainEngineGivesTheSameBits() throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                InferencePlainProbe.class.getName())).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("engine=plain("), out);
        assertTrue(out.contains(InferencePlainProbe.digest()), "plain engine:\n" + out + "\nthis JVM: "
                + InferencePlainProbe.digest());
    }
}
