package dev.gradus.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers as a user at a terminal runs them: {@code ./gradus} and {@code ./gradus-spark}
 * under a pseudo-terminal ({@code script} from util-linux, 120 columns), with the time at which
 * each piece of output reached the terminal ({@code --log-timing}). The progress bar must
 * <em>move</em>: several distinct bar states must arrive at different times while training runs,
 * not all at once when it ends (a line-buffered stderr filter in a launcher did exactly that).
 *
 * <p>Tagged {@code launcher}: not part of {@code mvn test}, because the launchers build their jars
 * on first use. {@code .ci/run} runs it once, in the step that also builds the jars for the
 * standalone-cluster test: {@code mvn -B -pl spark -am test -Dgroups=cluster,launcher
 * -Dgradus.spark.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("launcher")
class LauncherTerminalTest {
    private static final Path SCRIPT = Path.of("/usr/bin/script");

    @TempDir
    Path dir;

    /** One piece of output as the terminal received it: seconds since the start, and the text. */
    private record Chunk(double time, String text) {}

    @Test
    void gradusShowsAMovingBarOnATerminal() throws Exception {
        List<Chunk> screen = underTerminal("./gradus train --data data/digits_train.csv --task classification "
                + "--validation-fraction 0.2 --epochs 60 --out " + dir.resolve("m.gradus"), 300);
        assertBarMoves(screen);
        String all = text(screen);
        assertFalse(all.contains("WARNING: Using incubator modules"), "the JVM's notice is kept from the user:\n" + all);
        assertTrue(all.contains("model written to"), all);
    }

    @Test
    void gradusSparkShowsAMovingBarOnATerminal() throws Exception {
        List<Chunk> screen = underTerminal("./gradus-spark train --master 'local[2]' --data data/digits_train.csv "
                + "--task classification --batch-size 0 --epochs 60 --out " + dir.resolve("s.gradus"), 600);
        assertBarMoves(screen);
        String all = text(screen);
        assertFalse(all.contains("WARNING: Using incubator modules"), "the JVM's notice is kept from the user:\n" + all);
        assertTrue(all.contains("model written to"), all);
    }

    /**
     * Several distinct bar states ({@code epoch N/M |…|}) arrived in at least five separate
     * pieces of output spread over at least 0.3 s, and the last state was written once.
     */
    private static void assertBarMoves(List<Chunk> screen) {
        Set<String> states = new LinkedHashSet<>();
        List<Double> times = new ArrayList<>();
        for (Chunk c : screen) {
            boolean bar = false;
            for (String part : c.text().split("\r")) {
                if (part.matches("(?s)epoch +\\d+/\\d+ .*") && !part.contains("\n")) {
                    states.add(part.strip());
                    bar = true;
                }
            }
            if (bar) {
                times.add(c.time());
            }
        }
        String all = text(screen);
        assertTrue(states.size() >= 3, "several bar states:\n" + states + "\n" + all);
        assertTrue(times.size() >= 5, "bar states reached the terminal in " + times.size()
                + " piece(s) of output; they must arrive as training goes, not at the end:\n" + all);
        assertTrue(times.get(times.size() - 1) - times.get(0) >= 0.3, "bar updates spread over time: " + times);
        String lastState = states.stream().reduce((a, b) -> b).orElseThrow();
        int firstAt = all.indexOf(lastState);
        assertEquals(firstAt, all.lastIndexOf(lastState), "the final bar line is written once:\n" + all);
        for (String line : all.split("\n")) {
            String shown = line.substring(line.lastIndexOf('\r') + 1);
            assertTrue(shown.length() <= 120, "a line fits 120 columns: " + shown);
        }
    }

    private static String text(List<Chunk> screen) {
        StringBuilder s = new StringBuilder();
        screen.forEach(c -> s.append(c.text()));
        return s.toString();
    }

    /**
     * Runs {@code command} from the repository root under a 120-column pseudo-terminal and
     * returns what reached the terminal, piece by piece with its time.
     */
    private List<Chunk> underTerminal(String command, int timeoutSeconds) throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "util-linux 'script' (a pseudo-terminal) is not installed; skipped");
        Path typescript = dir.resolve("typescript");
        Path timing = dir.resolve("timing");
        Process p = new ProcessBuilder(SCRIPT.toString(), "-q", "-e", "--log-timing", timing.toString(), "-c",
                "stty cols 120 rows 40; " + command, typescript.toString())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("script.err").toFile()).start();
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), command + " finished in " + timeoutSeconds + " s");
        byte[] bytes = Files.readAllBytes(typescript);
        assertEquals(0, p.exitValue(), command + "\n" + new String(bytes, StandardCharsets.UTF_8));
        // The typescript: a "Script started" header line, the output pieces in order, a footer.
        int at = 0;
        while (bytes[at] != '\n') {
            at++;
        }
        at++;
        List<Chunk> chunks = new ArrayList<>();
        double time = 0;
        for (String line : Files.readAllLines(timing)) {
            String[] f = line.strip().split(" ");
            time += Double.parseDouble(f[0]);
            int n = Integer.parseInt(f[1]);
            chunks.add(new Chunk(time, new String(bytes, at, n, StandardCharsets.UTF_8)));
            at += n;
        }
        return chunks;
    }
}
