package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.model.Model;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real-data inputs: string labels, categorical features, missing values, gzip, IDX, splits. */
class DataInputsTest {
    @TempDir
    Path dir;

    /** Rows of (size, color, weight, kind): kind is "big" when size + weight is large. */
    private Path fruit(String name, int rows, boolean withMissing, boolean gzip) throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        StringBuilder s = new StringBuilder("id,size,color,weight,kind\n");
        String[] colors = {"red", "green", "yellow"};
        for (int i = 0; i < rows; i++) {
            double size = random.nextDouble(0, 10);
            double weight = random.nextDouble(0, 10);
            String color = colors[random.nextInt(3)];
            String kind = size + weight + (color.equals("red") ? 3 : 0) > 11.5 ? "big" : "small";
            String sizeCell = withMissing && i % 7 == 3 ? "" : String.format(java.util.Locale.ROOT, "%.3f", size);
            String colorCell = withMissing && i % 11 == 5 ? "NA" : color;
            s.append("f").append(i).append(',').append(sizeCell).append(',').append(colorCell).append(',')
                    .append(String.format(java.util.Locale.ROOT, "%.3f", weight)).append(',').append(kind).append('\n');
        }
        Path p = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void stringLabelsAndCategoricalFeaturesFromGzip() throws Exception {
        Path data = fruit("fruit.csv.gz", 300, false, true);
        Path model = dir.resolve("fruit.gradus");
        Cli train = Cli.run("train", "--data", data.toString(), "--drop", "id", "--lr", "0.1", "--epochs", "60",
                "--quiet", "--out", model.toString());
        assertEquals(0, train.code(), train.toString());
        Model m = Model.load(model);
        assertEquals("classification", m.task().toString(), "a text target means classification");
        assertEquals(List.of("big", "small"), m.preprocessing().classLabels());
        assertEquals(List.of("green", "red", "yellow"), m.preprocessing().features().get(1).categories());
        assertEquals(2 + 3, m.network().inputs(), "size, weight and three one-hot colour inputs");

        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--id", "id");
        assertEquals(0, predict.code(), predict.toString());
        String[] lines = predict.out().split("\n");
        assertEquals("id,prediction,p_big,p_small", lines[0]);
        assertTrue(lines[1].startsWith("f0,big,") || lines[1].startsWith("f0,small,"), lines[1]);
        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--json");
        double accuracy = Double.parseDouble(evaluate.out().replaceAll(".*\"accuracy\":([0-9.]+).*\\s*", "$1"));
        assertTrue(accuracy > 0.9, "the rule is learnable: accuracy " + accuracy);

        Path unseen = dir.resolve("unseen.csv");
        Files.writeString(unseen, "id,size,color,weight\nq,1,purple,2\n");
        Cli bad = Cli.run("predict", "--model", model.toString(), "--data", unseen.toString());
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().contains("line 2, column 'color': unknown category 'purple'"), bad.err());
    }

    @Test
    void numericLookingLabelsAndIdsAreKeptAsWritten() throws Exception {
        StringBuilder csv = new StringBuilder("id,x,zip\n");
        String[] labels = {"02134", "16777217", "16777216", "1.50"};
        for (int i = 0; i < 40; i++) {
            csv.append(String.format(java.util.Locale.ROOT, "%012d,%d,%s%n", 123456789L + i, i % 4, labels[i % 4]));
        }
        Path data = dir.resolve("zips.csv");
        Files.writeString(data, csv);
        Path model = dir.resolve("zips.gradus");
        Cli train = Cli.run("train", "--data", data.toString(), "--drop", "id", "--task", "classification",
                "--epochs", "3", "--quiet", "--out", model.toString());
        assertEquals(0, train.code(), train.toString());
        // Four distinct labels as written, sorted by value (float32 would merge 16777216 and 16777217).
        assertEquals(List.of("1.50", "02134", "16777216", "16777217"), Model.load(model).preprocessing().classLabels());
        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--id", "id");
        String[] lines = predict.out().split("\n");
        assertEquals("id,prediction,p_1.50,p_02134,p_16777216,p_16777217", lines[0]);
        assertTrue(lines[1].startsWith("000123456789,") && lines[2].startsWith("000123456790,"), predict.out());
    }

    @Test
    void missingValuesAreRejectedOrImputed() throws Exception {
        Path data = fruit("gaps.csv", 200, true, false);
        Cli rejected = Cli.run("train", "--data", data.toString(), "--drop", "id", "--quiet", "--out",
                dir.resolve("m.gradus").toString());
        assertEquals(1, rejected.code(), rejected.toString());
        assertTrue(rejected.err().contains("line 5, column 'size': missing value"), rejected.err());

        for (String how : List.of("mean", "median")) {
            Path model = dir.resolve(how + ".gradus");
            Cli imputed = Cli.run("train", "--data", data.toString(), "--drop", "id", "--impute", how, "--epochs", "5",
                    "--quiet", "--out", model.toString());
            assertEquals(0, imputed.code(), imputed.toString());
            var features = Model.load(model).preprocessing().features();
            double fill = Double.parseDouble(features.get(0).fill());
            assertTrue(fill > 3 && fill < 7, how + " of sizes uniform on [0, 10]: " + fill);
            Cli predict = Cli.run("predict", "--model", model.toString(), "--data", data.toString());
            assertEquals(0, predict.code(), "rows with missing cells are predicted: " + predict);
        }
    }

    @Test
    void testFractionIsStratifiedAndScored() {
        Cli train = Cli.run("train", "--data", Cli.data("iris.csv"), "--task", "classification", "--test-fraction",
                "0.2", "--epochs", "5", "--json", "--quiet", "--out", dir.resolve("m.gradus").toString());
        assertEquals(0, train.code(), train.toString());
        assertTrue(train.out().contains("\"rows\":120"), "150 rows, 10 per class held out: " + train.out());
        assertTrue(train.out().contains("\"test\":{\"rows\":30,\"accuracy\":"), train.out());
        // 10 test rows of each class: the confusion matrix rows each sum to 10.
        String confusion = train.out().replaceAll(".*\"test\":\\{.*?\"confusion\":(\\[\\[.*?\\]\\]).*\\s*", "$1");
        for (String row : confusion.substring(2, confusion.length() - 2).split("\\],\\[")) {
            assertEquals(10, java.util.Arrays.stream(row.split(",")).mapToInt(Integer::parseInt).sum(), confusion);
        }
    }

    @Test
    void aClassWithOneRowCannotBeStratified() throws Exception {
        Path data = dir.resolve("one.csv");
        Files.writeString(data, "x,y\n1,a\n2,a\n3,b\n4,b\n5,c\n");
        Cli train = Cli.run("train", "--data", data.toString(), "--test-fraction", "0.4", "--out",
                dir.resolve("m.gradus").toString());
        assertEquals(1, train.code(), train.toString());
        assertTrue(train.err().contains("class 'c' of column 'y' has only one row (line 6)"), train.err());
    }

    @Test
    void idxImagesWithLabelsPlainAndGzipped() throws Exception {
        SplittableRandom random = new SplittableRandom(8);
        int n = 60;
        byte[] pixels = new byte[n * 4 * 4];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 2);
            for (int p = 0; p < 16; p++) {   // class 1 is bright on the left half
                boolean bright = labels[i] == 1 ? p % 4 < 2 : p % 4 >= 2;
                pixels[i * 16 + p] = (byte) (bright ? 200 + random.nextInt(56) : random.nextInt(56));
            }
        }
        Path images = dir.resolve("images-idx3-ubyte.gz");
        Path labelFile = dir.resolve("labels-idx1-ubyte");
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(images)))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(4);
            out.writeInt(4);
            out.write(pixels);
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labelFile))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            out.write(labels);
        }
        Path model = dir.resolve("idx.gradus");
        Cli train = Cli.run("train", "--data", images.toString(), "--labels", labelFile.toString(), "--lr", "0.1",
                "--epochs", "30", "--quiet", "--out", model.toString());
        assertEquals(0, train.code(), train.toString());
        assertEquals(16, Model.load(model).network().inputs());
        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", images.toString(), "--labels",
                labelFile.toString(), "--json");
        assertTrue(evaluate.out().contains("\"accuracy\":1.0"), evaluate.toString());

        Path wrong = dir.resolve("short-idx1-ubyte");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(wrong))) {
            out.writeInt(0x00000801);
            out.writeInt(n - 1);
            out.write(labels, 0, n - 1);
        }
        Cli mismatch = Cli.run("train", "--data", images.toString(), "--labels", wrong.toString(), "--out",
                model.toString());
        assertEquals(1, mismatch.code());
        assertTrue(mismatch.err().contains("59 labels for 60 images"), mismatch.err());
    }
}
