package dev.gradus.spark;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Parameters;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A network as a Spark task carries it: the input width, each layer's outputs and activation
 * by name (networks, layers and activations are not serialisable), and {@code θ}, which travels
 * inside the task (in Spark's own broadcast of the job's task binary) up to
 * {@link #THETA_IN_TASK} parameters, in a broadcast of its own above. The task rebuilds the
 * network from the public core API ({@link #network()}).
 */
final class TaskNetwork implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Parameters up to which {@code θ} travels inside the task instead of in a broadcast of its
     * own, which costs the driver a broadcast and its removal per job; above it (800 KB of floats)
     * Spark would warn of a large task binary at every job.
     */
    static final int THETA_IN_TASK = 200_000;

    private final int inputs;
    private final int[] widths;            // outputs of layer m = 0..n
    private final String[] activations;    // φᵐ by name
    private final float[] theta;           // θ, when it travels inside the task
    private final Broadcast<float[]> broadcast;   // θ, when it is broadcast instead

    private TaskNetwork(Network network, Broadcast<float[]> broadcast) {
        this.inputs = network.inputs();
        this.widths = network.layers().stream().mapToInt(Dense::outputs).toArray();
        this.activations = network.layers().stream().map(d -> d.activation().toString()).toArray(String[]::new);
        this.theta = broadcast == null ? network.parameters().values().clone() : null;
        this.broadcast = broadcast;
    }

    /** {@code network} at its present θ, which is broadcast when it has more than {@link #THETA_IN_TASK} parameters. */
    static TaskNetwork of(JavaSparkContext sc, Network network) {
        return new TaskNetwork(network, network.parameters().size() > THETA_IN_TASK
                ? sc.broadcast(network.parameters().values().clone()) : null);
    }

    /** Drops θ's broadcast, if any, once the job is done (blocking). */
    void release() {
        if (broadcast != null) {
            broadcast.destroy();
        }
    }

    /** The network's inputs. */
    int inputs() {
        return inputs;
    }

    /** The network's outputs. */
    int outputs() {
        return widths[widths.length - 1];
    }

    /** The network with θ, rebuilt in the task. */
    Network network() {
        return network(theta != null ? theta : broadcast.value());
    }

    /** The network with parameters {@code values} instead of θ. */
    Network network(float[] values) {
        List<Dense> layers = new ArrayList<>();
        int in = inputs;
        for (int m = 0; m < widths.length; m++) {
            layers.add(new Dense(in, widths[m], Activation.parse(activations[m])));
            in = widths[m];
        }
        Parameters p = Network.zeroParameters(layers);
        System.arraycopy(values, 0, p.values(), 0, values.length);
        return Network.of(layers, p);
    }
}
