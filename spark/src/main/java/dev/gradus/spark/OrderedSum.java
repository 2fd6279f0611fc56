package dev.gradus.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;

/**
 * Partition results added in partition order, whatever order the tasks finish in:
 * {@code ((s₀ + s₁) + … ) + s_{P−1}}, so that a training run is bit-for-bit repeatable, retried
 * tasks included.
 *
 * <p>Up to {@code fanIn} partitions, {@link #sum} runs one Spark job straight on the given rows
 * ({@link #eachPartition}: {@code SparkContext.runJob}, which hands back one result per partition
 * in partition order) and the driver adds the results. Past {@code fanIn} the partitions' sums
 * are added in groups of {@code fanIn} consecutive partitions on the executors, then the groups
 * the same way, level by level, so the driver receives at most {@code fanIn} of them.
 *
 * <p>Spark's own {@code treeAggregate} merges partial results in arrival order (its last level
 * is a {@code fold} over finished tasks, its inner levels a {@code reduceByKey}), so its
 * floating-point sum can differ between two runs of the same job. Here every level sorts by
 * partition index before adding.
 */
final class OrderedSum {
    private OrderedSum() {}

    /** The work of one task over its partition's rows. */
    @FunctionalInterface
    interface PartitionFunction<T, R> extends Serializable {
        R call(Iterator<T> rows);
    }

    /**
     * The sum of {@code f}'s results over the partitions of {@code rows}, in partition order;
     * groups of {@code fanIn} partitions are added on the executors before the driver adds the
     * groups.
     */
    static GradientSum sum(JavaRDD<RowBlocks.Block> rows, PartitionFunction<RowBlocks.Block, GradientSum> f,
                           int fanIn) {
        if (fanIn < 2) {
            throw new IllegalArgumentException("fanIn must be at least 2, got " + fanIn);
        }
        if (rows.getNumPartitions() <= fanIn) {
            return addInOrder(eachPartition(rows, f, GradientSum.class));
        }
        return treeSum(rows.mapPartitions(it -> List.of(f.call(it)).iterator(), true), fanIn);
    }

    /**
     * {@code f}'s result on every partition of {@code rdd}, in partition order, from one Spark job
     * on {@code rdd} itself: no new RDD, and a function object that Spark's closure cleaner passes
     * over (it inspects, and test-serialises, only compiler-made lambdas), so that the driver's
     * work per job is the scheduler's alone.
     */
    static <T, R> List<R> eachPartition(JavaRDD<T> rdd, PartitionFunction<T, R> f, Class<R> type) {
        @SuppressWarnings("unchecked")   // runJob's Array[R], made from R's ClassTag
        R[] results = (R[]) rdd.context().runJob(rdd.rdd(), new Task<>(f), ClassTag$.MODULE$.apply(type));
        return Arrays.asList(results);
    }

    /** {@link PartitionFunction} as the {@code (TaskContext, Iterator) => R} that a Spark job runs. */
    private static final class Task<T, R> extends AbstractFunction2<TaskContext, scala.collection.Iterator<T>, R>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final PartitionFunction<T, R> f;

        Task(PartitionFunction<T, R> f) {
            this.f = f;
        }

        @Override
        public R apply(TaskContext context, scala.collection.Iterator<T> rows) {
            return f.call(scala.jdk.javaapi.CollectionConverters.asJava(rows));
        }
    }

    /**
     * The sum of the partitions' values (exactly one per partition) in partition order; groups of
     * {@code fanIn} partitions are added on the executors before the driver adds the groups.
     */
    static GradientSum treeSum(JavaRDD<GradientSum> perPartition, int fanIn) {
        if (fanIn < 2) {
            throw new IllegalArgumentException("fanIn must be at least 2, got " + fanIn);
        }
        int parts = perPartition.getNumPartitions();
        JavaPairRDD<Long, GradientSum> level = perPartition
                .mapPartitionsWithIndex((Integer i, Iterator<GradientSum> it) -> {
                    List<Tuple2<Long, GradientSum>> out = new ArrayList<>(1);
                    while (it.hasNext()) {
                        out.add(new Tuple2<>((long) i, it.next()));
                    }
                    return out.iterator();
                }, true)
                .mapToPair(t -> t);
        while (parts > fanIn) {
            int groups = (parts + fanIn - 1) / fanIn;
            long width = fanIn;
            level = level.mapToPair(t -> new Tuple2<>(t._1() / width, t))
                    .groupByKey(groups)
                    .mapToPair(g -> new Tuple2<>(g._1(), inOrder(g._2())));
            parts = groups;
        }
        List<Tuple2<Long, GradientSum>> top = level.collect();
        return inOrder(top);
    }

    /** The sum of {@code (index, value)} pairs in increasing index order. */
    private static GradientSum inOrder(Iterable<Tuple2<Long, GradientSum>> values) {
        List<Tuple2<Long, GradientSum>> list = new ArrayList<>();
        values.forEach(list::add);
        list.sort(Comparator.comparingLong(Tuple2::_1));
        return addInOrder(list.stream().map(Tuple2::_2).toList());
    }

    /** {@code ((s₀ + s₁) + … ) + s_{P−1}} over the list's values. */
    private static GradientSum addInOrder(List<GradientSum> sums) {
        GradientSum sum = null;
        for (GradientSum s : sums) {
            sum = sum == null ? s.copy() : sum.addInPlace(s);
        }
        if (sum == null) {
            throw new IllegalStateException("no partition returned a gradient");
        }
        return sum;
    }
}
