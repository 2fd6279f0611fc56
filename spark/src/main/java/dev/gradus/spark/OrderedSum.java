package dev.gradus.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * A tree aggregation of one {@link GradientSum} per partition that adds in partition order,
 * whatever order the tasks finish in: {@code ((s₀ + s₁) + … ) + s_{P−1}} within each group of
 * {@code fanIn} consecutive partitions, then the groups the same way, level by level.
 *
 * <p>Spark's own {@code treeAggregate} merges partial results in arrival order (its last level
 * is a {@code fold} over finished tasks, its inner levels a {@code reduceByKey}), so its
 * floating-point sum can differ between two runs of the same job. Here every level sorts by
 * partition index before adding, so a training run is bit-for-bit repeatable, retried tasks
 * included.
 */
final class OrderedSum {
    private OrderedSum() {}

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
        GradientSum sum = null;
        for (Tuple2<Long, GradientSum> t : list) {
            sum = sum == null ? t._2().copy() : sum.addInPlace(t._2());
        }
        if (sum == null) {
            throw new IllegalStateException("no partition returned a gradient");
        }
        return sum;
    }
}
