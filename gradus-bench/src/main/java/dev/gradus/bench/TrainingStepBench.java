package dev.gradus.bench;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Trainer;
import dev.gradus.workloads.Workloads;
import dev.gradus.workloads.Workloads.Workload;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of W1, W2, W3 — forward, ℓ2 and its gradient, backward, SGD update — made
 * of the same calls, in the same order, as {@link Trainer}'s inner loop, on a workspace reused
 * across steps. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated
 * per step (0 expected).
 *
 * <p>{@link TrainerEpochBench} measures {@link Trainer#fit} itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainingStepBench {
    @Param({"W1", "W2", "W3"})
    public String workload;
    @Param({"2"})
    public int threads;

    Network network;
    Workspace w;
    float[] x;
    float[] y;
    float[] dTheta;
    Optimizer optimizer;
    Optimizer.State state;
    int n;
    int k;

    @Setup(Level.Trial)
    public void setUp() {
        Workload wl = Workloads.byName(workload);
        n = wl.batch();
        k = wl.outputs();
        Matrix[] data = Workloads.syntheticData(wl.withSamples(n), 3);
        x = data[0].data();
        y = data[1].data();
        network = wl.network(1);
        w = network.workspace(n, Kernels.create(threads));
        dTheta = new float[network.parameters().size()];
        optimizer = new Sgd(wl.learningRate() / 10);    // small steps keep the loss finite over millions of steps
        state = optimizer.init(dTheta.length);
    }

    @Benchmark
    public double step() {
        network.forward(x, 0, n, w);
        double loss = Loss.MSE.valueAndGradient(w.output(), y, 0, w.g(), n, k);
        network.backward(x, 0, w, dTheta);
        optimizer.step(network.parameters().values(), dTheta, state);
        return loss;
    }
}
