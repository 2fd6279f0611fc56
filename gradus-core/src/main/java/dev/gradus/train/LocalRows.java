package dev.gradus.train;

import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import java.util.Map;

/**
 * Training rows held in this JVM as two contiguous row-major arrays, and their weights if they
 * have any; a batch is gathered a block at a time in the epoch's order (no copy of the whole set
 * per epoch).
 */
final class LocalRows implements GradientSource, OrderedPass.Rows {
    private final float[] xs;     // N × inputs, contiguous
    private final float[] ys;     // N × outputs
    private final float[] ws;     // N row weights wᵢ; null: every wᵢ = 1
    private final int rows;
    private final int in;
    private final int k;

    LocalRows(Matrix x, Matrix y, float[] weights) {
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException("x has " + x.rows() + " rows but y has " + y.rows());
        }
        this.ws = weights == null ? null : checkWeights(weights, x.rows()).clone();
        this.xs = x.contiguous().data();   // read only: no copy when x already is one array
        this.ys = y.contiguous().data();
        this.rows = x.rows();
        this.in = x.cols();
        this.k = y.cols();
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
     * {@code weights} when there is one per row, each finite and at least 0, not all 0.
     *
     * @throws IllegalArgumentException naming the first row at fault
     */
    static float[] checkWeights(float[] weights, int rows) {
        if (weights.length != rows) {
            throw new IllegalArgumentException(rows + " rows but " + weights.length + " row weights");
        }
        boolean positive = rows == 0;
        for (int r = 0; r < rows; r++) {
            float w = weights[r];
            if (!(w >= 0) || w == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("row " + r + " has weight " + w
                        + "; a row weight must be finite and at least 0");
            }
            positive |= w > 0;
        }
        if (!positive) {
            throw new IllegalArgumentException("every row weight is 0; at least one row must weigh more than 0");
        }
        return weights;
    }

    @Override
    public Map<String, String> fingerprint() {
        String rowsSha = Trainer.sha256(Matrix.wrap(rows, in, xs), Matrix.wrap(rows, k, ys));
        return ws == null ? Map.of("train_rows_sha256", rowsSha)
                : Map.of("train_rows_sha256", rowsSha, "train_weights_sha256",
                        Trainer.sha256(Matrix.wrap(rows, 1, ws), Matrix.zeros(0, 0)));
    }

    @Override
    public HeldOut holdOut(int[] held) {
        Matrix x = Matrix.wrap(rows, in, xs);
        Matrix y = Matrix.wrap(rows, k, ys);
        boolean[] isHeld = new boolean[rows];
        for (int r : held) {
            isHeld[r] = true;
        }
        int[] kept = new int[rows - held.length];
        int at = 0;
        for (int r = 0; r < rows; r++) {
            if (!isHeld[r]) {
                kept[at++] = r;
            }
        }
        return new HeldOut(new LocalRows(x.selectRows(kept), y.selectRows(kept), select(ws, kept)),
                x.selectRows(held), y.selectRows(held), select(ws, held));
    }

    private static float[] select(float[] weights, int[] rows) {
        if (weights == null) {
            return null;
        }
        float[] out = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = weights[rows[i]];
        }
        return out;
    }

    @Override
    public Pass open(Network network, TrainingOptions options, int batchRows, boolean shuffled) {
        return new OrderedPass(this, rows, network, options, batchRows, shuffled);
    }

    /** Rows at positions {@code [from, from + n)}: a copy, or a gather in {@code order}. */
    @Override
    public void gather(int[] order, int from, int n, float[] xb, float[] yb) {
        if (order == null) {
            System.arraycopy(xs, from * in, xb, 0, n * in);
            System.arraycopy(ys, from * k, yb, 0, n * k);
            return;
        }
        for (int r = 0; r < n; r++) {
            int row = order[from + r];
            System.arraycopy(xs, row * in, xb, r * in, in);
            System.arraycopy(ys, row * k, yb, r * k, k);
        }
    }

    /** The weights of the same rows as {@link #gather}, when the rows are weighted. */
    @Override
    public boolean gatherWeights(int[] order, int from, int n, float[] w) {
        if (ws == null) {
            return false;
        }
        if (order == null) {
            System.arraycopy(ws, from, w, 0, n);
        } else {
            for (int r = 0; r < n; r++) {
                w[r] = ws[order[from + r]];
            }
        }
        return true;
    }
}
