package dev.gradus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.ClassWeights;
import dev.gradus.data.Csv;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataException;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Impute;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Table;
import dev.gradus.train.TrainingSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on the disk cache of encoded rows gives the in-memory run's weights bit for bit: the
 * preprocessing fitted from streamed chunks, the rows gathered in the same seeded order, full
 * batches summed over the same blocks. The file is larger than the reader's first chunk
 * (1 MiB), so it arrives in several chunks.
 */
class RowCacheTest {
    @TempDir
    Path dir;

    private String previous;

    @BeforeEach
    void pointTheCacheAtATemporaryFolder() {
        previous = System.getProperty(RowCache.DIRECTORY_PROPERTY);
        System.setProperty(RowCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
    }

    @AfterEach
    void restore() {
        if (previous == null) {
            System.clearProperty(RowCache.DIRECTORY_PROPERTY);
        } else {
            System.setProperty(RowCache.DIRECTORY_PROPERTY, previous);
        }
    }

    /** Rows of 4 numbers (some missing), a colour, an id, an ISO date, a class and a numeric target. */
    private Path messyFile(int rows) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        String[] colours = {"red", "green", "blue", "cyan"};
        StringBuilder s = new StringBuilder("id,a,b,c,d,colour,day,kind,value\n");
        for (int r = 0; r < rows; r++) {
            double a = random.nextGaussian();
            double b = random.nextDouble() * 100;
            String c = random.nextInt(50) == 0 ? "NA" : String.format(Locale.ROOT, "%.4f", random.nextGaussian());
            double d = random.nextInt(5);
            String colour = colours[random.nextInt(colours.length)];
            String day = String.format(Locale.ROOT, "2024-%02d-%02d", 1 + random.nextInt(12), 1 + random.nextInt(28));
            String kind = a + b / 50 > 1 ? "yes" : "no";
            s.append(String.format(Locale.ROOT, "u%07d,%.5f,%.3f,%s,%.0f,%s,%s,%s,%.4f%n", r, a, b, c, d, colour, day,
                    kind, a * 3 + b / 10 + random.nextGaussian()));
        }
        Path file = dir.resolve("messy.csv");
        Files.writeString(file, s);
        return file;
    }

    private static ModelSpec spec(DataSpec data, int batch, double validationFraction) {
        return ModelSpec.defaults().withData(data.withImpute(Impute.MEAN)).withHidden(List.of(8))
                .withTraining(TrainingSpec.defaults().withEpochs(2).withBatchSize(batch).withSeed(11)
                        .withValidationFraction(validationFraction).withThreads(2));
    }

    private Model.Fit inMemory(Path file, ModelSpec spec) throws DataException {
        Table table = Csv.read(file);
        return Model.fit(Preprocessing.fit(table, spec.data()), table, spec);
    }

    private Model.Fit streamed(RowCache cache, ModelSpec spec) throws DataException {
        Preprocessing prep = cache.preprocessing();
        return cache.fit(new TrainingStart.Fresh(prep, spec, spec.options(prep.task(), false, cache.rows())), null);
    }

    private void assertSameRun(Path file, ModelSpec spec) throws Exception {
        Model.Fit memory = inMemory(file, spec);
        try (RowCache cache = RowCache.open(file, CsvOptions.defaults(), spec.data(), false, w -> { })) {
            assertEquals(memory.model().preprocessing(), cache.preprocessing());
            Model.Fit disk = streamed(cache, spec);
            assertArrayEquals(memory.model().network().parameters().values(),
                    disk.model().network().parameters().values());
            assertEquals(memory.history().epochs().size(), disk.history().epochs().size());
            for (int e = 0; e < memory.history().epochs().size(); e++) {
                assertEquals(memory.history().epochs().get(e).loss(), disk.history().epochs().get(e).loss());
                assertEquals(memory.history().epochs().get(e).validationLoss(),
                        disk.history().epochs().get(e).validationLoss());
                assertEquals(memory.history().epochs().get(e).validationMetrics(),
                        disk.history().epochs().get(e).validationMetrics());
            }
            assertEquals(memory.history().bestEpoch(), disk.history().bestEpoch());
            assertEquals(memory.history().stoppedEarly(), disk.history().stoppedEarly());
        }
    }

    @Test
    void shuffledMiniBatchesGiveTheInMemoryWeightsBitForBit() throws Exception {
        Path file = messyFile(20_000);
        assertTrue(Files.size(file) > (1 << 20), "the file should span several chunks");
        assertSameRun(file, spec(DataSpec.classification("kind").withDrop(List.of("value")), 256, 0));
    }

    @Test
    void fullBatchesAndAValidationFractionGiveTheInMemoryWeightsBitForBit() throws Exception {
        Path file = messyFile(20_000);
        assertSameRun(file, spec(DataSpec.regression("value").withDrop(List.of("kind")), 0, 0.1));
    }

    /**
     * The rows a validation fraction holds out stay in the cache and are scored from it a block
     * at a time (2,000 rows: two blocks): every epoch's validation loss and accuracy, early
     * stopping on accuracy and the restored best weights are those of the rows in memory.
     */
    @Test
    void heldOutRowsScoredFromTheCacheStopEarlyAsInMemory() throws Exception {
        Path file = messyFile(20_000);
        ModelSpec spec = spec(DataSpec.classification("kind").withDrop(List.of("value")), 512, 0.1);
        spec = spec.withTraining(spec.training().withEpochs(40).withPatience(2).withMonitor("accuracy"));
        Model.Fit memory = inMemory(file, spec);
        assertTrue(memory.history().stoppedEarly(), "early stopping is exercised");
        assertSameRun(file, spec);
    }

    /**
     * {@code --impute median} on streamed rows: the exact median of each numeric column (three
     * readings of the file, {@link dev.gradus.data.RadixSelect}) and the median date, so the
     * preprocessing and the weights are those of the whole table.
     */
    @Test
    void medianImputationGivesTheInMemoryPreprocessingAndWeights() throws Exception {
        Path file = messyFile(30_001);
        ModelSpec spec = spec(DataSpec.classification("kind").withDrop(List.of("value")), 256, 0);
        spec = spec.withData(spec.data().withImpute(Impute.MEDIAN));
        assertSameRun(file, spec);
        assertTrue(inMemory(file, spec).model().preprocessing().features().stream()
                .anyMatch(f -> f.name().equals("c") && f.fill() != null), "column c has missing cells to fill");
    }

    @Test
    void binaryCrossEntropyGivesTheInMemoryWeightsBitForBit() throws Exception {
        Path file = messyFile(5_000);
        ModelSpec spec = spec(DataSpec.classification("kind").withDrop(List.of("value")), 100, 0.2);
        spec = spec.withTraining(spec.training().withLoss(new dev.gradus.nn.Loss.BinaryCrossEntropy()));
        assertSameRun(file, spec);
    }

    /**
     * Class weights fitted on the cached rows (balanced ones count the classes there) are those
     * fitted on the same rows in memory; on a regression they are refused as in memory.
     */
    @Test
    void classWeightsOfTheCachedRowsAreThoseOfTheRowsInMemory() throws Exception {
        Path file = messyFile(700);
        DataSpec data = DataSpec.classification("kind").withDrop(List.of("value")).withImpute(Impute.MEAN);
        Table table = Csv.read(file);
        Preprocessing prep = Preprocessing.fit(table, data);
        try (RowCache cache = RowCache.open(file, CsvOptions.defaults(), data, false, w -> { })) {
            for (ClassWeights c : List.of(ClassWeights.BALANCED, new ClassWeights.Given(java.util.Map.of("yes", 3.0)))) {
                RowWeights weights = new RowWeights(null, c);
                double[] expected = weights.classWeights(prep, table);
                assertArrayEquals(expected, cache.classWeights(weights), c.toString());
                if (c == ClassWeights.BALANCED) {
                    assertTrue(expected[0] != expected[1], "the classes are unbalanced: " + expected[0]);
                }
            }
            assertEquals(null, cache.classWeights(RowWeights.NONE));
        }
        DataSpec regression = DataSpec.regression("value").withDrop(List.of("kind")).withImpute(Impute.MEAN);
        try (RowCache cache = RowCache.open(file, CsvOptions.defaults(), regression, false, w -> { })) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cache.classWeights(new RowWeights(null, ClassWeights.BALANCED)));
            assertTrue(e.getMessage().contains("class weights are for classification"), e.getMessage());
        }
    }

    @Test
    void theCacheIsReusedUntilTheFileChanges() throws Exception {
        Path file = messyFile(3_000);
        ModelSpec spec = spec(DataSpec.classification("kind").withDrop(List.of("value")), 64, 0);
        List<String> warnings = new ArrayList<>();
        float[] first;
        try (RowCache cache = RowCache.open(file, CsvOptions.defaults(), spec.data(), true, warnings::add)) {
            assertFalse(cache.reused());
            first = streamed(cache, spec).model().network().parameters().values();
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'id' is left out")), warnings.toString());
        warnings.clear();
        try (RowCache cache = RowCache.open(file, CsvOptions.defaults(), spec.data(), true, warnings::add)) {
            assertTrue(cache.reused());
            assertArrayEquals(first, streamed(cache, spec).model().network().parameters().values());
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'id' is left out")), "warnings are given again");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5_000));
        try (RowCache cache = RowCache.open(file, CsvOptions.defaults(), spec.data(), true, w -> { })) {
            assertFalse(cache.reused(), "a changed file is encoded again");
        }
        try (RowCache cache = RowCache.open(file, CsvOptions.defaults(), spec.data(), false, w -> { })) {
            assertFalse(cache.reused(), "without keep, the cache is not read");
        }
    }

    @Test
    void badDataIsReportedWithItsLineAsReadingItWholeWould() throws Exception {
        Path file = messyFile(30_000);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(25_000, lines.get(25_000).replaceFirst(",yes,|,no,", ",,"));
        Files.write(file, lines);
        DataSpec data = DataSpec.classification("kind").withDrop(List.of("value"));
        DataException memory = assertThrows(DataException.class, () -> Preprocessing.fit(Csv.read(file), data));
        DataException disk = assertThrows(DataException.class,
                () -> RowCache.open(file, CsvOptions.defaults(), data, true, w -> { }).close());
        assertEquals(memory.getMessage(), disk.getMessage());
        assertTrue(disk.getMessage().contains("line 25001"), disk.getMessage());
    }
}
