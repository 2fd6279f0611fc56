package dev.gradus.model;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.GradientSource;
import dev.gradus.train.OrderedPass;
import dev.gradus.train.RowSource;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationRows;
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
 * weights, bit for bit. Only the epoch's order and the row indices of a split ({@code 4N} bytes
 * each) live on the heap. As a {@link RowSource}, validation rows (a validation file's, or those a
 * validation fraction holds out), read in row order.
 */
final class CachedRows implements GradientSource, RowSource, OrderedPass.Rows {
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
    private final double[] perClass;   // class weights; null: none
    private final boolean weighted;    // sample or class weights

    /** The rows {@code index} of {@code cache} (null: all), unweighted. */
    CachedRows(RowCache cache, int[] index, Loss loss) {
        this(cache, index, loss, null);
    }

    /**
     * The rows {@code index} of {@code cache} (null: all), each weighing its cached sample weight
     * (1 without) times its class's weight in {@code perClass} ({@code null}: none), as
     * {@link dev.gradus.data.RowWeights#rowWeights} weighs rows in memory.
     */
    CachedRows(RowCache cache, int[] index, Loss loss, double[] perClass) {
        Preprocessing prep = cache.preprocessing();
        this.cache = cache;
        this.index = index;
        this.loss = loss;
        this.perClass = perClass;
        this.weighted = perClass != null || cache.weightColumn() != null;
        this.rows = index == null ? cache.rows() : index.length;
        this.in = cache.inputs();
        this.t = cache.targets();
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
    @Override
    public void gather(int[] order, int from, int n, float[] x, float[] y) {
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
    public boolean weights(int from, int n, float[] w) {
        return gatherWeights(null, from, n, w);
    }

    /** The weight of the row at position {@code p}: {@code (float) (sample weight · class weight)}. */
    private float weight(int p) {
        int row = index == null ? p : index[p];
        float w = cache.sampleWeight(row);
        return perClass == null ? w : (float) (w * perClass[cache.classId(row)]);
    }

    /** As {@link #gather} for the rows' weights; false, leaving {@code w} alone, when they are unweighted. */
    @Override
    public boolean gatherWeights(int[] order, int from, int n, float[] w) {
        if (!weighted) {
            return false;
        }
        for (int r = 0; r < n; r++) {
            w[r] = weight(order == null ? from + r : order[from + r]);
        }
        return true;
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
        String rowsSha = HexFormat.of().formatHex(sha.digest());
        if (!weighted) {
            return Map.of("train_rows_sha256", rowsSha);
        }
        // Trainer's digest of the weights in memory: the shapes (rows × 1, then 0 × 0) and float bits.
        ByteBuffer b = ByteBuffer.allocate(16 + 4 * rows).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(rows).putInt(1);
        for (int p = 0; p < rows; p++) {
            b.putInt(Float.floatToRawIntBits(weight(p)));
        }
        b.putInt(0).putInt(0);
        sha.update(b.flip());
        return Map.of("train_rows_sha256", rowsSha, "train_weights_sha256", HexFormat.of().formatHex(sha.digest()));
    }

    /**
     * The rows left and the held rows, both still in the cache: each is an index of cache rows
     * ({@code 4} bytes a row on the heap), and the held rows are scored from the cache a block at
     * a time ({@link ValidationRows#of(RowSource)}), weighted as they are gathered.
     */
    @Override
    public HeldOut holdOut(int[] held) {
        boolean[] isHeld = new boolean[rows];
        for (int r : held) {
            isHeld[r] = true;
        }
        int[] kept = new int[rows - held.length];
        int[] heldRows = new int[held.length];
        int k = 0;
        int h = 0;
        for (int r = 0; r < rows; r++) {
            int row = index == null ? r : index[r];
            if (isHeld[r]) {
                heldRows[h++] = row;
            } else {
                kept[k++] = row;
            }
        }
        CachedRows validation = new CachedRows(cache, heldRows, loss, perClass);
        boolean positive = !weighted;
        for (int p = 0; !positive && p < heldRows.length; p++) {
            positive = validation.weight(p) > 0;
        }
        if (!positive) {   // as the held rows' weights in memory are checked
            throw new IllegalArgumentException("every row weight is 0; at least one row must weigh more than 0");
        }
        return new HeldOut(new CachedRows(cache, kept, loss, perClass), ValidationRows.of(validation));
    }

    @Override
    public Pass open(Network network, TrainingOptions options, int batchRows, boolean shuffled) {
        return new OrderedPass(this, rows, network, options, batchRows, shuffled);
    }
}
