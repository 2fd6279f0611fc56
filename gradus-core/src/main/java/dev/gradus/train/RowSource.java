package dev.gradus.train;

/**
 * Rows that are read a chunk at a time where they live (a disk cache) instead of being held on
 * the heap: validation rows of a file larger than the heap, or those a validation fraction holds
 * out of training rows in a disk cache ({@link ValidationRows#of(RowSource)}). {@link Trainer} reads them in row
 * order, a block of {@link BlockedPass#BLOCK_ROWS} rows at a time, and scores them as it scores
 * rows in memory, to the last bit.
 *
 * <pre>{@code
 * Trainer.Result r = new Trainer(options).fit(network, trainRows, validationRows);
 * }</pre>
 */
public interface RowSource {

    /** The number of rows. */
    int rows();

    /** The width of a feature row. */
    int inputs();

    /** The width of a target row. */
    int outputs();

    /**
     * Rows {@code [from, from + n)}: their features into {@code x} ({@code n × inputs}) and
     * targets into {@code y} ({@code n × outputs}), from index 0.
     */
    void read(int from, int n, float[] x, float[] y);

    /**
     * The weights {@code wᵢ ≥ 0} of rows {@code [from, from + n)} into {@code w} from index 0,
     * returning true; or false, leaving {@code w} alone, when the rows are unweighted (the default).
     */
    default boolean weights(int from, int n, float[] w) {
        return false;
    }
}
