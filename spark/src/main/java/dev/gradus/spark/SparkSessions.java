package dev.gradus.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** How the {@code gradus-spark} commands start Spark, and whether Spark can reach files here. */
final class SparkSessions {
    private SparkSessions() {}

    /**
     * A session on {@code master} (null: spark-submit's master, else {@code local[*]}) named
     * {@code app}. Off a local master the executors need the Gradus classes: the jar this class
     * came from is shipped to them unless {@code spark.jars} already names jars (as spark-submit
     * does).
     */
    static SparkSession start(String master, String app) {
        SparkConf conf = new SparkConf();
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.app.name", app);
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        if (!conf.get("spark.master").startsWith("local") && !conf.contains("spark.jars")) {
            Path jar = ownJar();
            if (jar != null) {
                conf.set("spark.jars", jar.toString());
            }
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private static Path ownJar() {
        try {
            Path p = Path.of(SparkSessions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }

    /**
     * Whether Spark can reach files here: Spark's Hadoop client asks {@code UserGroupInformation}
     * for the user, which calls {@code Subject.getSubject}, refused by JDK 24 and later (JEP 486;
     * HADOOP-19212).
     */
    static boolean hadoopFileSystemsWork() {
        try {
            org.apache.hadoop.security.UserGroupInformation.getCurrentUser();
            return true;
        } catch (UnsupportedOperationException | java.io.IOException e) {
            return false;
        }
    }
}
