package dev.gradus.train;

import dev.gradus.internal.RowOrder;
import dev.gradus.nn.Network;

/**
 * The passes of one run over rows that a source can gather in any order ({@link LocalRows} in
 * memory, the model package's row cache on disk): each epoch's shuffled order
 * ({@link RowOrder}), one {@link BlockedPass}, and a reader re-pointed at each batch.
 */
public final class OrderedPass implements GradientSource.Pass, BlockedPass.Reader {

    /** Rows that can be read at positions, directly or through an epoch's order. */
    public interface Rows {
        /**
         * Positions {@code [from, from + n)} (with {@code order}, the rows {@code order} puts
         * there; null: the positions themselves) into {@code x} and {@code y} from index 0.
         */
        void gather(int[] order, int from, int n, float[] x, float[] y);

        /** As {@link #gather} for the rows' weights; false, leaving {@code w} alone, when they are unweighted. */
        boolean gatherWeights(int[] order, int from, int n, float[] w);
    }

    private final Rows rows;
    private final TrainingOptions options;
    private final BlockedPass pass;
    private final int[] order;       // positions → positions of the source for the epoch; null: row order
    private int orderEpoch = -1;
    private int start;

    /** A pass over the {@code count} rows of {@code rows}, shuffled each epoch when {@code shuffled}. */
    public OrderedPass(Rows rows, int count, Network network, TrainingOptions options, int batchRows,
                       boolean shuffled) {
        this.rows = rows;
        this.options = options;
        this.pass = new BlockedPass(network, options.loss(), batchRows, options.threads());
        this.order = shuffled ? new int[count] : null;
    }

    @Override
    public double lossAndGradient(int epoch, int step, int start, int count, float[] dTheta) {
        if (order != null && orderEpoch != epoch) {
            RowOrder.epoch(order, options.seed(), epoch);
            orderEpoch = epoch;
        }
        this.start = start;
        pass.dropout(options.dropout(), options.seed(), epoch, step);
        return pass.lossAndGradient(this, count, dTheta);
    }

    @Override
    public double batchWeight(int count) {
        return pass.weight();
    }

    /** The batch's rows {@code [from, from + n)}: positions {@code start + from …} of the epoch's order. */
    @Override
    public void read(int from, int n, float[] xb, float[] yb) {
        rows.gather(order, start + from, n, xb, yb);
    }

    @Override
    public boolean weights(int from, int n, float[] w) {
        return rows.gatherWeights(order, start + from, n, w);
    }

    @Override
    public void close() {
        pass.close();
    }
}
