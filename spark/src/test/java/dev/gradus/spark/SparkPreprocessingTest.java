package dev.gradus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.DataException;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Impute;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaler;
import dev.gradus.data.Scaling;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.nn.Loss;
import dev.gradus.train.BlockedPass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preprocessing fitted by Spark's executors equals {@code gradus train}'s on the same rows
 * (features, categories, fills, labels, columns left out, dates, "other" inputs; scalers within
 * 1e-6 relative), whether Spark reads the CSV or the same rows as Parquet, JSON or ORC; and the
 * executors encode the rows into the same float32 inputs and targets, bit for bit.
 */
class SparkPreprocessingTest {
    private static SparkSession spark;

    @TempDir
    static Path dir;
    private static Path csv;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkTestSupport.session("SparkPreprocessingTest");
        StringBuilder s = new StringBuilder("id,a,colour,b,size,joined,label\n");
        SplittableRandom r = new SplittableRandom(11);
        String[] colours = {"red", "green", "blue ", "vert"};
        for (int i = 0; i < 500; i++) {
            double a = r.nextDouble(-3, 5);
            String b = i % 17 == 3 ? "" : String.format(Locale.ROOT, "%.6f", r.nextGaussian() * 1e3 + 7);
            String colour = i % 23 == 5 ? "NA" : colours[r.nextInt(colours.length)];
            int size = r.nextInt(1, 9);
            String label = a + size / 3.0 > 3 ? "yes" : a > 0 ? "maybe" : "no";
            // An id column (left out), ISO dates (three inputs), a missing date now and then.
            String joined = i % 29 == 7 ? "" : String.format(Locale.ROOT, "20%02d-%02d-%02d", 10 + r.nextInt(12),
                    1 + r.nextInt(12), 1 + r.nextInt(28));
            s.append("c").append(1000 + i).append(',').append(String.format(Locale.ROOT, "%.9g", a)).append(',')
                    .append(colour).append(',').append(b).append(',').append(size).append(',').append(joined)
                    .append(',').append(label).append('\n');
        }
        // Spark reaches files through Hadoop, whose UserGroupInformation calls Subject.getSubject,
        // which JDK 24 and later refuse (JEP 486; HADOOP-19212): this class needs a JDK where it works.
        boolean hadoopWorks;
        try {
            org.apache.hadoop.security.UserGroupInformation.getCurrentUser();
            hadoopWorks = true;
        } catch (UnsupportedOperationException | java.io.IOException e) {
            hadoopWorks = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(hadoopWorks,
                "Hadoop file systems do not work on JDK " + Runtime.version().feature() + " (Subject.getSubject)");
        csv = dir.resolve("rows.csv");
        Files.writeString(csv, s);
        // The same rows, typed, in the other formats (written by Spark, read back by Spark).
        var typed = spark.read().option("header", "true").option("inferSchema", "true").csv(csv.toString());
        typed.write().parquet(dir.resolve("rows.parquet").toString());
        typed.write().json(dir.resolve("rows.json").toString());
        typed.write().orc(dir.resolve("rows.orc").toString());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-6 * Math.max(Math.abs(expected[i]), 1e-30);
            assertEquals(expected[i], actual[i], tolerance, what + "[" + i + "]");
        }
    }

    private static void assertSameFit(Preprocessing expected, Preprocessing actual) {
        assertSameFit(expected, actual, true);
    }

    /** Without {@code leftOut} the columns left out are not compared (the features were named). */
    private static void assertSameFit(Preprocessing expected, Preprocessing actual, boolean leftOut) {
        assertEquals(expected.task(), actual.task());
        assertEquals(expected.features(), actual.features());
        if (leftOut) {
            assertEquals(expected.leftOut().stream().map(Preprocessing.LeftOut::name).toList(),
                    actual.leftOut().stream().map(Preprocessing.LeftOut::name).toList());
        }
        assertEquals(expected.unknown(), actual.unknown());
        assertEquals(expected.targetNames(), actual.targetNames());
        assertEquals(expected.classLabels(), actual.classLabels());
        for (Scaler[] s : new Scaler[][] {{expected.featureScaler(), actual.featureScaler()},
                {expected.targetScaler(), actual.targetScaler()}}) {
            assertClose(s[0].shift(), s[1].shift(), "shift");
            assertClose(s[0].scale(), s[1].scale(), "scale");
        }
    }

    @Test
    void everyFormatGivesTheLocalFit() throws Exception {
        Table local = Csv.read(csv);
        for (DataSpec spec : List.of(
                DataSpec.classification("label").withImpute(Impute.MEAN),
                DataSpec.classification("label").withImpute(Impute.MEDIAN).withScaling(Scaling.MINMAX)
                        .withMaxCategories(2),
                DataSpec.regression("a", "size").withImpute(Impute.MEAN).withCategorical(List.of("id")))) {
            List<String> expectedWarnings = new ArrayList<>();
            Preprocessing expected = Preprocessing.fit(local, spec, expectedWarnings::add);
            List<String> files = spec.impute() == Impute.MEAN && spec.task() != null && spec.scaling() == Scaling.STANDARD
                    ? List.of("rows.csv", "rows.parquet", "rows.orc", "rows.json") : List.of("rows.csv", "rows.parquet");
            for (String name : files) {
                // JSON objects have no column order (Spark sorts their fields): name the features.
                DataSpec asked = name.endsWith(".json") ? spec.withFeatures(expected.featureNames()) : spec;
                SparkInput in = SparkInput.read(spark, dir.resolve(name).toString(), null);
                List<String> warnings = new ArrayList<>();
                SparkPreprocessing.Fit fit = SparkPreprocessing.fit(in, asked, warnings::add);
                assertSameFit(expected, fit.preprocessing(), !name.endsWith(".json"));
                assertEquals(500, fit.rows(), name);
                if (!name.endsWith(".json")) {
                    assertEquals(expectedWarnings, warnings, name);
                }
            }
        }
    }

    @Test
    void theExecutorsEncodeTheLocalMatrices() throws Exception {
        Table local = Csv.read(csv);
        DataSpec spec = DataSpec.classification("label").withImpute(Impute.MEAN);
        Preprocessing prep = Preprocessing.fit(local, spec);
        // Splits of about 4 KiB: the one file is read by several tasks, in file order.
        spark.conf().set("spark.sql.files.maxPartitionBytes", "4096");
        try {
            encodeInSplits(local, spec, prep);
        } finally {
            spark.conf().unset("spark.sql.files.maxPartitionBytes");
        }
    }

    private static void encodeInSplits(Table local, DataSpec spec, Preprocessing prep) throws Exception {
        SparkInput in = SparkInput.read(spark, csv.toString(), null);
        SparkPreprocessing.Fit fit = SparkPreprocessing.fit(in, spec);
        assertTrue(fit.partitionRows().length > 1, "partitions: " + fit.partitionRows().length);
        assertSameFit(prep, fit.preprocessing());
        try (RowBlocks rows = RowBlocks.encode(in, fit.partitionRows(), prep, Loss.CROSS_ENTROPY)) {
            List<RowBlocks.Block> blocks = new ArrayList<>(rows.blocks().collect());
            blocks.sort(Comparator.comparingLong(RowBlocks.Block::firstRow));
            float[] x = new float[0];
            float[] y = new float[0];
            long next = 0;
            for (RowBlocks.Block b : blocks) {
                assertEquals(next, b.firstRow());
                assertTrue(b.rows() <= BlockedPass.BLOCK_ROWS);
                assertEquals(b.firstRow() / BlockedPass.BLOCK_ROWS, (b.firstRow() + b.rows() - 1) / BlockedPass.BLOCK_ROWS,
                        "a block crosses a multiple of " + BlockedPass.BLOCK_ROWS);
                x = concat(x, b.x());
                y = concat(y, b.y());
                next += b.rows();
            }
            assertEquals(500, next);
            assertArrayEquals(prep.features(local).data(), x);
            assertArrayEquals(Model.networkTargets(prep, Loss.CROSS_ENTROPY, local).data(), y);
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void badCellsNameTheFileAndTheValue() throws Exception {
        Path mixed = dir.resolve("mixed.csv");
        Files.writeString(mixed, "x,y,label\n1,2,a\n3,oops,b\n5,6,a\n7,8,b\n");
        DataException e = assertThrows(DataException.class, () -> SparkPreprocessing.fit(
                SparkInput.read(spark, mixed.toString(), null), DataSpec.classification("label")));
        assertTrue(e.getMessage().contains("mixed.csv") && e.getMessage().contains("'oops'"), e.getMessage());

        Path missing = dir.resolve("missing.csv");
        Files.writeString(missing, "x,y,label\n1,2,a\n3,,b\n5,6,a\n");
        e = assertThrows(DataException.class, () -> SparkPreprocessing.fit(
                SparkInput.read(spark, missing.toString(), null), DataSpec.classification("label")));
        assertTrue(e.getMessage().contains("missing.csv") && e.getMessage().contains("'y'"), e.getMessage());

        // A category the preprocessing never saw, found while the executors encode the rows.
        Preprocessing prep = Preprocessing.fit(Csv.read(csv), DataSpec.classification("label").withImpute(Impute.MEAN));
        Path unseen = dir.resolve("unseen.csv");
        Files.writeString(unseen, "id,a,colour,b,size,joined,label\nc1,1,red,2,3,2015-01-02,yes\n"
                + "c2,1,purple,2,3,2016-02-03,no\n");
        SparkInput in = SparkInput.read(spark, unseen.toString(), null);
        try (RowBlocks rows = RowBlocks.encode(in, new long[] {2}, prep, Loss.CROSS_ENTROPY)) {
            Exception failure = assertThrows(Exception.class, () -> rows.blocks().count());
            DataException d = SparkInput.dataError(failure);
            assertNotNull(d, failure.toString());
            assertTrue(d.getMessage().contains("unseen.csv") && d.getMessage().contains("purple"), d.getMessage());
        }
    }
}
