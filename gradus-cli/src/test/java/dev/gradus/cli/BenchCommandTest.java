package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.workloads.Workloads;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {

    @Test
    void shortRunPrintsSamplesPerSecondForTheChosenWorkload() {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(text));
        int code = cli.execute("--workloads", "W2", "--epochs", "1", "--threads", "1", "--no-sgemm");
        assertEquals(0, code, text.toString());
        String out = text.toString();
        assertTrue(out.contains("W2") && out.contains("8-32-32-1"), out);
        // The W2 row ends with two positive numbers: samples/s and GFLOP/s.
        String row = out.lines().filter(l -> l.startsWith("W2")).findFirst().orElseThrow();
        String[] cells = row.trim().split("\\s+");
        assertTrue(Double.parseDouble(cells[cells.length - 2]) > 0, row);
        assertTrue(Double.parseDouble(cells[cells.length - 1]) > 0, row);
    }

    @Test
    void unknownWorkloadIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("--workloads", "W9"));
        assertTrue(err.toString().contains("unknown workload 'W9'"), err.toString());
    }

    @Test
    void flopsPerSampleCountsForwardAndBothGradients() {
        // 8-32-32-1: layer 0 forward + dW = 4·8·32; layers 1, 2 also the input gradient: 6·(32·32 + 32·1).
        assertEquals(4L * 8 * 32 + 6L * (32 * 32 + 32), Workloads.W2.flopsPerSample());
    }
}
