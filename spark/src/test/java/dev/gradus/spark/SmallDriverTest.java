package dev.gradus.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.model.Model;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet read by the executors with the driver at {@code -Xmx512m} (Spark refuses less than
 * about 450 MB): {@link SmallDriverCheck} in its own JVM writes 50,000 rows as Parquet, fits
 * the preprocessing by aggregation, encodes float32 blocks on the executors and trains on
 * them. In local mode the executors share the driver's heap, so this shows that nothing the
 * size of the data is collected; data larger than the driver's heap runs on the standalone
 * cluster ({@code StandaloneClusterTest} with a small set; {@code gradus-bench/scripts/spark-large.sh}
 * with 6M rows).
 */
class SmallDriverTest {
    @TempDir
    Path dir;

    @Test
    void parquetWithA512MiBDriver() throws Exception {
        // Spark reaches files through Hadoop, whose UserGroupInformation calls Subject.getSubject,
        // which JDK 24 and later refuse (JEP 486; HADOOP-19212): Parquet needs a JDK where it works.
        boolean hadoopWorks;
        try {
            org.apache.hadoop.security.UserGroupInformation.getCurrentUser();
            hadoopWorks = true;
        } catch (UnsupportedOperationException | java.io.IOException e) {
            hadoopWorks = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(hadoopWorks,
                "Hadoop file systems do not work on JDK " + Runtime.version().feature() + " (Subject.getSubject)");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-modules") || arg.startsWith("-XX:+Ignore")
                    || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty")) {
                command.add(arg);
            }
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SmallDriverCheck.class.getName());
        command.add("50000");
        command.add(dir.toString());
        Path log = dir.resolve("check.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the check did not finish in 5 minutes");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), () -> out.lines().filter(l -> !l.contains(" INFO ")).limit(60)
                .reduce("", (a, b) -> a + "\n" + b));
        assertTrue(out.contains("rows 50000 "), out);
        Model model = Model.load(dir.resolve("model.gradus"));
        assertEquals(20, model.preprocessing().inputWidth());
        assertEquals(List.of("high", "low", "mid"), model.preprocessing().classLabels());
    }
}
