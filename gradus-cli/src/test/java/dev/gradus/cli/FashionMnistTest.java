package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A larger end-to-end run: Fashion-MNIST (60,000 training and 10,000 test images) from Debian's
 * {@code dataset-fashion-mnist}, read as gzipped IDX files. Skipped when the package is absent.
 */
class FashionMnistTest {
    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void threeEpochsOfOneHiddenLayerPassEightyFivePercent(@TempDir Path dir) {
        assumeTrue(Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); skipping");
        Cli run = Cli.run("train", "--data", DIR.resolve("train-images-idx3-ubyte.gz").toString(),
                "--labels", DIR.resolve("train-labels-idx1-ubyte.gz").toString(),
                "--test", DIR.resolve("t10k-images-idx3-ubyte.gz").toString(),
                "--test-labels", DIR.resolve("t10k-labels-idx1-ubyte.gz").toString(),
                "--layers", "128", "--epochs", "3", "--batch-size", "128", "--scale", "none",
                "--json", "--quiet", "--out", dir.resolve("fashion.gradus").toString());
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.out().contains("\"rows\":60000"), run.out());
        double accuracy = Double.parseDouble(run.out().replaceAll(".*\"test\":\\{.*?\"accuracy\":([0-9.]+).*\\s*", "$1"));
        // The data README: a correct one-hidden-layer MLP passes 0.85 within 10 epochs (scikit-learn's
        // 128-unit MLP reaches 0.8798 after 10); 3 epochs of Adam on 60,000 rows get there too.
        assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);
    }
}
