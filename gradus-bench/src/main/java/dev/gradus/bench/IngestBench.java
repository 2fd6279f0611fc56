package dev.gradus.bench;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import java.nio.file.Path;

/**
 * Reads a CSV file with {@link Csv#read(Path)} several times and prints the seconds of each
 * read, for {@code gradus-bench/scripts/ingest.sh} (side by side with {@code pandas.read_csv}).
 *
 * <p>Usage: {@code IngestBench FILE [REPEAT]}. The first read includes JIT warm-up, as a user's
 * single {@code gradus train} does.
 */
public final class IngestBench {
    private IngestBench() {}

    /** CPU time of the whole process (all threads), the fair measure on a shared machine. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        int repeat = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            long c0 = cpuNanos();
            Table t = Csv.read(path);
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (cpuNanos() - c0) / 1e9;
            int text = 0;
            for (int c = 0; c < t.columnCount(); c++) {
                text += t.isNumeric(c) ? 0 : 1;
            }
            System.out.printf("gradus Csv.read: %.3f s wall, %.3f s cpu (%d rows x %d columns, %d text)%n", s, cpu,
                    t.rows(), t.columnCount(), text);
        }
    }
}
