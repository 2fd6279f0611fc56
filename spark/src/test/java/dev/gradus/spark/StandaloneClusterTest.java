package dev.gradus.spark;

import static dev.gradus.spark.SparkTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.model.Model;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on 127.0.0.1: one master and two worker JVMs started from
 * the Spark jars that {@code ./gradus-spark} collects ({@code spark/target/spark-home/jars}),
 * executors launched by the workers in their own JVMs, and training through
 * {@code ./gradus-spark --master spark://127.0.0.1:PORT}. Parameters, rows and task closures
 * cross process boundaries as on a cluster. Tagged {@code cluster}: not part of {@code mvn test};
 * {@code .ci/run} runs it with
 * {@code mvn -B -pl spark -am test -Dgroups=cluster -Dgradus.spark.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("cluster")
class StandaloneClusterTest {
    private static final String[] SPARK_FLAGS = {
        "-XX:+IgnoreUnrecognizedVMOptions", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
        "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
        "-Dio.netty.tryReflectionSetAccessible=true"};

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @Test
    void trainingOnAMasterAndTwoWorkersGivesTheWeightsOfGradusTrain() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        // The launcher builds the jars on first use; --help is enough to make it do so.
        run(List.of("./gradus-spark", "--help"), dir.resolve("build.log"), 600);
        Path sparkHome = root.resolve("spark/target/spark-home");
        // Spark's launcher looks for SPARK_HOME/jars only beside a RELEASE file (as in a distribution).
        Files.writeString(sparkHome.resolve("RELEASE"), "Spark jars collected by the gradus-spark build\n");
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        try {
            Path masterLog = dir.resolve("master.log");
            start(sparkHome, List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    Integer.toString(port), "--webui-port", Integer.toString(freePort())), masterLog);
            for (int w = 0; w < 2; w++) {
                Path work = Files.createDirectories(dir.resolve("worker" + w));
                start(sparkHome, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                        "--memory", "1g", "--webui-port", Integer.toString(freePort()), "--work-dir", work.toString(),
                        master), dir.resolve("worker" + w + ".log"));
            }
            waitFor(masterLog, "Registering worker", 2, 90);

            Path init = dir.resolve("init.gradus");
            List<String> common = List.of("train", "--data", "data/iris_train.csv", "--task", "classification",
                    "--batch-size", "0", "--no-shuffle", "--scale", "none", "--layers", "6", "--epochs", "25",
                    "--quiet");
            run(concat(List.of("./gradus"), List.of("train", "--data", "data/iris_train.csv", "--task",
                    "classification", "--scale", "none", "--layers", "6", "--epochs", "0", "--quiet", "--out",
                    init.toString())), dir.resolve("init.log"), 120);
            Path core = dir.resolve("core.gradus");
            run(concat(List.of("./gradus"), concat(common, List.of("--init", init.toString(), "--out",
                    core.toString()))), dir.resolve("core.log"), 120);
            Path onCluster = dir.resolve("cluster.gradus");
            run(concat(List.of("./gradus-spark"), concat(common, List.of("--init", init.toString(), "--master", master,
                    "--partitions", "4", "--out", onCluster.toString()))), dir.resolve("cluster.log"), 300);

            assertClose(Model.load(core).network().parameters().values(),
                    Model.load(onCluster).network().parameters().values(), 1e-5, "standalone cluster");
            parquetWithASmallDriver(master);
            // the work really ran in executors that the two workers started
            for (int w = 0; w < 2; w++) {
                String log = Files.readString(dir.resolve("worker" + w + ".log"));
                assertTrue(log.contains("Asked to launch executor"), "worker " + w + " launched no executor:\n" + log);
            }
        } finally {
            for (Process p : started) {
                p.destroy();
            }
            for (Process p : started) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /**
     * Executor-side reading on the cluster: 100,000 Parquet rows (written here by a local
     * session) read, preprocessed, encoded and trained by the workers' executors, with the
     * driver's heap at 512 MiB ({@code JAVA_OPTS=-Xmx512m}, as {@code gradus-bench/scripts/spark-large.sh}
     * does with 6M rows); no task carries rows from the driver.
     */
    private void parquetWithASmallDriver(String master) throws Exception {
        Path parquet = dir.resolve("rows.parquet");
        org.apache.spark.sql.SparkSession local = SparkTestSupport.session("StandaloneClusterTest");
        try {
            var data = local.range(0, 100_000, 1, 4).toDF("id");
            for (int j = 0; j < 20; j++) {
                data = data.withColumn("x" + j, org.apache.spark.sql.functions.sin(
                        org.apache.spark.sql.functions.col("id").multiply(j + 1)).cast("float"));
            }
            var sum = org.apache.spark.sql.functions.col("x0").plus(org.apache.spark.sql.functions.col("x1"));
            data = data.withColumn("label", org.apache.spark.sql.functions.when(sum.lt(-0.5), "low")
                    .when(sum.lt(0.5), "mid").otherwise("high")).drop("id");
            data.write().parquet(parquet.toString());
        } finally {
            local.stop();
        }
        Path model = dir.resolve("parquet.gradus");
        Path log = dir.resolve("parquet.log");
        List<String> cmd = List.of("./gradus-spark", "train", "--data", parquet.toString(), "--master", master,
                "--layers", "8", "--optimizer", "lbfgs", "--batch-size", "0", "--epochs", "3", "--json",
                "--out", model.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(pb).put("JAVA_OPTS", "-Xmx512m");
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the Parquet run ran past 300 s:\n" + read(log));
        }
        String out = read(log);
        assertEquals(0, p.exitValue(), () -> "the Parquet run failed:\n" + out);
        assertTrue(out.contains("\"rows\":100000"), out);
        assertTrue(!out.contains("task of very large size"), out);
        Model m = Model.load(model);
        assertEquals(20, m.preprocessing().inputWidth());
        assertEquals(List.of("high", "low", "mid"), m.preprocessing().classLabels());
    }

    private void start(Path sparkHome, List<String> mainAndArgs, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(SPARK_FLAGS));
        cmd.addAll(List.of("-Xmx512m", "-cp", sparkHome.resolve("jars") + "/*",
                "-Dlog4j2.configurationFile=" + Path.of("spark/conf/log4j2-cluster.properties").toAbsolutePath()));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(pb).put("SPARK_HOME", sparkHome.toString());
        started.add(pb.start());
    }

    private static java.util.Map<String, String> environment(ProcessBuilder pb) {
        java.util.Map<String, String> env = pb.environment();
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    private static void run(List<String> cmd, Path log, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(pb);
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " ran past " + seconds + " s:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void waitFor(Path log, String text, int times, int seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < until) {
            String s = read(log);
            if (s.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("'" + text + "' did not appear " + times + " times in " + seconds + " s:\n" + read(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
