package dev.gradus.bench;

import dev.gradus.nn.Network;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import dev.gradus.workloads.Workloads;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Trainer#fit} on W2 (20,000 rows, 625 steps per epoch) for 1 and for 2 epochs. With
 * {@code -prof gc}, the difference of {@code gc.alloc.rate.norm} between the two is what one
 * more epoch of 625 steps allocates; the rest is the per-fit setup (copies of the data, the
 * network and the workspace).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainerEpochBench {
    @Param({"1", "2"})
    public int epochs;

    Matrix x;
    Matrix y;
    Network network;
    Trainer trainer;

    @Setup
    public void setUp() {
        Matrix[] data = Workloads.syntheticData(Workloads.W2, 7);
        x = data[0];
        y = data[1];
        network = Workloads.W2.network(1);
        trainer = new Trainer(TrainingOptions.plain().withOptimizer(new Sgd(0.05)).withBatchSize(32)
                .withEpochs(epochs).withThreads(2));
    }

    @Benchmark
    public Trainer.Result fit() {
        return trainer.fit(network, x, y);
    }
}
