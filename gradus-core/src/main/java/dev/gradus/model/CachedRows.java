package dev.gradus.model;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.GradientSource;
import dev.gradus.train.RowSource;
import dev.gradus.internal.RowOrder;
import dev.gradus.train.TrainingOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Training rows in a {@link RowCache}, gathered a block at a time in the epoch's order and scaled
 * as they are gathered, exactly as the in-memory source holds them after
 * {@link Preprocessing#features} and {@link Model#networkTargets}: the same seed gives the same
 * weights, bit for bit. Only the epoch's order ({@code 4N} bytes) lives on the heap. As a
 * {@link RowSource}, the rows of a validation file, read in row order.
 */
final class CachedRows implements GradientSource, RowSource {
    private final RowCache cache;
    private final int[] index;        // position → cache row; null: the identity
    private final int rows;
    private final int in;
    private final int k;               // network outputs
    private final int t;               // cached target values per row
    private final Scaler xScale;
    private final Scaler yScale;       // regression only; null for classification
    private final boolean sigmoid;     // one output p(class 1) (binary cross-entropy)
    private final Loss loss;

    CachedRows(RowCache cache, int[] index, Loss loss) {
        Preprocessing prep = cache.preprocessing();
        this.cache = cache;
        this.index = index;
        this.loss = loss;
        this.rows = index == null ? cache.rows() : index.length;
        this.in = cache.inputs();
        this.t = cache.stride() - in;
        this.k = Model.outputWidth(prep, loss);
        this.xScale = prep.featureScaler();
        this.yScale = prep.task() == Task.REGRESSION ? prep.targetScaler() : null;
        this.sigmoid = prep.task() == Task.CLASSIFICATION && k == 1;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int inputs() {
        return in;
    }

    @Override
    public int outputs() {
        return k;
    }

    /**
     * Positions {@code [from, from + n)} (or, with {@code order}, the rows {@code order} puts
     * there) scaled into {@code x} and {@code y} from index 0.
     */
    void gather(int[] order, int from, int n, float[] x, float[] y) {
        float[] targets = new float[t];
        for (int r = 0; r < n; r++) {
            int p = order == null ? from + r : order[from + r];
            int row = index == null ? p : index[p];
            cache.readRow(row, x, r * in, targets, 0);
            if (yScale != null) {
                System.arraycopy(targets, 0, y, r * k, k);
            } else {
                int id = (int) targets[0];
                if (sigmoid) {
                    y[r] = id == 1 ? 1f : 0f;
                } else {
                    java.util.Arrays.fill(y, r * k, (r + 1) * k, 0f);
                    y[r * k + id] = 1f;
                }
            }
        }
        xScale.apply(x, n);
        if (yScale != null) {
            yScale.apply(y, n);
        }
    }

    @Override
    public void read(int from, int n, float[] x, float[] y) {
        gather(null, from, n, x, y);
    }

    @Override
    public Map<String, String> fingerprint() {
        // The digest Trainer computes for rows in memory: shapes and float bits of x, then of y.
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
        int block = BlockedPass.BLOCK_ROWS;
        float[] x = new float[block * in];
        float[] y = new float[block * k];
        for (int part = 0; part < 2; part++) {
            ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            sha.update(head.putInt(rows).putInt(part == 0 ? in : k).flip());
            for (int from = 0; from < rows; from += block) {
                int n = Math.min(block, rows - from);
                gather(null, from, n, x, y);
                float[] values = part == 0 ? x : y;
                int count = n * (part == 0 ? in : k);
                ByteBuffer b = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < count; i++) {
                    b.putInt(Float.floatToRawIntBits(values[i]));
                }
                sha.update(b.flip());
            }
        }
        return Map.of("train_rows_sha256", HexFormat.of().formatHex(sha.digest()));
    }

    @Override
    public HeldOut holdOut(int[] held) {
        boolean[] isHeld = new boolean[rows];
        for (int r : held) {
            isHeld[r] = true;
        }
        int[] kept = new int[rows - held.length];
        int at = 0;
        for (int r = 0; r < rows; r++) {
            if (!isHeld[r]) {
                kept[at++] = index == null ? r : index[r];
            }
        }
        Matrix x = Matrix.zeros(held.length, in);
        Matrix y = Matrix.zeros(held.length, k);
        int[] heldRows = held.clone();
        for (int from = 0; from < held.length; from += BlockedPass.BLOCK_ROWS) {
            int n = Math.min(BlockedPass.BLOCK_ROWS, held.length - from);
            float[] xb = new float[n * in];
            float[] yb = new float[n * k];
            gather(heldRows, from, n, xb, yb);
            System.arraycopy(xb, 0, x.data(), from * in, n * in);
            System.arraycopy(yb, 0, y.data(), from * k, n * k);
        }
        return new HeldOut(new CachedRows(cache, kept, loss), x, y);
    }

    @Override
    public Pass open(Network network, TrainingOptions options, int batchRows, boolean shuffled) {
        return new CachedPass(network, options, batchRows, shuffled);
    }

    /** The passes of one run: the epoch's order, one {@link BlockedPass}, a reader re-pointed per batch. */
    private final class CachedPass implements Pass, BlockedPass.Reader {
        private final TrainingOptions options;
        private final BlockedPass pass;
        private final int[] order;       // positions → positions of this source for the epoch; null: row order
        private int orderEpoch = -1;
        private int start;

        CachedPass(Network network, TrainingOptions options, int batchRows, boolean shuffled) {
            this.options = options;
            this.pass = new BlockedPass(network, options.loss(), batchRows, options.threads());
            this.order = shuffled ? new int[rows] : null;
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
        public void read(int from, int n, float[] xb, float[] yb) {
            gather(order, start + from, n, xb, yb);
        }

        @Override
        public void close() {
            pass.close();
        }
    }
}
